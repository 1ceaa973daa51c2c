"""Initial schema: every table of the cloud.

The embedding vector is a pgvector `vector` when the server has the extension, else
`double precision[]` (see cloud.embeddings.models).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 03:18:12.726249
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class _PgVector(sa.types.UserDefinedType[list[float]]):
    """pgvector's `vector` (no fixed dimension), used only to create the column."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "vector"


def _has_pgvector() -> bool:
    found = op.get_bind().execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    )
    return found.first() is not None


def _vector_type() -> sa.types.TypeEngine[Any]:
    if _has_pgvector():
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return _PgVector()
    return postgresql.ARRAY(sa.Double())


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index(op.f("ix_dead_letters_device_id"), "dead_letters", ["device_id"], unique=False)
    op.create_index(
        op.f("ix_dead_letters_received_at"), "dead_letters", ["received_at"], unique=False
    )
    op.create_table(
        "ingested_messages",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clock_synced", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_ingested_messages")),
    )
    op.create_index(
        op.f("ix_ingested_messages_device_id_seq"),
        "ingested_messages",
        ["device_id", "seq"],
        unique=False,
    )
    op.create_table(
        "users",
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "doctor", "caregiver", "patient", name="role", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_role"), "users", ["role"], unique=False)
    op.create_table(
        "caregivers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_caregivers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caregivers")),
        sa.UniqueConstraint("user_id", name=op.f("uq_caregivers_user_id")),
    )
    op.create_table(
        "doctors",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("specialty", sa.Text(), nullable=True),
        sa.Column("license_number", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_doctors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_doctors_user_id")),
    )
    op.create_table(
        "notification_channels",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("webhook", "email", "in_app", name="channelkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_channels_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
        sa.UniqueConstraint(
            "user_id", "kind", "target", name=op.f("uq_notification_channels_user_id_kind_target")
        ),
    )
    op.create_table(
        "patients",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("timezone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_patients_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_patients_user_id")),
    )
    op.create_table(
        "daily_patient_summaries",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("summary_date", sa.Date(), nullable=False),
        sa.Column("scheduled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("on_time", sa.Integer(), server_default="0", nullable=False),
        sa.Column("late", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pending", sa.Integer(), server_default="0", nullable=False),
        sa.Column("adherence_pct", sa.Double(), nullable=True),
        sa.Column("on_time_pct", sa.Double(), nullable=True),
        sa.Column("mean_minutes_late", sa.Double(), nullable=True),
        sa.Column("as_needed_doses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("symptoms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("alerts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stale", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_daily_patient_summaries_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_patient_summaries")),
        sa.UniqueConstraint(
            "patient_id",
            "summary_date",
            name=op.f("uq_daily_patient_summaries_patient_id_summary_date"),
        ),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("online", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_version_applied", sa.Integer(), nullable=True),
        sa.Column("software_version", sa.Text(), nullable=True),
        sa.Column("clock_offset_s", sa.Double(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.Column("provisioned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_devices_patient_id_patients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("device_id", name=op.f("uq_devices_device_id")),
    )
    op.create_index(op.f("ix_devices_patient_id"), "devices", ["patient_id"], unique=False)
    op.create_table(
        "embeddings",
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("vector", _vector_type(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_embeddings_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint(
            "source_table",
            "source_id",
            "model",
            name=op.f("uq_embeddings_source_table_source_id_model"),
        ),
    )
    op.create_index(op.f("ix_embeddings_patient_id"), "embeddings", ["patient_id"], unique=False)
    op.create_table(
        "health_insights",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column(
            "severity",
            sa.Enum("info", "warning", "critical", name="alertlevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "evidence", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_health_insights_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_insights")),
        sa.UniqueConstraint(
            "patient_id",
            "kind",
            "period_start",
            "period_end",
            name=op.f("uq_health_insights_patient_id_kind_period_start_period_end"),
        ),
    )
    op.create_index(
        op.f("ix_health_insights_patient_id_period_end"),
        "health_insights",
        ["patient_id", "period_end"],
        unique=False,
    )
    op.create_table(
        "health_reports",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("range_start", sa.Date(), nullable=False),
        sa.Column("range_end", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_user_id"],
            ["users.id"],
            name=op.f("fk_health_reports_generated_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_health_reports_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_reports")),
    )
    op.create_index(
        op.f("ix_health_reports_patient_id_generated_at"),
        "health_reports",
        ["patient_id", "generated_at"],
        unique=False,
    )
    op.create_table(
        "medication_plans",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_medication_plans_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_medication_plans_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_plans")),
        sa.UniqueConstraint("plan_id", "version", name=op.f("uq_medication_plans_plan_id_version")),
    )
    op.create_index(
        op.f("ix_medication_plans_patient_id"), "medication_plans", ["patient_id"], unique=False
    )
    op.create_index(
        "uq_medication_plans_current_patient",
        "medication_plans",
        ["patient_id"],
        unique=True,
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "medications",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("strength", sa.Text(), nullable=True),
        sa.Column("form", sa.Text(), nullable=True),
        sa.Column("instructions", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("quantity_dispensed", sa.Double(), nullable=True),
        sa.Column("dispensed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quantity_per_dose", sa.Double(), server_default="1", nullable=False),
        sa.Column("low_stock_days", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_medications_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medications")),
    )
    op.create_index(op.f("ix_medications_patient_id"), "medications", ["patient_id"], unique=False)
    op.create_table(
        "patient_caregiver",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("caregiver_id", sa.Uuid(), nullable=False),
        sa.Column("relationship", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["caregiver_id"],
            ["caregivers.id"],
            name=op.f("fk_patient_caregiver_caregiver_id_caregivers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_caregiver_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_caregiver")),
        sa.UniqueConstraint(
            "patient_id", "caregiver_id", name=op.f("uq_patient_caregiver_patient_id_caregiver_id")
        ),
    )
    op.create_index(
        op.f("ix_patient_caregiver_caregiver_id"),
        "patient_caregiver",
        ["caregiver_id"],
        unique=False,
    )
    op.create_table(
        "patient_doctor",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.id"],
            name=op.f("fk_patient_doctor_doctor_id_doctors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_doctor_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_doctor")),
        sa.UniqueConstraint(
            "patient_id", "doctor_id", name=op.f("uq_patient_doctor_patient_id_doctor_id")
        ),
    )
    op.create_index(
        op.f("ix_patient_doctor_doctor_id"), "patient_doctor", ["doctor_id"], unique=False
    )
    op.create_table(
        "weekly_patient_summaries",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("scheduled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("on_time", sa.Integer(), server_default="0", nullable=False),
        sa.Column("late", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pending", sa.Integer(), server_default="0", nullable=False),
        sa.Column("adherence_pct", sa.Double(), nullable=True),
        sa.Column("on_time_pct", sa.Double(), nullable=True),
        sa.Column("mean_minutes_late", sa.Double(), nullable=True),
        sa.Column("as_needed_doses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("symptoms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("alerts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stale", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_weekly_patient_summaries_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_patient_summaries")),
        sa.UniqueConstraint(
            "patient_id",
            "week_start",
            name=op.f("uq_weekly_patient_summaries_patient_id_week_start"),
        ),
    )
    op.create_table(
        "alert_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("device_pk", sa.Uuid(), nullable=True),
        sa.Column(
            "alert_type",
            sa.Enum(
                "missed_dose",
                "overdue_dose",
                "emergency",
                "device_offline",
                "low_stock",
                "symptom",
                "max_dose_reached",
                name="alerttype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum("info", "warning", "critical", name="alertlevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open", "acknowledged", "resolved", name="alertstatus", native_enum=False, length=32
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("source", sa.Text(), server_default="device", nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause_key", sa.Text(), nullable=True),
        sa.Column("occurrence_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("escalation_step", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_escalation_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_alert_logs_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_alert_logs_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_alert_logs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_alert_logs_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_logs")),
    )
    op.create_index(
        "ix_alert_logs_escalation_due",
        "alert_logs",
        ["next_escalation_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        op.f("ix_alert_logs_patient_id_raised_at"),
        "alert_logs",
        ["patient_id", "raised_at"],
        unique=False,
    )
    op.create_index(
        "uq_alert_logs_unresolved_cause_key",
        "alert_logs",
        ["cause_key"],
        unique=True,
        postgresql_where=sa.text("status <> 'resolved'"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("device_pk", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.Text(), server_default="device", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_conversations_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_conversations_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(
        op.f("ix_conversations_patient_id_started_at"),
        "conversations",
        ["patient_id", "started_at"],
        unique=False,
    )
    op.create_table(
        "device_credentials",
        sa.Column("device_pk", sa.Uuid(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("broker_password_hash", sa.Text(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_device_credentials_device_pk_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_credentials")),
        sa.UniqueConstraint("device_pk", name=op.f("uq_device_credentials_device_pk")),
        sa.UniqueConstraint("username", name=op.f("uq_device_credentials_username")),
    )
    op.create_table(
        "device_events",
        sa.Column("device_pk", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_device_events_device_pk_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_events")),
        sa.UniqueConstraint("message_id", name=op.f("uq_device_events_message_id")),
    )
    op.create_index(
        op.f("ix_device_events_device_pk_occurred_at"),
        "device_events",
        ["device_pk", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "device_heartbeats",
        sa.Column("device_pk", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uptime_s", sa.Double(), nullable=False),
        sa.Column("outbox_depth", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=True),
        sa.Column("software_version", sa.Text(), nullable=False),
        sa.Column("clock_synced", sa.Boolean(), nullable=False),
        sa.Column("clock_offset_s", sa.Double(), nullable=True),
        sa.Column(
            "voice_models",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_device_heartbeats_device_pk_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_heartbeats")),
        sa.UniqueConstraint("message_id", name=op.f("uq_device_heartbeats_message_id")),
    )
    op.create_index(
        op.f("ix_device_heartbeats_device_pk_received_at"),
        "device_heartbeats",
        ["device_pk", "received_at"],
        unique=False,
    )
    op.create_table(
        "dose_occurrences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version_id", sa.Uuid(), nullable=True),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("medication_name", sa.Text(), nullable=False),
        sa.Column("dose", sa.Double(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("slot", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missed_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_needed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "on_time",
                "late",
                "missed",
                "skipped",
                name="dosestatus",
                native_enum=False,
                length=32,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "button",
                "voice",
                "timeout",
                "remote",
                name="dosesource",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decided_by_event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_dose_occurrences_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["medication_plans.id"],
            name=op.f("fk_dose_occurrences_plan_version_id_medication_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_occurrences")),
    )
    op.create_index(
        op.f("ix_dose_occurrences_patient_id_due_at"),
        "dose_occurrences",
        ["patient_id", "due_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_dose_occurrences_patient_id_local_date"),
        "dose_occurrences",
        ["patient_id", "local_date"],
        unique=False,
    )
    op.create_index(
        "ix_dose_occurrences_pending_missed_after",
        "dose_occurrences",
        ["missed_after"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        op.f("ix_dose_occurrences_plan_version_id"),
        "dose_occurrences",
        ["plan_version_id"],
        unique=False,
    )
    op.create_table(
        "medication_plan_items",
        sa.Column("plan_version_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("medication_id", sa.Uuid(), nullable=True),
        sa.Column("medication_name", sa.Text(), nullable=False),
        sa.Column("dose", sa.Double(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("instructions", sa.Text(), server_default="", nullable=False),
        sa.Column("times_of_day", sa.ARRAY(sa.String(length=5)), nullable=False),
        sa.Column("days_of_week", sa.ARRAY(sa.String(length=3)), nullable=False),
        sa.Column("every_n_days", sa.Integer(), server_default="1", nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("as_needed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("on_time_minutes", sa.Integer(), server_default="15", nullable=False),
        sa.Column("late_window_minutes", sa.Integer(), server_default="120", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medications.id"],
            name=op.f("fk_medication_plan_items_medication_id_medications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["medication_plans.id"],
            name=op.f("fk_medication_plan_items_plan_version_id_medication_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_plan_items")),
        sa.UniqueConstraint(
            "plan_version_id",
            "item_id",
            name=op.f("uq_medication_plan_items_plan_version_id_item_id"),
        ),
    )
    op.create_index(
        op.f("ix_medication_plan_items_item_id"), "medication_plan_items", ["item_id"], unique=False
    )
    op.create_index(
        op.f("ix_medication_plan_items_medication_id"),
        "medication_plan_items",
        ["medication_id"],
        unique=False,
    )
    op.create_table(
        "medication_question_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("device_pk", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("medication_name", sa.Text(), nullable=True),
        sa.Column("time_reference", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_medication_question_logs_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_medication_question_logs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_question_logs")),
    )
    op.create_index(
        op.f("ix_medication_question_logs_patient_id_asked_at"),
        "medication_question_logs",
        ["patient_id", "asked_at"],
        unique=False,
    )
    op.create_table(
        "symptom_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("device_pk", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("body_part", sa.Text(), nullable=True),
        sa.Column(
            "severity",
            sa.Enum("mild", "moderate", "severe", name="severity", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_symptom_logs_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_symptom_logs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_symptom_logs")),
    )
    op.create_index(
        op.f("ix_symptom_logs_patient_id_reported_at"),
        "symptom_logs",
        ["patient_id", "reported_at"],
        unique=False,
    )
    op.create_table(
        "dose_event_logs",
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("occurrence_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("device_pk", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "on_time",
                "late",
                "missed",
                "skipped",
                name="dosestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "button",
                "voice",
                "timeout",
                "remote",
                name="dosesource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_needed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("snoozes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_dose_event_logs_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["dose_occurrences.id"],
            name=op.f("fk_dose_event_logs_occurrence_id_dose_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_dose_event_logs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_dose_event_logs_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_event_logs")),
        sa.UniqueConstraint("message_id", name=op.f("uq_dose_event_logs_message_id")),
    )
    op.create_index(
        op.f("ix_dose_event_logs_occurrence_id"), "dose_event_logs", ["occurrence_id"], unique=False
    )
    op.create_index(
        op.f("ix_dose_event_logs_patient_id_decided_at"),
        "dose_event_logs",
        ["patient_id", "decided_at"],
        unique=False,
    )
    # Occurrences and events refer to each other; this side is added once both exist.
    op.create_foreign_key(
        "fk_occ_decided_by",
        "dose_occurrences",
        "dose_event_logs",
        ["decided_by_event_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "interaction_logs",
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("stt_engine", sa.Text(), nullable=True),
        sa.Column("stt_latency_ms", sa.Double(), nullable=True),
        sa.Column(
            "intent",
            sa.Enum(
                "report_dose_taken",
                "skip_dose",
                "medication_question",
                "log_symptom",
                "emergency",
                "other",
                name="intent",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "understanding",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("understood_by", sa.Text(), server_default="rules", nullable=False),
        sa.Column("reply", sa.Text(), server_default="", nullable=False),
        sa.Column("latency_ms", sa.Double(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_interaction_logs_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_interaction_logs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_logs")),
        sa.UniqueConstraint("message_id", name=op.f("uq_interaction_logs_message_id")),
    )
    op.create_index(
        op.f("ix_interaction_logs_conversation_id"),
        "interaction_logs",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interaction_logs_intent"), "interaction_logs", ["intent"], unique=False
    )
    op.create_index(
        op.f("ix_interaction_logs_patient_id_started_at"),
        "interaction_logs",
        ["patient_id", "started_at"],
        unique=False,
    )
    op.create_table(
        "notification_events",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("info", "warning", "critical", name="alertlevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("dedupe_key", sa.Text(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert_logs.id"],
            name=op.f("fk_notification_events_alert_id_alert_logs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_notification_events_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_events_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_events_dedupe_key")),
    )
    op.create_index(
        op.f("ix_notification_events_alert_id"), "notification_events", ["alert_id"], unique=False
    )
    op.create_index(
        op.f("ix_notification_events_patient_id"),
        "notification_events",
        ["patient_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_notification_events_user_id_created_at"),
        "notification_events",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "llm_requests",
        sa.Column("interaction_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("model_version", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
        sa.Column("latency_ms", sa.Double(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction_logs.id"],
            name=op.f("fk_llm_requests_interaction_id_interaction_logs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_llm_requests_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_requests")),
    )
    op.create_index(
        op.f("ix_llm_requests_interaction_id"), "llm_requests", ["interaction_id"], unique=False
    )
    op.create_index(
        op.f("ix_llm_requests_patient_id"), "llm_requests", ["patient_id"], unique=False
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "sent", "failed", name="deliverystatus", native_enum=False, length=32
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["notification_channels.id"],
            name=op.f("fk_notification_deliveries_channel_id_notification_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["notification_events.id"],
            name=op.f("fk_notification_deliveries_event_id_notification_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint(
            "event_id", "channel_id", name=op.f("uq_notification_deliveries_event_id_channel_id")
        ),
    )
    op.create_index(
        op.f("ix_notification_deliveries_channel_id"),
        "notification_deliveries",
        ["channel_id"],
        unique=False,
    )
    op.create_index(
        "ix_notification_deliveries_due",
        "notification_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_notification_deliveries_due",
        table_name="notification_deliveries",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(
        op.f("ix_notification_deliveries_channel_id"), table_name="notification_deliveries"
    )
    op.drop_table("notification_deliveries")
    op.drop_index(op.f("ix_llm_requests_patient_id"), table_name="llm_requests")
    op.drop_index(op.f("ix_llm_requests_interaction_id"), table_name="llm_requests")
    op.drop_table("llm_requests")
    op.drop_index(
        op.f("ix_notification_events_user_id_created_at"), table_name="notification_events"
    )
    op.drop_index(op.f("ix_notification_events_patient_id"), table_name="notification_events")
    op.drop_index(op.f("ix_notification_events_alert_id"), table_name="notification_events")
    op.drop_table("notification_events")
    op.drop_index(op.f("ix_interaction_logs_patient_id_started_at"), table_name="interaction_logs")
    op.drop_index(op.f("ix_interaction_logs_intent"), table_name="interaction_logs")
    op.drop_index(op.f("ix_interaction_logs_conversation_id"), table_name="interaction_logs")
    op.drop_table("interaction_logs")
    op.drop_constraint("fk_occ_decided_by", "dose_occurrences", type_="foreignkey")
    op.drop_index(op.f("ix_dose_event_logs_patient_id_decided_at"), table_name="dose_event_logs")
    op.drop_index(op.f("ix_dose_event_logs_occurrence_id"), table_name="dose_event_logs")
    op.drop_table("dose_event_logs")
    op.drop_index(op.f("ix_symptom_logs_patient_id_reported_at"), table_name="symptom_logs")
    op.drop_table("symptom_logs")
    op.drop_index(
        op.f("ix_medication_question_logs_patient_id_asked_at"),
        table_name="medication_question_logs",
    )
    op.drop_table("medication_question_logs")
    op.drop_index(
        op.f("ix_medication_plan_items_medication_id"), table_name="medication_plan_items"
    )
    op.drop_index(op.f("ix_medication_plan_items_item_id"), table_name="medication_plan_items")
    op.drop_table("medication_plan_items")
    op.drop_index(op.f("ix_dose_occurrences_plan_version_id"), table_name="dose_occurrences")
    op.drop_index(
        "ix_dose_occurrences_pending_missed_after",
        table_name="dose_occurrences",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_dose_occurrences_patient_id_local_date"), table_name="dose_occurrences")
    op.drop_index(op.f("ix_dose_occurrences_patient_id_due_at"), table_name="dose_occurrences")
    op.drop_table("dose_occurrences")
    op.drop_index(
        op.f("ix_device_heartbeats_device_pk_received_at"), table_name="device_heartbeats"
    )
    op.drop_table("device_heartbeats")
    op.drop_index(op.f("ix_device_events_device_pk_occurred_at"), table_name="device_events")
    op.drop_table("device_events")
    op.drop_table("device_credentials")
    op.drop_index(op.f("ix_conversations_patient_id_started_at"), table_name="conversations")
    op.drop_table("conversations")
    op.drop_index(
        "uq_alert_logs_unresolved_cause_key",
        table_name="alert_logs",
        postgresql_where=sa.text("status <> 'resolved'"),
    )
    op.drop_index(op.f("ix_alert_logs_patient_id_raised_at"), table_name="alert_logs")
    op.drop_index(
        "ix_alert_logs_escalation_due",
        table_name="alert_logs",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_table("alert_logs")
    op.drop_table("weekly_patient_summaries")
    op.drop_index(op.f("ix_patient_doctor_doctor_id"), table_name="patient_doctor")
    op.drop_table("patient_doctor")
    op.drop_index(op.f("ix_patient_caregiver_caregiver_id"), table_name="patient_caregiver")
    op.drop_table("patient_caregiver")
    op.drop_index(op.f("ix_medications_patient_id"), table_name="medications")
    op.drop_table("medications")
    op.drop_index(
        "uq_medication_plans_current_patient",
        table_name="medication_plans",
        postgresql_where=sa.text("is_current"),
    )
    op.drop_index(op.f("ix_medication_plans_patient_id"), table_name="medication_plans")
    op.drop_table("medication_plans")
    op.drop_index(op.f("ix_health_reports_patient_id_generated_at"), table_name="health_reports")
    op.drop_table("health_reports")
    op.drop_index(op.f("ix_health_insights_patient_id_period_end"), table_name="health_insights")
    op.drop_table("health_insights")
    op.drop_index(op.f("ix_embeddings_patient_id"), table_name="embeddings")
    op.drop_table("embeddings")
    op.drop_index(op.f("ix_devices_patient_id"), table_name="devices")
    op.drop_table("devices")
    op.drop_table("daily_patient_summaries")
    op.drop_table("patients")
    op.drop_table("notification_channels")
    op.drop_table("doctors")
    op.drop_table("caregivers")
    op.drop_index(op.f("ix_users_role"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_ingested_messages_device_id_seq"), table_name="ingested_messages")
    op.drop_table("ingested_messages")
    op.drop_index(op.f("ix_dead_letters_received_at"), table_name="dead_letters")
    op.drop_index(op.f("ix_dead_letters_device_id"), table_name="dead_letters")
    op.drop_table("dead_letters")
