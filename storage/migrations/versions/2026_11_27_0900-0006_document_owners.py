"""Documents owned by the caller key that sent them; each key's document scope (own | all).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:00:00.000000

Both columns are added in place, never by a batch copy: on SQLite a batch migration drops and
re-creates the table, and dropping ``documents`` (or ``caller_keys``) with foreign keys on would
cascade into ``step_results`` and ``vault_entries`` (or the keys' limit state). SQLite takes the
foreign key and the check as column constraints of ``ADD COLUMN``, and drops such a column in
place too. Existing documents get no owner; existing keys get the scope ``own``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE_CHECK = "document_scope IN ('own', 'all')"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.execute(
            "ALTER TABLE caller_keys ADD COLUMN document_scope VARCHAR(8) DEFAULT 'own' NOT NULL "
            f"CONSTRAINT ck_caller_keys_document_scope CHECK ({SCOPE_CHECK})"
        )
        op.execute(
            "ALTER TABLE documents ADD COLUMN owner_key_id VARCHAR(16) "
            "CONSTRAINT fk_documents_owner_key_id_caller_keys REFERENCES caller_keys (id)"
        )
    else:
        op.add_column(
            "caller_keys",
            sa.Column(
                "document_scope", sa.String(length=8), server_default="own", nullable=False
            ),
        )
        op.create_check_constraint(
            op.f("ck_caller_keys_document_scope"), "caller_keys", SCOPE_CHECK
        )
        op.add_column("documents", sa.Column("owner_key_id", sa.String(length=16), nullable=True))
        op.create_foreign_key(
            op.f("fk_documents_owner_key_id_caller_keys"),
            "documents",
            "caller_keys",
            ["owner_key_id"],
            ["id"],
        )
    op.create_index(op.f("ix_documents_owner_key_id"), "documents", ["owner_key_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_owner_key_id"), table_name="documents")
    if _sqlite():
        op.execute("ALTER TABLE documents DROP COLUMN owner_key_id")
        op.execute("ALTER TABLE caller_keys DROP COLUMN document_scope")
        return
    op.drop_constraint(
        op.f("fk_documents_owner_key_id_caller_keys"), "documents", type_="foreignkey"
    )
    op.drop_column("documents", "owner_key_id")
    op.drop_constraint(op.f("ck_caller_keys_document_scope"), "caller_keys", type_="check")
    op.drop_column("caller_keys", "document_scope")
