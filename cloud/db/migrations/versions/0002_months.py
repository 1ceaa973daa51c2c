"""The rolling horizon: each plan version remembers the last local date it was expanded through.

Revision ID: 0002_months
Revises: 0007_partitions
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_months"
down_revision: str | None = "0007_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("medication_plans", sa.Column("expanded_through", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("medication_plans", "expanded_through")
