"""The nightly run lease: the owner (host, pid) and heartbeat of a run; one running nightly run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00.000000

The columns are added and dropped in place, never by a batch copy: on SQLite a batch migration
drops and re-creates ``runs``, and with foreign keys on that would set ``step_results.run_id``
to NULL on every row. A partial unique index then allows at most one row with kind 'nightly'
and status 'running'. Old data may hold several (the flow used to mark them only when the next
run started): all but the most recently started are marked crashed first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_runs_one_running_nightly"
RUNNING_NIGHTLY = "kind = 'nightly' AND status = 'running'"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _crash_all_but_the_latest_running_nightly_run() -> None:
    now = datetime.now(UTC)
    op.get_bind().execute(
        sa.text(
            "UPDATE runs SET status = 'crashed', finished_at = :now "
            f"WHERE {RUNNING_NIGHTLY} AND id <> ("
            f"SELECT id FROM runs WHERE {RUNNING_NIGHTLY} "
            "ORDER BY started_at DESC, id DESC LIMIT 1)"
        ).bindparams(
            sa.bindparam("now", now.replace(tzinfo=None) if _sqlite() else now),
        )
    )


def upgrade() -> None:
    op.add_column("runs", sa.Column("owner_host", sa.String(length=255), nullable=True))
    op.add_column("runs", sa.Column("owner_pid", sa.Integer(), nullable=True))
    op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    _crash_all_but_the_latest_running_nightly_run()
    op.create_index(
        INDEX,
        "runs",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(RUNNING_NIGHTLY),
        postgresql_where=sa.text(RUNNING_NIGHTLY),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="runs")
    if _sqlite():
        for name in ("heartbeat_at", "owner_pid", "owner_host"):
            op.execute(f"ALTER TABLE runs DROP COLUMN {name}")
        return
    for name in ("heartbeat_at", "owner_pid", "owner_host"):
        op.drop_column("runs", name)
