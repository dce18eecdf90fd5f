"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

The flow or request boundary owns the session and the commit (:func:`transaction`);
repositories never commit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 30


def normalize_url(url: str | URL) -> URL:
    """Accept the URLs people type and pick the driver we ship.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://`` (psycopg 3 is the
    installed driver).
    """
    text = str(url) if isinstance(url, URL) else url
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    parsed = make_url(text)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


#: Statements that make a SQLite connection a writer (the first keyword, upper-cased).
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "BEGIN"})
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _is_write(statement: str) -> bool:
    head = statement.lstrip()[:8].split(None, 1)
    return bool(head) and head[0].upper() in _WRITES


class _WriterCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> _WriterCursor:
        self.connection.enter_write(sql)  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _WriterCursor:
        self.connection.enter_write(sql)  # type: ignore[attr-defined]
        return super().executemany(sql, seq_of_parameters)


class _SerializedWriterConnection(sqlite3.Connection):
    """A SQLite connection that takes its database's in-process write lock before it writes.

    SQLite admits one writer at a time. Threads of one process that collide on it (the batch
    saves results, statuses, vault and audit entries from worker threads) otherwise meet in
    SQLite's busy handler, which *sleeps* 1, 2, 5, 10 … 100 ms between tries: measured here,
    12 ms per statement on average and most of a nightly run's wall time. Here a writer waits
    on a Python lock instead and starts the moment the previous one commits. The lock is taken
    at the first writing statement and released after COMMIT, ROLLBACK or close (from any thread:
    the pool may reset a connection elsewhere); other processes still meet in the busy handler
    (``busy_timeout``), as before.
    """

    write_lock: threading.Lock

    def enter_write(self, sql: str) -> None:
        if not getattr(self, "_holds_write_lock", False) and _is_write(sql):
            # Bounded like the busy handler: past it, SQLite's own locking decides (and reports
            # "database is locked") — a lock that is never released cannot hang a process.
            self._holds_write_lock = self.write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S)

    def _leave_write(self) -> None:
        if getattr(self, "_holds_write_lock", False):
            self._holds_write_lock = False
            self.write_lock.release()

    def cursor(self, factory: Any = _WriterCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> _WriterCursor:
        cursor: _WriterCursor = self.cursor()
        return cursor.execute(sql, parameters)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_write()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_write()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_write()


def _writer_connection_class(path: Path | None) -> type[_SerializedWriterConnection]:
    """The connection class of one database file: its connections share one write lock."""
    key = str(path.resolve()) if path is not None else f"memory:{id(object())}"
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.setdefault(key, threading.Lock())
    return type("SerializedWriterConnection", (_SerializedWriterConnection,), {"write_lock": lock})


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine with the pragmas and pool settings nightshift relies on."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "factory": _writer_connection_class(path),
        }
        engine = create_engine(parsed, echo=echo, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
