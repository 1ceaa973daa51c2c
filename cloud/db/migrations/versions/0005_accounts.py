"""Accounts and access audit: sessions, password resets, login throttles, invitations, and the
append-only access log, partitioned by month.

`access_log_ensure_partitions(first, months)` makes the monthly partitions from `first`'s month
on (the jobs keep it ahead of time; this migration makes this month and the next twelve). A row
trigger refuses UPDATE and DELETE on every partition, a statement trigger TRUNCATE: that holds
for any role but a superuser who drops the triggers, which is DDL, not data access.

Revision ID: 0005_accounts
Revises: 0002_months
Create Date: 2026-12-03 17:17:24.786478
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_accounts"
down_revision: str | None = "0002_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENSURE_PARTITIONS = """
CREATE FUNCTION access_log_ensure_partitions(first date, months integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month_start date;
    name text;
BEGIN
    FOR n IN 0 .. months - 1 LOOP
        month_start := date_trunc('month', first)::date + make_interval(months => n);
        name := 'access_log_p' || to_char(month_start, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF access_log FOR VALUES FROM (%L) TO (%L)',
            name,
            month_start::timestamptz,
            (month_start + interval '1 month')::timestamptz
        );
        -- A partition truncated by name escapes the parent's statement trigger.
        EXECUTE format(
            'CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON %I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()',
            name
        );
    END LOOP;
END
$$
"""

REFUSE_CHANGES = """
CREATE FUNCTION access_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "doctor", "caregiver", "patient", name="role", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", "at", name=op.f("pk_access_log")),
        postgresql_partition_by="RANGE (at)",
    )
    op.create_index("ix_access_log_patient_id_at", "access_log", ["patient_id", "at"], unique=False)
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("refresh_jti", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
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
            name=op.f("fk_auth_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"], unique=False)
    op.create_table(
        "password_reset_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_password_reset_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_password_reset_tokens_user_id"), "password_reset_tokens", ["user_id"], unique=False
    )
    op.create_table(
        "invitations",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "doctor", "caregiver", "patient", name="role", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("relationship", sa.Text(), nullable=True),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
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
            ["accepted_by"],
            ["users.id"],
            name=op.f("fk_invitations_accepted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_invitations_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_patient_id"), "invitations", ["patient_id"], unique=False)
    op.execute(REFUSE_CHANGES)
    op.execute(ENSURE_PARTITIONS)
    op.execute("SELECT access_log_ensure_partitions(current_date, 13)")
    op.execute(
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log"
        " FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_invitations_patient_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_index(op.f("ix_password_reset_tokens_user_id"), table_name="password_reset_tokens")
    op.drop_table("password_reset_tokens")
    op.drop_index(op.f("ix_auth_sessions_user_id"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_table("login_throttles")
    op.drop_index("ix_access_log_patient_id_at", table_name="access_log")
    op.drop_table("access_log")
    op.execute("DROP FUNCTION access_log_refuse_change()")
    op.execute("DROP FUNCTION access_log_ensure_partitions(date, integer)")
