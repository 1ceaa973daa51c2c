"""A plan item's timing as a FHIR Dosage, the one mapping export and import both follow.

* `times_of_day` -> `timing.repeat.timeOfDay` ("HH:MM:00"), `frequency` = how many a day;
* `every_n_days` -> `period` N with `periodUnit` "d" (counted from `boundsPeriod.start`);
* `days_of_week` -> `dayOfWeek` (the same three-letter codes);
* `start_date` / `end_date` -> `boundsPeriod` (local dates, both inclusive);
* the plan's IANA zone -> the `tz-code` extension on `timing`;
* `as_needed` -> `asNeededBoolean`, `max_per_day` -> `maxDosePerPeriod` (that many doses per day);
* `dose` / `unit` -> `doseAndRate[0].doseQuantity`; `instructions` -> `text`;
* MedMind's reminder windows -> two MedMind extensions (minutes).
"""

from __future__ import annotations

from cloud.fhir import systems
from cloud.fhir.resources.common import Json, day, extension
from cloud.plans.models import MedicationPlanItem


def dosage(item: MedicationPlanItem, timezone: str) -> Json:
    """The Dosage of one stored plan item, its timing in `timezone`."""
    repeat: Json = {"boundsPeriod": {"start": day(item.start_date)}}
    if item.end_date is not None:
        repeat["boundsPeriod"]["end"] = day(item.end_date)
    if not item.as_needed:
        times = sorted(item.times_of_day)
        repeat["frequency"] = len(times)
        repeat["period"] = item.every_n_days
        repeat["periodUnit"] = "d"
        repeat["timeOfDay"] = [f"{hhmm}:00" for hhmm in times]
    if item.days_of_week:
        repeat["dayOfWeek"] = list(item.days_of_week)
    quantity = {"value": item.dose, "unit": item.unit}
    out: Json = {
        "extension": [
            extension(systems.ON_TIME_MINUTES, "valueInteger", item.on_time_minutes),
            extension(systems.LATE_WINDOW_MINUTES, "valueInteger", item.late_window_minutes),
        ],
        "timing": {
            "extension": [extension(systems.TZ_CODE, "valueCode", timezone)],
            "repeat": repeat,
        },
        "doseAndRate": [{"doseQuantity": quantity}],
    }
    if item.instructions:
        out["text"] = item.instructions
    if item.as_needed:
        out["asNeededBoolean"] = True
        if item.max_per_day is not None:
            out["maxDosePerPeriod"] = {
                "numerator": {"value": item.max_per_day * item.dose, "unit": item.unit},
                "denominator": {"value": 1, "unit": "d", "system": systems.UCUM, "code": "d"},
            }
    return out
