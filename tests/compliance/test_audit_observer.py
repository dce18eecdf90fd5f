"""The gateway with the audit observer: an intent and an outcome entry per attempt that sends,
one entry per refusal, the hashes of what actually went over the wire — and no request without
its committed intent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.errors import AuditWriteError
from compliance.audit.log import AuditLog
from compliance.audit.observer import AuditObserver
from compliance.gateway.calls import ModelRequest, Outcome
from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig
from tests.compliance.test_audit_helpers import START, all_entries, make_log

ROUTES = {
    "home": RouteConfig(base_url="http://llm.bank.kz/v1", model="m", region="KZ"),
    "abroad": RouteConfig(base_url="https://api.example.com/v1", model="big", region="DE"),
}
SECRET = "Асель Нурланова, ИИН 880101300123"
REQUEST = ModelRequest(
    step="categorize",
    prompt_version="categorize.v1",
    messages=({"role": "user", "content": SECRET},),
    path="online",
    run_id="run-7",
    document_id=42,
    caller_key_id="key-ops",
    masked_counts={"PERSON": 1},
)
RETRY = RetryPolicy(max_attempts=3, content_retries=0, base_delay_s=0.0, max_delay_s=0.0)


def completion(content: str = "payments") -> dict[str, Any]:
    return {
        "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49},
    }  # fmt: skip


class Provider:
    def __init__(self, *answers: httpx2.Response) -> None:
        self.answers = list(answers)
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(request.content)
        return self.answers[min(len(self.bodies), len(self.answers)) - 1]


class RefuseAbroad:
    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        return f"residency: route region {route.region}" if route.region != "KZ" else None


async def _nothing(_: float) -> None:
    return None


def gateway(provider: Provider, log: AuditLog) -> Gateway:
    return Gateway.unguarded_for_tests(
        ROUTES,
        {name: "sk-test" for name in ROUTES},
        retry=RETRY,
        policies=[RefuseAbroad()],
        observers=[AuditObserver(log, ROUTES, clock=lambda: START)],
        transport=httpx2.MockTransport(provider),
        sleep=_nothing,
    )


def entries(engine: Engine) -> list[dict[str, Any]]:
    return [json.loads(data) for data in all_entries(engine)]


async def test_every_attempt_of_a_call_is_in_the_log_with_the_hash_of_what_was_sent(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    rate_limited = httpx2.Response(429, json={"error": {"message": "slow down"}})
    provider = Provider(rate_limited, httpx2.Response(200, json=completion()))
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        response = await gw.call(REQUEST, "home")

    logged = entries(engine)
    assert response.outcome is Outcome.OK
    assert [(e["kind"], e["attempt"], e["outcome"], e["http_status"]) for e in logged] == [
        ("intent", 1, "pending", None), ("outcome", 1, "rate_limited", 429),
        ("intent", 2, "pending", None), ("outcome", 2, "ok", 200),
    ]  # fmt: skip
    ids = [e["attempt_id"] for e in logged]
    assert ids[0] == ids[1] != ids[2] == ids[3] and all(len(i) == 32 for i in ids)
    outcomes = logged[1::2]
    assert [e["request_sha256"] for e in outcomes] == [
        "sha256:" + hashlib.sha256(body).hexdigest() for body in provider.bodies
    ]
    same = ("path", "run_id", "document_id", "caller_key_id", "step", "prompt_version", "route")
    assert [[e[k] for k in same] for e in logged] == [
        ["online", "run-7", 42, "key-ops", "categorize", "categorize.v1", "home"]
    ] * 4
    assert [(e["tokens_in"], e["tokens_out"]) for e in outcomes] == [(0, 0), (40, 9)]
    assert logged[0]["masked_counts"] == logged[3]["masked_counts"] == {"PERSON": 1}
    assert (logged[0]["endpoint_host"], logged[0]["region"]) == ("llm.bank.kz", "KZ")


async def test_a_refused_call_leaves_one_entry_and_sends_nothing(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(httpx2.Response(200, json=completion()))
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        response = await gw.call(REQUEST, "abroad")

    (logged,) = entries(engine)
    assert response.outcome is Outcome.REFUSED and provider.bodies == []
    assert (logged["outcome"], logged["region"], logged["detail"]) == (
        "refused", "DE", "residency: route region DE"
    )  # fmt: skip
    assert logged["request_sha256"] is None


async def test_the_log_never_holds_the_text_of_a_call(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(httpx2.Response(200, json=completion(content=SECRET)))
    async with gateway(provider, make_log(sessions, tmp_path / "keys")) as gw:
        await gw.call(REQUEST, "home")

    for data in all_entries(engine):
        assert SECRET.encode() not in data
        assert "Асель".encode() not in data and b"880101300123" not in data


class BrokenLog(AuditLog):
    def append_batch(self, drafts: Any) -> list[int]:
        raise RuntimeError("database is locked")


async def test_a_call_whose_entry_cannot_be_committed_fails_closed(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    log = BrokenLog(sessions, make_log(sessions, tmp_path / "keys").signer)
    provider = Provider(httpx2.Response(200, json=completion()))
    async with gateway(provider, log) as gw:
        with pytest.raises(AuditWriteError, match="could not be committed"):
            await gw.call(REQUEST, "home")
    assert provider.bodies == []  # the intent failed: nothing was sent
