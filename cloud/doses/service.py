"""Dose occurrences and events as people see them; live adherence; a person's decision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import FunctionFilter

from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.doses.schemas import AdherenceOut, DayAdherence, DecisionIn
from cloud.errors import NotFoundError, ValidationFailedError
from shared.enums import DoseSource, DoseStatus


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def _count(condition: ColumnElement[bool]) -> FunctionFilter[int]:
    return func.count().filter(condition)


def _adherence_by_day() -> Select[*tuple[Any, ...]]:
    occ = DoseOccurrence
    scheduled = occ.as_needed.is_(False)
    return (
        select(
            occ.patient_id,
            occ.local_date,
            _count(scheduled).label("scheduled"),
            *(
                _count(and_(scheduled, occ.status == status)).label(status.value)
                for status in DoseStatus
            ),
            _count(occ.as_needed.is_(True)).label("as_needed_doses"),
            func.sum(func.extract("epoch", occ.decided_at - occ.due_at))
            .filter(and_(scheduled, occ.status == DoseStatus.LATE))
            .label("late_seconds"),
        )
        .where(
            occ.patient_id == any_(bindparam("patient_ids", type_=ARRAY(Uuid()))),
            occ.local_date.between(bindparam("start"), bindparam("end")),
        )
        .group_by(occ.patient_id, occ.local_date)
        .order_by(occ.patient_id, occ.local_date)
    )


# Built once: constructing this statement per request cost more than PostgreSQL running it.
_ADHERENCE_BY_DAY = _adherence_by_day()


def _summarise(patient_id: uuid.UUID, start: date, end: date, rows: list[Any]) -> AdherenceOut:
    days = [
        DayAdherence(
            local_date=row.local_date,
            scheduled=row.scheduled,
            on_time=row.on_time,
            late=row.late,
            missed=row.missed,
            skipped=row.skipped,
            pending=row.pending,
            as_needed_doses=row.as_needed_doses,
            adherence_pct=_pct(row.on_time + row.late, row.scheduled - row.pending),
        )
        for row in rows
    ]
    totals = {
        name: sum(getattr(day, name) for day in days)
        for name in (
            "scheduled",
            "on_time",
            "late",
            "missed",
            "skipped",
            "pending",
            "as_needed_doses",
        )
    }
    late_minutes = sum(float(row.late_seconds or 0) for row in rows) / 60
    decided = totals["scheduled"] - totals["pending"]
    return AdherenceOut(
        patient_id=patient_id,
        start=start,
        end=end,
        **totals,
        adherence_pct=_pct(totals["on_time"] + totals["late"], decided),
        on_time_pct=_pct(totals["on_time"], decided),
        mean_minutes_late=round(late_minutes / totals["late"], 1) if totals["late"] else None,
        days=days,
    )


class DoseService:
    """Reads occurrences and adherence; records remote decisions. Owns its transaction."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def occurrence(self, patient_id: uuid.UUID, occurrence_id: uuid.UUID) -> DoseOccurrence:
        """The patient's occurrence; 404 if it is not theirs."""
        occurrence = self.db.scalar(
            select(DoseOccurrence).where(
                DoseOccurrence.id == occurrence_id, DoseOccurrence.patient_id == patient_id
            )
        )
        if occurrence is None:
            raise NotFoundError("dose occurrence not found")
        return occurrence

    def adherence(self, patient_id: uuid.UUID, start: date, end: date) -> AdherenceOut:
        """Counts per status and day over local dates `start`..`end`, in one query."""
        return self.adherence_of([patient_id], start, end)[patient_id]

    def adherence_of(
        self, patient_ids: Sequence[uuid.UUID], start: date, end: date
    ) -> dict[uuid.UUID, AdherenceOut]:
        """`adherence` of several patients over the same dates, in one query (lists of
        patients show it for every row)."""
        rows = self.db.execute(
            _ADHERENCE_BY_DAY, {"patient_ids": list(patient_ids), "start": start, "end": end}
        ).all()
        by_patient: dict[uuid.UUID, list[Any]] = {patient_id: [] for patient_id in patient_ids}
        for row in rows:
            by_patient[row.patient_id].append(row)
        return {
            patient_id: _summarise(patient_id, start, end, patient_rows)
            for patient_id, patient_rows in by_patient.items()
        }

    def decide(
        self,
        patient_id: uuid.UUID,
        occurrence_id: uuid.UUID,
        decision: DecisionIn,
        *,
        decided_by: uuid.UUID,
    ) -> tuple[DoseOccurrence, DoseEventLog]:
        """Record a person's decision; it replaces whatever the occurrence held."""
        if decision.status is DoseStatus.PENDING:
            raise ValidationFailedError("a decision cannot set a dose back to pending")
        occurrence = self.occurrence(patient_id, occurrence_id)
        now = datetime.now(UTC)
        event = DoseEventLog(
            id=uuid.uuid4(),
            occurrence_id=occurrence.id,
            patient_id=patient_id,
            recorded_by_user_id=decided_by,
            status=decision.status,
            source=DoseSource.REMOTE,
            decided_at=decision.decided_at or now,
            received_at=now,
            as_needed=occurrence.as_needed,
            skip_reason=decision.skip_reason,
        )
        self.db.add(event)
        self.db.flush()
        occurrence.status = decision.status
        occurrence.decided_at = event.decided_at
        occurrence.source = DoseSource.REMOTE
        occurrence.decided_by_event_id = event.id
        self.db.execute(
            text(
                "UPDATE daily_patient_summaries SET stale = true "
                "WHERE patient_id = :patient AND summary_date = :day"
            ),
            {"patient": patient_id, "day": occurrence.local_date},
        )
        self.db.commit()
        return occurrence, event
