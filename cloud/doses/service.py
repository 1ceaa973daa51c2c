"""Dose occurrences and events as people see them; live adherence; a person's decision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from cloud.clock import Clock, utc_now
from cloud.doses.adherence import DoseCounts, dose_counts_sql, mean_minutes_late
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.doses.schemas import AdherenceOut, DayAdherence, DecisionIn
from cloud.errors import NotFoundError, ValidationFailedError
from cloud.summaries.staleness import mark_days_stale
from shared.enums import DoseSource, DoseStatus

# Built once: constructing this statement per request cost more than PostgreSQL running it.
_ADHERENCE_BY_DAY = text(
    f"""
SELECT o.patient_id, o.local_date, {dose_counts_sql("o", "CAST(:now AS timestamptz)")}
FROM dose_occurrences o
WHERE o.patient_id = ANY(CAST(:patient_ids AS uuid[]))
  AND o.local_date BETWEEN :start AND :end
GROUP BY o.patient_id, o.local_date
ORDER BY o.patient_id, o.local_date
"""
)
# The same counts in buckets of days counted back from :end: `width_bucket` puts a date :edges
# days back or more in a later bucket (no edges: one bucket). Lists and trends of totals sum
# these few rows instead of a row per day, or a query per range.
_ADHERENCE_BUCKETS = text(
    f"""
SELECT o.patient_id,
       width_bucket(CAST(:end AS date) - o.local_date, CAST(:edges AS int[])) AS bucket,
       {dose_counts_sql("o", "CAST(:now AS timestamptz)")}
FROM dose_occurrences o
WHERE o.patient_id = ANY(CAST(:patient_ids AS uuid[]))
  AND o.local_date BETWEEN :start AND :end
