"""Imports every model module so `Base.metadata` knows all tables (migrations, tests)."""

from __future__ import annotations

from cloud.alerts.models import AlertLog, AlertStatus
from cloud.audit.models import AccessLogEntry
from cloud.conversations.models import Conversation, InteractionLog, LlmRequest
from cloud.db.base import Base
from cloud.devices.models import Device, DeviceCredential, DeviceEvent, DeviceHeartbeat
from cloud.doses.models import DoseEventLog, DoseOccurrence
from cloud.embeddings.models import Embedding
from cloud.ingest.models import DeadLetter, IngestedMessage
from cloud.insights.models import HealthInsight
from cloud.invitations.models import Invitation
from cloud.medications.models import Medication
from cloud.notifications.models import (
    ChannelKind,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
)
from cloud.patients.models import Caregiver, Doctor, Patient, PatientCaregiver, PatientDoctor
from cloud.plans.models import MedicationPlan, MedicationPlanItem
from cloud.questions.models import MedicationQuestionLog
from cloud.reports.models import HealthReport
from cloud.summaries.models import DailyPatientSummary, WeeklyPatientSummary
from cloud.symptoms.models import SymptomLog
from cloud.users.models import AuthSession, LoginThrottle, PasswordResetToken, User
from cloud.web.models import WebSession

__all__ = [
    "AccessLogEntry",
    "AlertLog",
    "AlertStatus",
    "AuthSession",
    "Base",
    "Caregiver",
    "ChannelKind",
    "Conversation",
    "DailyPatientSummary",
    "DeadLetter",
    "DeliveryStatus",
    "Device",
    "DeviceCredential",
    "DeviceEvent",
    "DeviceHeartbeat",
    "Doctor",
    "DoseEventLog",
    "DoseOccurrence",
    "Embedding",
    "HealthInsight",
    "HealthReport",
    "IngestedMessage",
    "InteractionLog",
    "Invitation",
    "LlmRequest",
    "LoginThrottle",
    "Medication",
    "MedicationPlan",
    "MedicationPlanItem",
    "MedicationQuestionLog",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationEvent",
    "PasswordResetToken",
    "Patient",
    "PatientCaregiver",
    "PatientDoctor",
    "SymptomLog",
    "User",
    "WebSession",
    "WeeklyPatientSummary",
]
