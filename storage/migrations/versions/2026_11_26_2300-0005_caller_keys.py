"""Caller keys (role, limits, keyed hash of the secret) and the shared state of their limits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_id() -> sa.Column[str]:
    return sa.Column("key_id", sa.String(length=16), nullable=False)


def _key_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["key_id"],
        ["caller_keys.id"],
        name=op.f(f"fk_{table}_key_id_caller_keys"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "caller_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("rpm", sa.Integer(), nullable=False),
        sa.Column("tpm", sa.Integer(), nullable=False),
        sa.Column("daily_tokens", sa.BigInteger(), nullable=False),
        sa.Column("monthly_budget", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('client', 'auditor', 'admin')", name=op.f("ck_caller_keys_role")
        ),
        sa.CheckConstraint(
            "rpm >= 0 AND tpm >= 0 AND daily_tokens >= 0 AND monthly_budget >= 0",
            name=op.f("ck_caller_keys_limits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_caller_keys_name")),
    )
    op.create_table(
        "caller_key_state",
        _key_id(),
        sa.Column("tat_tokens", sa.Double(), nullable=False),
        _key_fk("caller_key_state"),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_caller_key_state")),
    )
    op.create_table(
        "caller_key_slots",
        _key_id(),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("used_at", sa.Double(), nullable=False),
        _key_fk("caller_key_slots"),
        sa.PrimaryKeyConstraint("key_id", "slot", name=op.f("pk_caller_key_slots")),
    )
    with op.batch_alter_table("caller_key_slots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_caller_key_slots_key_id_used_at", ["key_id", "used_at"], unique=False
        )
    op.create_table(
        "caller_key_usage",
        _key_id(),
        sa.Column("period", sa.String(length=24), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False),
        _key_fk("caller_key_usage"),
        sa.PrimaryKeyConstraint("key_id", "period", name=op.f("pk_caller_key_usage")),
    )


def downgrade() -> None:
    op.drop_table("caller_key_usage")
    with op.batch_alter_table("caller_key_slots", schema=None) as batch_op:
        batch_op.drop_index("ix_caller_key_slots_key_id_used_at")
    op.drop_table("caller_key_slots")
    op.drop_table("caller_key_state")
    op.drop_table("caller_keys")
