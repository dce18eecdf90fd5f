"""Intent before send (DESIGN 11): an attempt's intent entry is committed before its request
leaves the process, its outcome entry after; an attempt with no outcome is listed as
``unknown`` — by the shared read side of ``nightshift audit query`` and the API — and counted
by ``verify``; old v1 entries stay verifiable, queryable and provable."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.log import AuditLog
from compliance.audit.observer import AuditObserver
from compliance.audit.verify import verify_log
from compliance.gateway.gateway import Gateway
from service.api.audit_queries import find_attempts, inclusion_proof
from storage.repositories.audit import EntryFilter
from tests.compliance.test_audit_helpers import START, draft, make_log, verifiers
from tests.compliance.test_audit_observer import REQUEST, RETRY, ROUTES, RefuseAbroad, completion


class Provider(httpx2.AsyncBaseTransport):
    """Receives every request; answers the first ``answered`` and never answers the rest.

    ``seen`` holds, per request, the (kind, attempt_id) rows the log had committed when it
    arrived — read from the database, as a second process would."""

    def __init__(self, engine: Engine, answered: int) -> None:
        self.engine = engine
        self.answered = answered
        self.bodies: list[bytes] = []
        self.seen: list[list[tuple[str, str]]] = []
        self.hanging = asyncio.Event()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(await request.aread())
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, attempt_id FROM audit_entries ORDER BY seq"))
            self.seen.append([(str(k), str(a)) for k, a in rows])
        if len(self.bodies) <= self.answered:
            return httpx2.Response(200, json=completion())
        self.hanging.set()
        await asyncio.Event().wait()  # the answer never comes: the caller is cancelled
        raise AssertionError("unreachable")


def gateway(provider: Provider, log: AuditLog) -> Gateway:
    observer = AuditObserver(log, ROUTES, clock=lambda: START)
    return Gateway.unguarded_for_tests(
        ROUTES, {name: "sk-test" for name in ROUTES}, retry=RETRY, policies=[RefuseAbroad()],
        observers=[observer], transport=provider,
    )  # fmt: skip


async def call_and_cancel_the_last(gw: Gateway, provider: Provider, calls: int) -> None:
    """``calls - 1`` answered calls, then one cancelled while the provider holds its request."""
    for _ in range(calls - 1):
        assert (await gw.call(REQUEST, "home")).ok
    task = asyncio.create_task(gw.call(REQUEST, "home"))
    await asyncio.wait_for(provider.hanging.wait(), timeout=10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_the_intent_is_committed_before_the_request_reaches_the_provider(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(engine, answered=2)
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        await gw.call(REQUEST, "home")
        await gw.call(REQUEST, "home")

    first, second = provider.seen
    assert [kind for kind, _ in first] == ["intent"]
    assert [kind for kind, _ in second] == ["intent", "outcome", "intent"]
    assert first[0][1] == second[1][1] != second[2][1]


async def test_an_attempt_cut_off_mid_request_is_listed_once_with_outcome_unknown(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(engine, answered=2)
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        await call_and_cancel_the_last(gw, provider, calls=3)

    attempts = find_attempts(sessions, EntryFilter(), None)
    (unknown,) = find_attempts(sessions, EntryFilter(outcome="unknown"), None)
    report = verify_log(sessions, verifiers(tmp_path / "keys"))
    assert len(attempts) == len(provider.bodies) == 3
    assert [(a["outcome"], a["entries"]) for a in attempts] == [
        ("ok", [0, 1]), ("ok", [2, 3]), ("unknown", [4])
    ]  # fmt: skip
    assert unknown == attempts[2] and unknown["request_sha256"] is None
    assert (unknown["document_id"], unknown["route"], unknown["attempt"]) == (42, "home", 1)
    assert "kind" not in unknown and len(unknown["attempt_id"]) == 32
    assert report.ok and (report.tree_size, report.unknown_outcomes) == (5, 1)


async def test_filters_and_limit_select_attempts_by_how_they_ended_and_their_first_entry(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(engine, answered=3)
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        await call_and_cancel_the_last(gw, provider, calls=4)
        refused = await gw.call(REQUEST, "abroad")  # nothing sent: one entry

    def seqs(**where: Any) -> list[list[int]]:
        limit = where.pop("limit", None)
        return [a["entries"] for a in find_attempts(sessions, EntryFilter(**where), limit)]

    assert refused.attempts[0].outcome.value == "refused"
    assert seqs() == [[0, 1], [2, 3], [4, 5], [6], [7]]
    assert seqs(outcome="ok") == [[0, 1], [2, 3], [4, 5]]
    assert seqs(outcome="unknown") == [[6]]
    assert seqs(outcome="refused") == [[7]]
    assert seqs(outcome="pending") == []
    assert seqs(limit=2) == [[0, 1], [2, 3]]
    assert seqs(seq_from=2, seq_to=6, outcome="ok") == [[2, 3], [4, 5]]
    assert seqs(outcome="unknown", route="abroad") == []


def v1(n: int) -> dict[str, Any]:
    """The draft of an entry as logs before migration 0008 hold them."""
    entry = draft(n)
    del entry["attempt_id"], entry["kind"], entry["service_tier"]
    return entry | {"v": 1}


def v2(n: int) -> dict[str, Any]:
    """The draft of an entry as logs before flex (entry version 3) hold them."""
    entry = draft(n)
    del entry["service_tier"]
    return entry | {"v": 2}


async def test_v1_and_v2_entries_stay_verifiable_queryable_and_provable_beside_v3_attempts(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys")
    log.append_batch([v1(1), v2(2)])
    provider = Provider(engine, answered=1)
    async with gateway(provider, log) as gw:
        await gw.call(REQUEST, "home")

    attempts = find_attempts(sessions, EntryFilter(), None)
    proofs = [inclusion_proof(sessions, log, verifiers(tmp_path / "keys"), s) for s in range(4)]
    report = verify_log(sessions, verifiers(tmp_path / "keys"))
    assert [(a["v"], a["attempt_id"] is None, a["entries"]) for a in attempts] == [
        (1, True, [0]), (2, True, [1]), (3, False, [2, 3])
    ]  # fmt: skip
    assert attempts[0] == {**json.loads(json.dumps(v1(1))), "seq": 0, "attempt_id": None,
                           "entries": [0]}  # fmt: skip
    assert all(p["verified"] for p in proofs)
    assert [p["entry"]["v"] for p in proofs] == [1, 2, 3, 3]
    assert attempts[2]["service_tier"] is None and "service_tier" not in attempts[1]
    assert report.ok and (report.tree_size, report.unknown_outcomes) == (4, 0)
