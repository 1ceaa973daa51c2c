"""Device actions and local answers, shared by the buttons and the voice dialog.

Each call is thread-safe (it takes the device's lock), records what it did in one transaction
with its outbox message, and returns a small result with the text to speak. Nothing here
speaks: the caller (button handler or dialog manager) says `result.text`. The actions see the
device only through a `DeviceContext`, so they do not depend on the agent that wires them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from edge_agent import journal, phrases
from edge_agent.clock import Clock
from edge_agent.day_parts import PartOfDay, parse_part_of_day
from edge_agent.reminders import ReminderEngine
from edge_agent.store import OccurrenceRecord, Store, facts
from edge_agent.store import occurrences as occ
from shared.enums import AlertLevel, AlertType, DoseSource, Severity
from shared.messages import InteractionBody, MedQuestionBody, SymptomBody
from shared.plan import PlanItem


@dataclass(frozen=True)
class DeviceContext:
    """What the actions use of the device: its lock, records, reminders and clock."""

    lock: threading.RLock
    store: Store
    engine: ReminderEngine
    clock: Clock
    home_zone: ZoneInfo  # the configured zone, until a plan brings the patient's own
    snooze_minutes: float
    catch_up: Callable[[], None]  # bring every occurrence up to the clock
    refresh: Callable[[], None]  # re-arm the wake timer and update the LED

    @property
    def zone(self) -> ZoneInfo:
        """The patient's zone: the plan's, else the configured one."""
        plan = self.store.current_plan()
        return plan.zone if plan is not None else self.home_zone

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.zone)


@dataclass(frozen=True)
class ActionResult:
    """What an action did: whether it changed anything, and what to say."""

    ok: bool
    text: str
    occurrence_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class DoseInfo:
    """One dose as the local answers describe it."""

    medication_name: str
    dose: float
    unit: str
    local_date: date
    local_time: str
    status: str
    due_at: datetime

    @classmethod
    def of(cls, record: OccurrenceRecord) -> DoseInfo:
        return cls(
            record.medication_name,
            record.dose,
            record.unit,
            record.local_date,
            record.local_time,
            record.state.value,
            record.due_at,
        )

    @property
    def taken(self) -> bool:
        return self.status in ("on_time", "late")


@dataclass(frozen=True)
class Answer:
    """A local answer: the text to say and the doses it is about."""

    text: str
    doses: tuple[DoseInfo, ...] = ()


def _matches(name: str, wanted: str) -> bool:
    name, wanted = name.lower(), wanted.lower().strip()
    return bool(wanted) and (wanted in name or name in wanted)


class Actions:
    """What the patient can do and ask, on the device's own records."""

    def __init__(self, context: DeviceContext) -> None:
        self.context = context

    # -- doses -----------------------------------------------------------------------------

    def take_due(self, source: DoseSource = DoseSource.VOICE) -> ActionResult:
        """Record every dose due now as taken (one answer covers them all)."""
        with self.context.lock:
            self.context.catch_up()
            due = self.context.engine.open_doses()
            if not due:
                return ActionResult(False, phrases.NOTHING_DUE)
            done = self.context.engine.take(due, source)
            self.context.refresh()
            return ActionResult(
                bool(done), phrases.taken(done), tuple(r.occurrence_id for r in done)
            )

    def skip_due(self, reason: str, source: DoseSource = DoseSource.VOICE) -> ActionResult:
        """Record every dose due now as skipped, with the patient's reason."""
        with self.context.lock:
            self.context.catch_up()
            due = self.context.engine.open_doses()
            if not due:
                return ActionResult(False, phrases.NOTHING_DUE)
            done = self.context.engine.skip(due, source, reason or "no reason given")
            self.context.refresh()
            return ActionResult(
                bool(done), phrases.skipped(done), tuple(r.occurrence_id for r in done)
            )

    def snooze_due(self) -> ActionResult:
        """Snooze the reminded doses, unless they used up their snoozes."""
        with self.context.lock:
            self.context.catch_up()
            reminded = self.context.engine.reminded_doses()
            if not reminded:
                return ActionResult(False, phrases.NOTHING_DUE)
            done = self.context.engine.snooze(reminded)
            self.context.refresh()
            if not done:
                return ActionResult(False, phrases.no_more_snoozes(reminded))
            minutes = self.context.snooze_minutes
            return ActionResult(
                True, phrases.snoozed(minutes), tuple(r.occurrence_id for r in done)
            )

    def take_as_needed(
        self, medication: str, source: DoseSource = DoseSource.VOICE
    ) -> ActionResult:
        """Take an as-needed medication by name, within its max-per-day."""
        with self.context.lock:
            plan = self.context.store.current_plan()
            items = self.as_needed_items()
            item = next((i for i in items if _matches(i.medication_name, medication)), None)
            if plan is None or item is None:
                return ActionResult(False, f"{medication} is not one of your as-needed medicines.")
            now = self.context.clock.now()
            today = now.astimezone(plan.zone).date()
            with self.context.store.transaction() as db:
                count = facts.as_needed_count(db, item.item_id, today)
                if item.max_per_day is not None and count >= item.max_per_day:
                    journal.record_alert(
                        self.context.store,
                        db,
                        AlertType.MAX_DOSE_REACHED,
                        AlertLevel.WARNING,
                        f"Asked for {item.medication_name} after {count} of "
                        f"{item.max_per_day} allowed today.",
                        at=now,
                    )
                    return ActionResult(
                        False,
                        f"You have already had {count} doses of {item.medication_name} today, "
                        f"the most allowed. Please do not take more; I let your caregiver know.",
                    )
                body = journal.record_as_needed(
                    self.context.store, db, plan, item, at=now, source=source
                )
                taken = facts.as_needed_count(db, item.item_id, today)
            return ActionResult(True, self._as_needed_text(item, taken), (body.occurrence_id,))

    def as_needed_items(self) -> list[PlanItem]:
        """The current plan's as-needed medications that are not paused, in plan order."""
        plan = self.context.store.current_plan()
        if plan is None:
            return []
        return [item for item in plan.items if item.as_needed and not item.paused]

    @staticmethod
    def _as_needed_text(item: PlanItem, taken: int) -> str:
        text = f"I recorded {item.medication_name}, {item.dose:g} {item.unit}."
        if item.max_per_day is not None:
            left = item.max_per_day - taken
            text += f" That is {taken} of {item.max_per_day} today; {left} left."
        return text

    # -- reports ---------------------------------------------------------------------------

    def log_symptom(
        self,
        symptom: str,
        *,
        severity: Severity | None = None,
        body_part: str | None = None,
        note: str = "",
        conversation_id: UUID | None = None,
    ) -> ActionResult:
        """Log a symptom (a severe one also raises an alert for the caregiver)."""
        with self.context.lock:
            now = self.context.clock.now()
            body = SymptomBody(
                symptom_id=uuid.uuid4(),
                conversation_id=conversation_id,
                reported_at=now,
                symptom=symptom[:120],
                body_part=body_part[:120] if body_part else None,
                severity=severity,
                note=note[:2000],
            )
            with self.context.store.transaction() as db:
                journal.record_symptom(self.context.store, db, body)
                if severity is Severity.SEVERE:
                    journal.record_alert(
                        self.context.store,
                        db,
                        AlertType.SYMPTOM,
                        AlertLevel.WARNING,
                        f"Severe symptom reported: {body.symptom}.",
                        at=now,
                        conversation_id=conversation_id,
                    )
            text = f"I noted your {body.symptom}."
            if severity is Severity.SEVERE:
                text += " I let your caregiver know."
            return ActionResult(True, text)

    def raise_alert(
        self,
        alert_type: AlertType,
        level: AlertLevel,
        message: str,
        *,
        occurrence_id: UUID | None = None,
        conversation_id: UUID | None = None,
    ) -> ActionResult:
        """Raise an alert for a person."""
        with self.context.lock, self.context.store.transaction() as db:
            journal.record_alert(
                self.context.store,
                db,
                alert_type,
                level,
                message[:2000],
                at=self.context.clock.now(),
                occurrence_id=occurrence_id,
                conversation_id=conversation_id,
            )
        return ActionResult(True, "I let your caregiver know.")

    def emergency(self, message: str, *, conversation_id: UUID | None = None) -> ActionResult:
        """A CRITICAL emergency alert (help button held, or an emergency phrase heard)."""
        self.raise_alert(
            AlertType.EMERGENCY, AlertLevel.CRITICAL, message, conversation_id=conversation_id
        )
        return ActionResult(True, phrases.EMERGENCY)

    def record_interaction(self, body: InteractionBody) -> None:
        """Keep a spoken exchange (local row + outbox)."""
        with self.context.lock, self.context.store.transaction() as db:
            journal.record_interaction(self.context.store, db, body)

    def record_question(
        self,
        question: str,
        answer: str,
        *,
        medication_name: str | None = None,
        time_reference: str | None = None,
        conversation_id: UUID | None = None,
    ) -> MedQuestionBody:
        """Keep a medication question and the answer given (local row + outbox)."""
        body = MedQuestionBody(
            question_id=uuid.uuid4(),
            conversation_id=conversation_id,
            asked_at=self.context.clock.now(),
            question=question[:2000],
            answer=answer[:2000],
            medication_name=medication_name[:120] if medication_name else None,
            time_reference=time_reference[:120] if time_reference else None,
        )
        with self.context.lock, self.context.store.transaction() as db:
            journal.record_question(self.context.store, db, body)
        return body

    # -- local answers ---------------------------------------------------------------------

    def due_now(self) -> Answer:
        """What is due now (reminded and not yet answered, or in the early window)."""
        with self.context.lock:
            self.context.catch_up()
            due = self.context.engine.open_doses()
        if not due:
            return Answer(phrases.NOTHING_DUE)
        return Answer(f"Now you take {phrases.dose_labels(due)}.", tuple(map(DoseInfo.of, due)))

    def next_dose(self) -> Answer:
        """The next scheduled dose time and what is taken then."""
        now = self.context.clock.now()
        with self.context.lock, self.context.store.transaction() as db:
            upcoming = occ.pending_after(db, now)
        if not upcoming:
            return Answer("You have no more doses scheduled.")
        first = upcoming[0].due_at
        batch = [r for r in upcoming if r.due_at == first]
        local = first.astimezone(self.context.zone)
        when = self._when(local.date(), local.strftime("%H:%M"))
        text = f"Next, {when}: {phrases.dose_labels(batch)}."
        return Answer(text, tuple(map(DoseInfo.of, batch)))

    def taken_at(self, part: PartOfDay | str, day: date | None = None) -> Answer:
        """What the patient takes in a part of the day (today unless `day` is given)."""
        resolved = part if isinstance(part, PartOfDay) else parse_part_of_day(part)
        if resolved is None:
            return Answer(f"I do not know which part of the day {part!r} is.")
        records = self._doses_in(resolved, day)
        name = "today" if resolved is PartOfDay.TODAY else f"in the {resolved.value}"
        if resolved is PartOfDay.TONIGHT:
            name = "tonight"
        if not records:
            return Answer(f"You have no scheduled doses {name}.")
        parts = [f"{r.label} at {r.local_time}" for r in records]
        return Answer(
            f"{name.capitalize()} you take {phrases.say_list(parts)}.",
            tuple(map(DoseInfo.of, records)),
        )

    def was_taken_today(
        self, medication: str | None = None, part: PartOfDay | str | None = None
    ) -> Answer:
        """Whether today's dose(s) of a medication and/or part of the day were taken."""
        resolved = parse_part_of_day(part) if isinstance(part, str) else part
        records = self._doses_in(resolved or PartOfDay.TODAY, None)
        if medication:
            records = [r for r in records if _matches(r.medication_name, medication)]
        taken_today = self._as_needed_today(medication)
        if not records and not taken_today:
            what = medication or (resolved.value if resolved else "that")
            return Answer(f"There is no dose of {what} today.")
        lines = []
        for r in records:
            if r.state.is_final and r.state.dose_status.is_taken:
                lines.append(f"{r.label} at {r.local_time}: taken")
            elif r.state.is_final:
                lines.append(f"{r.label} at {r.local_time}: {r.state.value}")
            elif r.due_at > self.context.clock.now():
                lines.append(f"{r.label} at {r.local_time}: not due yet")
            else:
                lines.append(f"{r.label} at {r.local_time}: not taken yet")
        lines.extend(taken_today)
        return Answer(phrases.say_list(lines) + ".", tuple(map(DoseInfo.of, records)))

    def _as_needed_today(self, medication: str | None) -> list[str]:
        today = self.context.local_now().date()
        with self.context.lock, self.context.store.transaction() as db:
            taken = facts.as_needed_taken_on(db, today)
        zone = self.context.zone
        return [
            f"{dose.medication_name} as needed at {dose.taken_at.astimezone(zone):%H:%M}"
            for dose in taken
            if medication is None or _matches(dose.medication_name, medication)
        ]

    def _doses_in(self, part: PartOfDay, day: date | None) -> list[OccurrenceRecord]:
        today = day or self.context.local_now().date()
        with self.context.lock, self.context.store.transaction() as db:
            scheduled = occ.on_date(db, today)
        return [r for r in scheduled if part.contains(time.fromisoformat(r.local_time))]

    def _when(self, local_date: date, local_time: str) -> str:
        today = self.context.local_now().date()
        if local_date == today:
            return f"today at {local_time}"
        if (local_date - today).days == 1:
            return f"tomorrow at {local_time}"
        return f"on {local_date:%A} at {local_time}"
