"""A plan line can be paused: kept in the plan, with no doses until a version resumes it.

Revision ID: 0008_plan_pause
Revises: 0005_accounts
Create Date: 2026-12-03 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_plan_pause"
down_revision: str | None = "0005_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "medication_plan_items",
        sa.Column("paused", sa.Boolean(), server_default="false", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("medication_plan_items", "paused")