GROUP BY o.patient_id, bucket
"""
)


def _counts(row: Row[Any]) -> DoseCounts:
    return DoseCounts(row.scheduled, row.on_time, row.late, row.missed, row.skipped, row.pending)


def _fields(counts: DoseCounts) -> dict[str, int]:
    # Not dataclasses.asdict: its deep copy was most of the cost of a 50-patient list.
    return {
        "scheduled": counts.scheduled,
        "on_time": counts.on_time,
        "late": counts.late,
        "missed": counts.missed,
        "skipped": counts.skipped,
        "pending": counts.pending,
    }


def _summarise(
    patient_id: uuid.UUID, start: date, end: date, rows: list[Row[Any]], per_day: bool
) -> AdherenceOut:
    days = [
        DayAdherence(
            local_date=row.local_date,
            **_fields(counts),
            adherence_pct=counts.adherence_pct,
            on_time_pct=counts.on_time_pct,
            mean_minutes_late=mean_minutes_late(Decimal(row.late_minutes_total or 0), counts.late),
            as_needed_doses=row.as_needed_doses,
        )
        for row, counts in ((row, _counts(row)) for row in rows if per_day)
    ]
    total = sum((_counts(row) for row in rows), DoseCounts())
    late_minutes = sum((Decimal(row.late_minutes_total or 0) for row in rows), Decimal(0))
    return AdherenceOut(
        patient_id=patient_id,
        start=start,
        end=end,
        **_fields(total),
        as_needed_doses=sum(row.as_needed_doses for row in rows),
        adherence_pct=total.adherence_pct,
        on_time_pct=total.on_time_pct,
        mean_minutes_late=mean_minutes_late(late_minutes, total.late),
        days=days,
    )


class DoseService:
    """Reads occurrences and adherence; records remote decisions. Owns its transaction."""

    def __init__(self, db: Session, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

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
        """Figures per day and in total over local dates `start`..`end`, as of the service's
        clock, in one query (the definition: `cloud.doses.adherence`)."""
        return self.adherence_of([patient_id], start, end)[patient_id]

    def adherence_of(
        self, patient_ids: Sequence[uuid.UUID], start: date, end: date
    ) -> dict[uuid.UUID, AdherenceOut]:
        """`adherence` of several patients over the same dates, in one query."""
        params = {"patient_ids": list(patient_ids), "start": start, "end": end, "now": self.clock()}
        by_patient: dict[uuid.UUID, list[Row[Any]]] = {patient_id: [] for patient_id in patient_ids}
        for row in self.db.execute(_ADHERENCE_BY_DAY, params):
            by_patient[row.patient_id].append(row)
        return {
            patient_id: _summarise(patient_id, start, end, rows, per_day=True)
            for patient_id, rows in by_patient.items()
        }

    def adherence_windows(
        self, patient_ids: Sequence[uuid.UUID], end: date, lengths: Sequence[int]
    ) -> dict[uuid.UUID, list[AdherenceOut]]:
        """Each patient's totals (`days` empty) over the last `lengths` days ending on `end`
        (ascending, e.g. 1, 7, 30), in one query: a window is the shorter one plus the days
        before it. Each equals `adherence` over its dates."""
        buckets = self._buckets(patient_ids, end - timedelta(days=lengths[-1] - 1), end, lengths)
        return {
            patient_id: [
                _summarise(
                    patient_id,
                    end - timedelta(days=length - 1),
                    end,
                    [row for bucket, row in rows.items() if bucket <= index],
                    per_day=False,
                )
                for index, length in enumerate(lengths)
            ]
            for patient_id, rows in buckets.items()
        }

    def adherence_stretches(
        self, patient_id: uuid.UUID, first: date, last: date, length: int
    ) -> list[AdherenceOut]:
        """Totals of each `length`-day stretch ending on `last`, going back while a whole one
        fits from `first`, oldest first, in one query. Each equals `adherence` over its dates."""
        count = ((last - first).days + 1) // length
        if count == 0:
            return []
        edges = [length * n for n in range(1, count + 1)]
        rows = self._buckets([patient_id], last - timedelta(days=edges[-1] - 1), last, edges)
        stretches = []
        for index in reversed(range(count)):
            end = last - timedelta(days=length * index)
            row = rows[patient_id].get(index)
            stretches.append(
                _summarise(
                    patient_id,
                    end - timedelta(days=length - 1),
                    end,
                    [row] if row is not None else [],
                    per_day=False,
                )
            )
        return stretches

    def _buckets(
        self, patient_ids: Sequence[uuid.UUID], start: date, end: date, lengths: Sequence[int]
    ) -> dict[uuid.UUID, dict[int, Row[Any]]]:
        """The counts of each patient's dates `start`..`end`, bucketed by days back from `end`:
        bucket i holds the dates at least `lengths[i - 1]` (0 for the first) and fewer than
        `lengths[i]` days back."""
        params = {
            "patient_ids": list(patient_ids),
            "start": start,
            "end": end,
            "edges": list(lengths[:-1]),
            "now": self.clock(),
        }
        by_patient: dict[uuid.UUID, dict[int, Row[Any]]] = {pid: {} for pid in patient_ids}
        for row in self.db.execute(_ADHERENCE_BUCKETS, params):
            by_patient[row.patient_id][row.bucket] = row
        return by_patient

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
        now = self.clock()
        event = self.record(
            occurrence,
            decision.status,
            source=DoseSource.REMOTE,
            at=decision.decided_at or now,
            received_at=now,
            decided_by=decided_by,
            skip_reason=decision.skip_reason,
        )
        self.db.commit()
        return occurrence, event

    def record(
        self,
        occurrence: DoseOccurrence,
        status: DoseStatus,
        *,
        source: DoseSource,
        at: datetime,
        received_at: datetime | None = None,
        decided_by: uuid.UUID | None = None,
        device_pk: uuid.UUID | None = None,
        skip_reason: str | None = None,
    ) -> DoseEventLog:
        """Record a decision about `occurrence` in the caller's transaction: the event, the
        occurrence's new state and its day marked stale."""
        event = DoseEventLog(
            id=uuid.uuid4(),
            occurrence_id=occurrence.id,
            patient_id=occurrence.patient_id,
            device_pk=device_pk,
            recorded_by_user_id=decided_by,
            status=status,
            source=source,
            decided_at=at,
            received_at=received_at or at,
            as_needed=occurrence.as_needed,
            skip_reason=skip_reason,
        )
        self.db.add(event)
        self.db.flush()
        occurrence.status = status
        occurrence.decided_at = event.decided_at
        occurrence.source = source
        occurrence.decided_by_event_id = event.id
        mark_days_stale(self.db, [(occurrence.patient_id, occurrence.local_date)])
        return event
