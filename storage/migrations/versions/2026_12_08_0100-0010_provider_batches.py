"""Provider batches and their lines (issue 14: the batch path).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:00:00.000000

Two new tables, nothing existing changes: ``provider_batches`` (one row per uploaded JSONL file
and the provider's batch made of it) and ``provider_batch_lines`` (one row per line and attempt,
``custom_id`` the step result's idempotency key, at most two attempts per key). Downgrade drops
both: the step results the batches produced stay.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "provider_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_batch_id", sa.String(length=128), nullable=True),
        sa.Column("input_file_id", sa.String(length=128), nullable=True),
        sa.Column("output_file_id", sa.String(length=128), nullable=True),
        sa.Column("error_file_id", sa.String(length=128), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("input_bytes", sa.Integer(), nullable=False),
        sa.Column("completed_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_provider_batches_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_batches")),
        sa.UniqueConstraint("provider_batch_id", name=op.f("uq_provider_batches_provider_batch_id")),
    )
    op.create_index(
        op.f("ix_provider_batches_status"), "provider_batches", ["status"], unique=False
    )
    op.create_table(
        "provider_batch_lines",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("custom_id", sa.String(length=128), nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("schema_version", sa.String(length=32), nullable=False),
        sa.Column("input_hash", sa.String(length=80), nullable=False),
        sa.Column("masker_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("request_sha256", sa.String(length=80), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        *_times(),
        sa.CheckConstraint(
            "attempt BETWEEN 1 AND 2", name=op.f("ck_provider_batch_lines_attempt_range")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["provider_batches.id"],
            name=op.f("fk_provider_batch_lines_batch_id_provider_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_provider_batch_lines_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_batch_lines")),
        sa.UniqueConstraint(
            "custom_id", "attempt", name=op.f("uq_provider_batch_lines_custom_id")
        ),
    )
    for column in ("batch_id", "custom_id", "document_id"):
        op.create_index(
            op.f(f"ix_provider_batch_lines_{column}"),
            "provider_batch_lines",
            [column],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("provider_batch_lines")
    op.drop_table("provider_batches")
