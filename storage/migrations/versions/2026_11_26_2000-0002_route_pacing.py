"""Route pacing: shared GCRA state per upstream route.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:00:24.038137
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "route_pacing",
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("tat_requests", sa.Double(), nullable=False),
        sa.Column("tat_tokens", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("route", name=op.f("pk_route_pacing")),
    )


def downgrade() -> None:
    op.drop_table("route_pacing")
