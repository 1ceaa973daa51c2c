"""Enumerations shared by the device, the cloud and the wire. Stored and sent by value."""

from __future__ import annotations

from enum import StrEnum


class DoseStatus(StrEnum):
    """How a scheduled dose occurrence ended up (PENDING until decided)."""

    PENDING = "pending"
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    SKIPPED = "skipped"

    @property
    def is_taken(self) -> bool:
        return self in (DoseStatus.ON_TIME, DoseStatus.LATE)

    @property
    def is_final(self) -> bool:
        return self is not DoseStatus.PENDING


class DoseSource(StrEnum):
    """What decided a dose: a button, the voice path, the window closing, or a person remotely."""

    BUTTON = "button"
    VOICE = "voice"
    TIMEOUT = "timeout"
    REMOTE = "remote"


class Intent(StrEnum):
    """What the understanding pass made of an utterance."""

    REPORT_DOSE_TAKEN = "report_dose_taken"
    SKIP_DOSE = "skip_dose"
    MEDICATION_QUESTION = "medication_question"
    LOG_SYMPTOM = "log_symptom"
    EMERGENCY = "emergency"
    OTHER = "other"


class Severity(StrEnum):
    """Severity of a reported symptom."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class AlertLevel(StrEnum):
    """How urgently an alert needs a person."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertType(StrEnum):
    """Why an alert was raised."""

    MISSED_DOSE = "missed_dose"
    OVERDUE_DOSE = "overdue_dose"
    EMERGENCY = "emergency"
    DEVICE_OFFLINE = "device_offline"
    LOW_STOCK = "low_stock"
    SYMPTOM = "symptom"
    MAX_DOSE_REACHED = "max_dose_reached"


class Role(StrEnum):
    """Roles of people using the REST API."""

    ADMIN = "admin"
    DOCTOR = "doctor"
    CAREGIVER = "caregiver"
    PATIENT = "patient"


class Weekday(StrEnum):
    """Days of the week as written in plans; `number` matches `date.weekday()`."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        return _WEEKDAY_NUMBERS[self]


_WEEKDAY_NUMBERS = {day: number for number, day in enumerate(Weekday)}


class Button(StrEnum):
    """The device's physical buttons."""

    TAKEN = "taken"
    SNOOZE = "snooze"
    TALK = "talk"
    HELP = "help"


class CommandName(StrEnum):
    """Commands the cloud may send down to a device."""

    SAY = "say"
    SYNC_NOW = "sync_now"


class PresenceState(StrEnum):
    """Retained presence on the status topic."""

    ONLINE = "online"
    OFFLINE = "offline"
