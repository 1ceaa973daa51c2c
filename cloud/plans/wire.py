"""Stored plan versions to and from the wire contract (`shared.plan.MedicationPlan`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cloud.plans.models import MedicationPlan, MedicationPlanItem
from shared import plan as contract
from shared.enums import Weekday


def item_to_contract(item: MedicationPlanItem) -> contract.PlanItem:
    """The wire form of one stored plan item."""
    return contract.PlanItem(
        item_id=item.item_id,
        medication_id=item.medication_id,
        medication_name=item.medication_name,
        dose=item.dose,
        unit=item.unit,
        instructions=item.instructions,
        times_of_day=list(item.times_of_day),
        days_of_week=[Weekday(day) for day in item.days_of_week],
        every_n_days=item.every_n_days,
        start_date=item.start_date,
        end_date=item.end_date,
        as_needed=item.as_needed,
        max_per_day=item.max_per_day,
        on_time_minutes=item.on_time_minutes,
        late_window_minutes=item.late_window_minutes,
        paused=item.paused,
    )


def to_contract(plan: MedicationPlan) -> contract.MedicationPlan:
    """The wire form of a stored plan version (what devices receive)."""
    return contract.MedicationPlan(
        plan_id=plan.plan_id,
        patient_id=plan.patient_id,
        version=plan.version,
        timezone=plan.timezone,
        items=[item_to_contract(item) for item in plan.items],
        issued_at=plan.issued_at,
    )


def from_contract(
    plan: contract.MedicationPlan, *, is_current: bool = True, note: str = ""
) -> MedicationPlan:
    """A new (unsaved) stored version equal to a wire plan; `to_contract` gives it back."""
    return MedicationPlan(
        id=uuid.uuid4(),
        patient_id=plan.patient_id,
        plan_id=plan.plan_id,
        version=plan.version,
        timezone=plan.timezone,
        is_current=is_current,
        issued_at=plan.issued_at or datetime.now(UTC),
        note=note,
        items=[
            MedicationPlanItem(
                id=uuid.uuid4(),
                position=position,
                item_id=item.item_id,
                medication_id=item.medication_id,
                medication_name=item.medication_name,
                dose=item.dose,
                unit=item.unit,
                instructions=item.instructions,
                times_of_day=list(item.times_of_day),
                days_of_week=[day.value for day in item.days_of_week],
                every_n_days=item.every_n_days,
                start_date=item.start_date,
                end_date=item.end_date,
                as_needed=item.as_needed,
                max_per_day=item.max_per_day,
                on_time_minutes=item.on_time_minutes,
                late_window_minutes=item.late_window_minutes,
                paused=item.paused,
            )
            for position, item in enumerate(plan.items)
        ],
    )
