"""Audit attempts: ``attempt_id`` and ``kind`` on audit entries (entry format v2).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 22:00:00.000000

An attempt that sends a request is now two entries: its ``intent``, committed before the request
leaves the process, and its ``outcome``, linked by ``attempt_id`` (DESIGN 11). The two columns
repeat those fields of the entry bytes (``verify`` checks they agree) so the attempts and the
ones whose outcome is unknown are found by index. Existing rows are v1 entries, one whole
attempt each: both columns stay NULL, and no row is touched (the table refuses UPDATE).

The columns are added and dropped in place, never by a batch copy: on SQLite a batch migration
would drop and re-create ``audit_entries`` and lose its append-only triggers. A downgrade keeps
the v2 entries' bytes; code before 0008 does not read them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_audit_entries_attempt_id_kind"


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("attempt_id", sa.String(length=32), nullable=True))
    op.add_column("audit_entries", sa.Column("kind", sa.String(length=8), nullable=True))
    op.create_index(INDEX, "audit_entries", ["attempt_id", "kind"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="audit_entries")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("kind", "attempt_id"):
            op.execute(f"ALTER TABLE audit_entries DROP COLUMN {name}")
        return
    for name in ("kind", "attempt_id"):
        op.drop_column("audit_entries", name)
