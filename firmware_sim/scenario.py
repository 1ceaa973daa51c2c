"""Scenario files: a patient's behaviour over days, and what the cloud must show afterwards.

A scenario is YAML (see `firmware_sim/scenarios/*.yaml`):

```yaml
name: Perfect week
timezone: Europe/Berlin
start: 2026-03-02            # local date of day 1
days: 7
plan:                        # plan version 1 (items as in the REST API, start_date optional)
  - {medication_name: Metformin, dose: 500, unit: mg, times_of_day: ["08:00", "20:00"]}
medications:                 # optional: stock on hand on day 1 (the cloud forecasts refills)
  - {name: Metformin, quantity: 20, low_stock_days: 3}
habits:                      # what the patient does every day (or on `days: [1, 2]`)
  - {at: "08:03", press: taken}
timeline:                    # one-off steps, in order
  - {day: 3, at: "00:00", network: cut}      # the home's internet is down (`restore`)
  - {day: 4, at: "09:00", power: off}       # unplugged: no process, no network (`on`)
  - {day: 5, at: "10:00", refill: {medication: Metformin, quantity: 60}}
  - {day: 3, at: "10:00", say: "I have a bad headache"}
  - {day: 4, at: "12:00", change_plan: [...]}   # a new plan version through the REST API
  - {day: 8, at: "00:30", expect: {...}}        # checked against the REST API
```

Times are local wall times of the patient's zone on scenario day N (day 1 is `start`). At every
`expect` the runner lets the device sync, runs the cloud's jobs as of the simulated time, and
compares the REST API's answers with the expectations. The cloud runs on the scenario's clock
too, so it expects, detects and escalates in simulated time. A press or a word while the device
is powered off does nothing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.enums import AlertType, Button

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
HHMM = Annotated[str, Field(pattern=_HHMM)]
PACKAGED = Path(__file__).parent / "scenarios"


class ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanLine(ScenarioModel):
    """One medication line of a plan, as the REST API takes it (start date defaults to day 1)."""

    medication_name: str
    dose: float
    unit: str
    times_of_day: list[HHMM] = Field(default_factory=list)
    days_of_week: list[str] = Field(default_factory=list)
    as_needed: bool = False
    max_per_day: int | None = None
    start_date: date | None = None
    on_time_minutes: int | None = None
    late_window_minutes: int | None = None

    def to_api(self, default_start: date) -> dict[str, Any]:
        """The `PlanItemIn` JSON of this line."""
        body = self.model_dump(mode="json", exclude_none=True)
        body["start_date"] = (self.start_date or default_start).isoformat()
        return body


class Supply(ScenarioModel):
    """A medication handed to the patient on day 1, whose stock the cloud tracks (plan lines
    of the same name draw on it)."""

    name: str
    quantity: Annotated[float, Field(gt=0)]
    per_dose: Annotated[float, Field(gt=0)] = 1.0
    low_stock_days: Annotated[int, Field(ge=0)] | None = None

    def to_api(self) -> dict[str, Any]:
        """The `MedicationIn` JSON of this medication (without the quantity dispensed)."""
        body: dict[str, Any] = {"name": self.name, "quantity_per_dose": self.per_dose}
        if self.low_stock_days is not None:
            body["low_stock_days"] = self.low_stock_days
        return body


class Refill(ScenarioModel):
    """A refill recorded by the caregiver: the new quantity on hand."""

    medication: str
    quantity: Annotated[float, Field(gt=0)]


class DayFigures(ScenarioModel):
    """Expected daily summary figures (only the ones given are checked)."""

    day: Annotated[int, Field(ge=1)]
    scheduled: int | None = None
    on_time: int | None = None
    late: int | None = None
    missed: int | None = None
    skipped: int | None = None
    adherence_pct: float | None = None
    symptoms: int | None = None
    alerts: int | None = None

    def expected(self) -> dict[str, float]:
        """The figures to check, by summary field name."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"day"}).items()
            if value is not None
        }


class Count(ScenarioModel):
    """An exact count, or bounds."""

    exactly: int | None = None
    at_least: int | None = None
    at_most: int | None = None

    def check(self, actual: int) -> str | None:
        """None if `actual` fits, else what was expected."""
        if self.exactly is not None and actual != self.exactly:
            return f"exactly {self.exactly}"
        if self.at_least is not None and actual < self.at_least:
            return f"at least {self.at_least}"
        if self.at_most is not None and actual > self.at_most:
            return f"at most {self.at_most}"
        return None


CountSpec = int | Count


def as_count(spec: CountSpec) -> Count:
    return Count(exactly=spec) if isinstance(spec, int) else spec


