"""Shared fixtures: a real, migrated database (SQLite by default, PostgreSQL when
``NIGHTSHIFT_TEST_DATABASE_URL`` names one), a nightshift home and its key ring."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from storage.engine import make_engine, normalize_url, session_factory
from storage.migrate import upgrade
from storage.models import Base

#: The simulator and a home wired to it (tests/simulated.py), for every test folder.
pytest_plugins = ["tests.simulated"]

TEST_DATABASE_URL = os.environ.get("NIGHTSHIFT_TEST_DATABASE_URL", "")


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the migration head: a SQLite file to copy, or the PostgreSQL test schema."""
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield str(normalize_url(TEST_DATABASE_URL).render_as_string(hide_password=False))
        return
    path = tmp_path / "nightshift.db"
    shutil.copyfile(_migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def home(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A nightshift home whose settings point at the test database."""
    home = tmp_path / "home"
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(home))
    monkeypatch.setenv("NIGHTSHIFT_DATABASE_URL", database_url)
    monkeypatch.delenv("NIGHTSHIFT_CONFIG", raising=False)
    return home


@pytest.fixture
def keyring(tmp_path: Path) -> KeyRing:
    ring, _ = KeyRing.ensure(tmp_path / "keys")
    return ring


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[Path]:
    """One temporary Prefect server for the whole session; yields its SQLite database file."""
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    from flows.prefect_env import apply_prefect_defaults

    apply_prefect_defaults(os.environ)
    with prefect_test_harness(server_startup_timeout=60):
        url = prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
        yield Path(str(url).split(":///", 1)[1])
