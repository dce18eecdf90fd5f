"""Helpers the audit tests share (a log on the test database, entry drafts, an attacker's
hand on the tables), and the tests that keep them honest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.entries import DRAFT_FIELDS, encode_entry
from compliance.audit.keys import AuditKeys
from compliance.audit.log import AuditLog
from compliance.audit.observer import draft_entry, intent_entry
from compliance.gateway.calls import Attempt, Intent, ModelRequest, Outcome
from compliance.gateway.routes import RouteConfig

ROUTE = RouteConfig(base_url="https://llm.bank.kz:8443/v1", model="small-model", region="KZ")
START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
TRIGGERS = [
    f"{table}_no_{action}"
    for table in ("audit_entries", "audit_nodes", "audit_checkpoints")
    for action in ("update", "delete")
]


def ticking_clock(step: timedelta = timedelta(milliseconds=1)) -> Any:
    """A deterministic clock: START, START + step, ..."""
    ticks = count()
    return lambda: START + step * next(ticks)


def draft(n: int, moment: datetime = START, **changes: Any) -> dict[str, Any]:
    """The entry of a plausible attempt about document ``n``."""
    request = _request(n)
    attempt = Attempt(
        number=1, route="fast", model="small-model", outcome=Outcome.OK, http_status=200,
        tokens_in=120 + n, tokens_out=30, cost=Decimal("0.018000"), latency_ms=812.5,
        request_sha256="sha256:" + "ab" * 32, response_sha256="sha256:" + "cd" * 32,
    )  # fmt: skip
    return draft_entry(request, attempt, ROUTE, moment) | changes


def intent_draft(n: int, attempt_id: str, moment: datetime = START) -> dict[str, Any]:
    """The intent entry of an attempt about document ``n`` (before its request was sent)."""
    intent = Intent(attempt_id, 1, "fast", "small-model")
    return intent_entry(_request(n), intent, ROUTE, moment)


def _request(n: int) -> ModelRequest:
    return ModelRequest(
        step="extract",
        prompt_version="extract.v1",
        messages=({"role": "user", "content": "Асель Нурланова, ИИН 880101300123"},),
        path="nightly",
        run_id="run-1",
        document_id=n,
        caller_key_id="key-ops",
        masked_counts={"PERSON": 1, "KZ_IIN": 1},
    )


def make_log(sessions: sessionmaker[Session], keys_dir: Path, **options: Any) -> AuditLog:
    options.setdefault("clock", ticking_clock())
    return AuditLog.open(sessions, keys_dir, **options)


def verifiers(keys_dir: Path) -> Any:
    return AuditKeys.load(keys_dir).verifiers


def fill(log: AuditLog, entries: int, batch: int = 5) -> None:
    for start in range(0, entries, batch):
        log.append_batch([draft(n) for n in range(start, min(start + batch, entries))])


def _attacker(conn: Connection) -> None:
    """Switch the append-only triggers off, as someone with full database access can."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        for trigger in TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")


def tamper(engine: Engine, *statements: tuple[str, dict[str, Any]]) -> None:
    with engine.begin() as conn:
        _attacker(conn)
        for sql, params in statements:
            conn.execute(text(sql), params)


def stored(engine: Engine, seq: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM audit_entries WHERE seq = :s"), {"s": seq}).one()
    return dict(row._mapping)


def all_entries(engine: Engine) -> Iterator[bytes]:
    with engine.connect() as conn:
        for (data,) in conn.execute(text("SELECT entry FROM audit_entries ORDER BY seq")):
            yield bytes(data)


def test_a_helper_draft_has_exactly_the_entry_fields() -> None:
    assert draft(1).keys() == DRAFT_FIELDS
    assert encode_entry(draft(1), 0).startswith(b'{"attempt":1,')


def test_the_ticking_clock_moves_on_by_its_step() -> None:
    clock = ticking_clock(timedelta(seconds=2))
    assert [clock(), clock()] == [START, START + timedelta(seconds=2)]