class Expectation(ScenarioModel):
    """What the cloud's REST API (and the device) must show at a checkpoint."""

    days: list[DayFigures] = Field(default_factory=list)
    doses: dict[str, CountSpec] = Field(
        default_factory=dict, description="Dose occurrences in the cloud by status."
    )
    alerts: dict[AlertType, CountSpec] = Field(
        default_factory=dict, description="Alerts ever raised for the patient, by type."
    )
    open_alerts: dict[AlertType, CountSpec] = Field(
        default_factory=dict, description="Alerts not resolved yet, by type."
    )
    notifications: CountSpec | None = Field(
        default=None, description="Notifications in the caregiver's in-app feed."
    )
    doctor_notifications: CountSpec | None = Field(
        default=None, description="Notifications in the doctor's feed (escalations, emergencies)."
    )
    symptoms: list[str] = Field(
        default_factory=list, description="Symptoms that must be in the patient's symptom log."
    )
    plan_version: int | None = Field(default=None, description="Plan version the device runs.")
    device_said: list[str] = Field(
        default_factory=list, description="Phrases the device must have said (case-insensitive)."
    )
    outbox_empty: bool | None = None


class Action(ScenarioModel):
    """What the patient (or the world) does at one moment; exactly one field is set."""

    press: Button | None = None
    hold: Button | None = None
    say: str | None = None
    network: Literal["cut", "restore"] | None = None
    power: Literal["off", "on"] | None = None
    refill: Refill | None = None
    change_plan: list[PlanLine] | None = None
    expect: Expectation | None = None

    @model_validator(mode="after")
    def _one_thing(self) -> Self:
        chosen = [name for name in ACTION_FIELDS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(f"a step does exactly one of {', '.join(ACTION_FIELDS)}; got {chosen}")
        return self

    @property
    def kind(self) -> str:
        return next(name for name in ACTION_FIELDS if getattr(self, name) is not None)


ACTION_FIELDS = (
    "press",
    "hold",
    "say",
    "network",
    "power",
    "refill",
    "change_plan",
    "expect",
)


class Habit(Action):
    """Something done at the same local time on every day, or on the listed days."""

    at: HHMM
    days: list[int] | None = None


class Step(Action):
    """Something done once, on scenario day `day` at local time `at`."""

    day: Annotated[int, Field(ge=1)]
    at: HHMM


class Scenario(ScenarioModel):
    """A whole scenario file."""

    name: str
    description: str = ""
    timezone: str = "UTC"
    start: date
    days: Annotated[int, Field(ge=1, le=60)]
    start_time: HHMM = "06:00"
    plan: list[PlanLine]
    medications: list[Supply] = Field(default_factory=list)
    habits: list[Habit] = Field(default_factory=list)
    timeline: list[Step] = Field(default_factory=list)
    end: Step | None = Field(
        default=None, description="Where simulated time stops (default: day after the last)."
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, day: int) -> date:
        return self.start + timedelta(days=day - 1)

    def instant(self, day: int, at: str) -> datetime:
        """The aware local moment of scenario day `day` at wall time `at`.

        A wall time that a DST change skips reads with the offset before the change (moves
        forward), like the plan expansion in `shared.schedule`.
        """
        wall = datetime.combine(self.local_date(day), time.fromisoformat(at), tzinfo=self.zone)
        return wall.replace(fold=0)

    def started_at(self) -> datetime:
        return self.instant(1, self.start_time)

    def ends_at(self) -> datetime:
        if self.end is not None:
            return self.instant(self.end.day, self.end.at)
        return self.instant(self.days + 1, "00:00") + timedelta(hours=3)

    def schedule(self) -> list[tuple[datetime, Action]]:
        """Every habit and step as (moment, action), in time order (steps after habits)."""
        planned: list[tuple[datetime, int, Action]] = []
        for habit in self.habits:
            for day in habit.days or range(1, self.days + 1):
                planned.append((self.instant(day, habit.at), 0, habit))
        for step in self.timeline:
            planned.append((self.instant(step.day, step.at), 1, step))
        planned.sort(key=lambda entry: (entry[0], entry[1]))
        return [(moment, action) for moment, _, action in planned]


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file; a bare name finds a packaged one (`perfect_week`)."""
    candidate = Path(path)
    if not candidate.exists() and re.fullmatch(r"[\w-]+", str(path)):
        candidate = PACKAGED / f"{path}.yaml"
    with candidate.open() as handle:
        data = yaml.safe_load(handle)
    return Scenario.model_validate(data)


def packaged_scenarios() -> list[Path]:
    """The scenario files shipped with the simulator."""
    return sorted(PACKAGED.glob("*.yaml"))
