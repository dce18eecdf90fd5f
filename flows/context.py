"""What a command or a request needs to work: settings, the database, the key ring.

``init_home`` creates a nightshift home (idempotent); ``open_context`` opens an existing one and
refuses to work on a database that is not migrated or a home without a data key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.keys import AuditKeys
from compliance.keys.encryption import KeyRing
from flows.settings import Settings
from storage.engine import make_engine, normalize_url, session_factory
from storage.migrate import current_revision, ensure_current, head_revision, upgrade


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: KeyRing

    def close(self) -> None:
        self.engine.dispose()


@dataclass
class InitReport:
    home: str
    database: str
    migrated_from: str | None
    migrated_to: str
    key_created: bool
    key_id: str
    created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _make_dir(path: os.PathLike[str] | str, mode: int, created: list[str]) -> None:
    path = os.fspath(path)
    if not os.path.isdir(path):
        os.makedirs(path, mode=mode, exist_ok=True)
        created.append(path)
    os.chmod(path, mode)


def init_home(settings: Settings) -> InitReport:
    """Create NIGHTSHIFT_HOME, migrate the database, create the data key. Safe to repeat."""
    created: list[str] = []
    _make_dir(settings.home, 0o700, created)
    _make_dir(settings.reports_dir, 0o700, created)
    keyring, key_created = KeyRing.ensure(settings.keys_dir)
    AuditKeys.ensure(settings.keys_dir)
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
    finally:
        engine.dispose()
    sqlite_file = settings.sqlite_file
    if sqlite_file is not None and sqlite_file.exists():
        os.chmod(sqlite_file, 0o600)
    return InitReport(
        home=str(settings.home),
        database=_redacted(settings.database_url),
        migrated_from=before,
        migrated_to=head_revision(),
        key_created=key_created,
        key_id=keyring.active_id,
        created=created,
    )


def _redacted(url: str) -> str:
    return normalize_url(url).render_as_string(hide_password=True)


def open_context(settings: Settings) -> AppContext:
    keyring = KeyRing.load(settings.keys_dir)
    engine = make_engine(settings.database_url)
    try:
        ensure_current(engine)
    except Exception:
        engine.dispose()
        raise
    return AppContext(settings, engine, session_factory(engine), keyring)


@contextmanager
def app_context(settings: Settings) -> Iterator[AppContext]:
    ctx = open_context(settings)
    try:
        yield ctx
    finally:
        ctx.close()
