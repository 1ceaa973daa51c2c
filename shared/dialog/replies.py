"""The words both voices say. Each reply is built from what was actually done, so it never
claims an action that was not carried out."""

from __future__ import annotations

EMERGENCY = "I am calling for help now. Stay where you are; your caregiver is being alerted."
ASK_HELP = "Do you need help? Say yes or no, or press the help button."
HELP_CANCELLED = "All right, I will not call anyone. Press the help button if you need me."
HELP_UNCLEAR = "I could not tell, so to be safe I am alerting your caregiver now."
NOT_RECORDED = "All right, I have not marked anything as taken."
NOTHING_TO_RECORD = "Nothing is due right now, so I have not marked anything as taken."
ASK_AGAIN = "You can press taken when you have had it."
NOT_UNDERSTOOD = (
    "Sorry, I did not understand. You can tell me you took your pills, ask what you take, "
    "or tell me how you feel."
)


def confirm_dose(labels: str) -> str:
    """The confirmation that names what a yes will record."""
    return f"{labels}, taken now. Is that right? Say yes, or press taken."


def symptom_noted(symptom: str, *, caregiver_alerted: bool) -> str:
    text = f"I noted your {symptom}."
    return f"{text} I let your caregiver know." if caregiver_alerted else text


def skipped(labels: str, *, caregiver_notified: bool) -> str:
    text = f"All right. I recorded {labels} as skipped."
    return f"{text} I let your caregiver know." if caregiver_notified else text
