"""What several repositories share: the dialect's INSERT, which has ON CONFLICT on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def upsert_insert(session: Session, table: Any) -> Any:
    """``INSERT`` for the session's backend, with ``on_conflict_do_update`` / ``_do_nothing``.

    SQLite (3.24+) and PostgreSQL share the syntax; SQLAlchemy's generic ``insert`` lacks it.
    """
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)
