"""Migrations are history: an empty database migrated to head matches the models exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Connection, Engine, column, inspect, table, text
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.types import TypeEngine

from storage.migrate import (
    alembic_config,
    current_revision,
    ensure_current,
    head_revision,
    upgrade,
)
from storage.models import Base
from storage.types import UTCDateTime


def test_a_migrated_database_has_exactly_the_schema_of_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_test_database_is_at_the_single_head(engine: Engine) -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1
    assert current_revision(engine) == head_revision() == heads[0]
    ensure_current(engine)


def test_every_revision_file_is_date_prefixed() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        assert revision.path is not None
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:4].isdigit() and name[4] == "_", name


NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)
TABLES_0005 = ("caller_keys", "caller_key_state", "documents", "step_results", "vault_entries")
_TYPES: dict[str, TypeEngine[Any]] = {
    "created_at": UTCDateTime(),
    "updated_at": UTCDateTime(),
    "counts": JSON(),
    "started_at": UTCDateTime(),
    "parameters": JSON(),
}


def _insert(conn: Connection, table_name: str, /, **values: object) -> None:
    """One row, naming only these columns (the models would add columns 0005 does not have)."""
    columns: list[ColumnClause[Any]] = [column(key, _TYPES.get(key)) for key in values]
    conn.execute(table(table_name, *columns).insert(), values)


def _rows_at_0005(engine: Engine) -> None:
    """A key with its limit state, and a document with a step result and a vault entry."""
    times = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        _insert(
            conn, "caller_keys", id="0123456789ab", name="robot", role="client",
            secret_hash=b"h" * 32, rpm=1, tpm=0, daily_tokens=0, monthly_budget=0, created_at=NOW,
        )  # fmt: skip
        _insert(conn, "caller_key_state", key_id="0123456789ab", tat_tokens=0.0)
        _insert(
            conn, "documents", id=1, source="cli", external_id="X-1", identity_key="sha256:1",
            content_hash="sha256:2", format="jsonl", size_bytes=1, attachment_count=0,
            urgent=False, revision=1, status="done", key_id="kek-test", wrapped_key=b"w",
            payload=b"p", **times,
        )  # fmt: skip
        _insert(
            conn, "step_results", document_id=1, step="extract", prompt_version="extract.v1",
            schema_version="1", input_hash="sha256:2", status="done", attempts=1, tokens_in=1,
            tokens_out=1, cost=0, **times,
        )  # fmt: skip
        _insert(
            conn, "vault_entries", document_id=1, content_hash="sha256:2",
            masker_version="mask.v1", counts={}, sealed=b"s", **times,
        )  # fmt: skip


def test_migration_0006_keeps_every_row_leaves_documents_unowned_and_keys_of_scope_own(
    engine: Engine,
) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    try:
        _rows_at_0005(engine)
    finally:
        upgrade(engine)

    with engine.connect() as conn:
        counts = {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in TABLES_0005
        }
        owner = conn.execute(text("SELECT owner_key_id FROM documents")).scalar_one()
        scope = conn.execute(text("SELECT document_scope FROM caller_keys")).scalar_one()
    assert set(counts.values()) == {1}, counts  # no copy of a table cascaded into another
    assert (owner, scope) == (None, "own")


def test_migration_0007_leaves_only_the_latest_running_nightly_run_running(
    engine: Engine,
) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    try:
        with engine.begin() as conn:
            for run_id, kind, status, minutes in (
                ("older", "nightly", "running", 0),
                ("latest", "nightly", "running", 30),
                ("middle", "nightly", "running", 10),
                ("done", "nightly", "completed", 40),
                ("online", "online", "running", 5),
            ):
                _insert(
                    conn, "runs", id=run_id, kind=kind, status=status,
                    started_at=NOW + timedelta(minutes=minutes), parameters={},
                )  # fmt: skip
    finally:
        upgrade(engine)

    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, status, finished_at IS NOT NULL, heartbeat_at FROM runs ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("done", "completed", False, None),
        ("latest", "running", False, None),
        ("middle", "crashed", True, None),
        ("older", "crashed", True, None),
        ("online", "running", False, None),
    ]


def test_migration_0009_keys_each_vault_entry_by_its_masker_version_too(engine: Engine) -> None:
    """An existing entry keeps its version (now part of the key), a later version of the same
    content gets an entry of its own, and existing step results have no version (NULL)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    try:
        _rows_at_0005(engine)
    finally:
        upgrade(engine)

    later = {"created_at": NOW + timedelta(days=1), "updated_at": NOW + timedelta(days=1)}
    with engine.begin() as conn:
        _insert(
            conn, "vault_entries", document_id=1, content_hash="sha256:2",
            masker_version="mask.v2", counts={}, sealed=b"t", **later,
        )  # fmt: skip
    with engine.connect() as conn:
        entries = conn.execute(
            text("SELECT masker_version, sealed FROM vault_entries ORDER BY masker_version")
        ).all()
        results = conn.execute(text("SELECT step, masker_version FROM step_results")).all()
    assert [(v, bytes(s)) for v, s in entries] == [("mask.v1", b"s"), ("mask.v2", b"t")]
    assert [tuple(row) for row in results] == [("extract", None)]

    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    try:
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT masker_version FROM vault_entries")).scalars().all()
        assert kept == ["mask.v1"]  # the oldest of the content: what rows without a version used
    finally:
        upgrade(engine)


def test_migration_0010_adds_the_batch_tables_and_its_downgrade_drops_only_them(
    engine: Engine,
) -> None:
    """Up from 0009 with a document in place, a batch and a line written, down again (the
    document and its step result stay), and up to head."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    try:
        _rows_at_0005(engine)
    finally:
        upgrade(engine)
    with engine.begin() as conn:
        _insert(
            conn, "provider_batches", id="b1", route="default", model="m", step="extract",
            prompt_version="extract.v1", status="created", line_count=1, input_bytes=10,
            completed_count=0, failed_count=0, polls=0, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        _insert(
            conn, "provider_batch_lines", batch_id="b1", custom_id="k", document_id=1,
            step="extract", prompt_version="extract.v1", schema_version="1",
            input_hash="sha256:2", masker_version="mask.v1", status="submitted", attempt=1,
            request_sha256="sha256:r", attempt_id="0" * 32, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            kept = [
                conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("documents", "step_results", "vault_entries")
            ]
        assert not {"provider_batches", "provider_batch_lines"} & tables
        assert kept == [1, 1, 1]
    finally:
        upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM provider_batches")).scalar_one() == 0
