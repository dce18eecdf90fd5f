"""One vault entry per (document, content hash, masker version); step results name their masker.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 22:10:00.000000

A masker of another version may number the same values differently, so a document masked again
after a version bump gets an entry of its own instead of replacing the map its earlier outputs
were made with. Existing entries keep their ``masker_version``, which becomes part of the key.
On SQLite the primary key changes by a batch copy of ``vault_entries`` (no table refers to it,
so nothing cascades); on PostgreSQL the constraint is replaced in place.

``step_results.masker_version`` is added in place and stays NULL on existing rows: such a row
was masked with the version of the oldest vault entry of its document's content (at this
revision, the only one).

Downgrade keeps the oldest entry per (document, content hash) and drops the others; entries
sealed by code at this revision bind the masker version in their associated data and do not
open in older code.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = "pk_vault_entries"
KEY = ["document_id", "content_hash", "masker_version"]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _primary_key(columns: list[str]) -> None:
    if _sqlite():
        with op.batch_alter_table("vault_entries", recreate="always") as batch:
            batch.drop_constraint(PK, type_="primary")
            batch.create_primary_key(PK, columns)
        return
    op.drop_constraint(PK, "vault_entries", type_="primary")
    op.create_primary_key(PK, "vault_entries", columns)


def upgrade() -> None:
    _primary_key(KEY)
    op.add_column("step_results", sa.Column("masker_version", sa.String(length=32), nullable=True))


def downgrade() -> None:
    if _sqlite():
        op.execute("ALTER TABLE step_results DROP COLUMN masker_version")
    else:
        op.drop_column("step_results", "masker_version")
    op.execute(
        "DELETE FROM vault_entries WHERE EXISTS (SELECT 1 FROM vault_entries AS older "
        "WHERE older.document_id = vault_entries.document_id "
        "AND older.content_hash = vault_entries.content_hash "
        "AND (older.created_at < vault_entries.created_at "
        "OR (older.created_at = vault_entries.created_at "
        "AND older.masker_version < vault_entries.masker_version)))"
    )
    _primary_key(KEY[:2])
