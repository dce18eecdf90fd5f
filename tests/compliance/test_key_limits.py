"""Per-key limits in the gateway, on a fake clock: requests/min, tokens/min, tokens/day and money
per month refuse with a reason and a retry-after, charge nothing when they refuse, settle with
the real usage, make the nightly path wait instead of refusing, and every refusal is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.observer import AuditObserver
from compliance.gateway.calls import Attempt, ModelRequest, Outcome, Refusal
from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig
from compliance.keys.callers import CallerKeys, KeyLimits, Role, load_hash_secret
from compliance.keys.limits import (
    DAILY_TOKENS,
    KEY_REVOKED,
    KEY_UNKNOWN,
    MONTHLY_BUDGET,
    RPM,
    TPM,
    KeyLimiter,
    LimitExceeded,
    limit_refusal,
)
from flows.context import app_context
from flows.nightly.flow import run_nightly
from flows.runtime import Runtime
from flows.settings import ConfigError, Settings, load_settings
from storage.models import CallerKeyUsage, Document
from storage.repositories.callers import CallerLimitsRepository
from tests.compliance.test_audit_helpers import START, all_entries, make_log
from tests.compliance.test_audit_observer import completion
from tests.simulated import SimulatorFactory, ingest_samples

ALMATY = ZoneInfo("Asia/Almaty")
#: 2026-11-27 10:00 in Almaty (UTC+5): 14 hours to the next local midnight.
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=ALMATY).timestamp()
ROUTE = RouteConfig(
    base_url="http://llm.bank.kz/v1",
    model="m",
    region="KZ",
    price_input_per_1m=Decimal(1000),
    price_output_per_1m=Decimal(2000),
)
ROUTES = {"home": ROUTE}
PLANTED = "Асель Нурланова"
#: 396 bytes -> 99 + 4 prompt tokens; + max_tokens 100 = 203 tokens booked per call,
#: and (103 * 1000 + 100 * 2000) / 1e6 = 0.303 of money.
BODY = PLANTED + " " + "x" * (396 - len((PLANTED + " ").encode()))
BOOKED_TOKENS = 203
BOOKED_COST = Decimal("0.303")


class FakeTime:
    """A clock the test moves, and a sleep that moves it (and remembers each wait)."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def keys(sessions: sessionmaker[Session], tmp_path: Path) -> CallerKeys:
    return CallerKeys(sessions, load_hash_secret(tmp_path / "keys"))


@pytest.fixture
def limiter(sessions: sessionmaker[Session], fake: FakeTime) -> KeyLimiter:
    return KeyLimiter(sessions, timezone=ALMATY, clock=fake, sleep=fake.sleep, rpm_margin_s=0.0)


def request(key_id: str | None, path: str = "online") -> ModelRequest:
    assert len(BODY.encode()) == 396
    return ModelRequest(
        step="categorize",
        prompt_version="categorize.v1",
        messages=({"role": "user", "content": BODY},),
        max_tokens=100,
        path=path,  # type: ignore[arg-type]
        caller_key_id=key_id,
        masked=True,
    )


def key(keys: CallerKeys, **limits: Any) -> str:
    caller, _ = keys.create("client-1", Role.CLIENT, KeyLimits(**limits))
    return caller.key_id


def usage(sessions: sessionmaker[Session], key_id: str, period: str) -> tuple[int, int]:
    with sessions() as session:
        return CallerLimitsRepository(session).usage(key_id, period)


async def check(limiter: KeyLimiter, req: ModelRequest) -> Refusal | None:
    return await limiter.check(req, "home", ROUTE)


def ok_attempt(tokens_in: int, tokens_out: int) -> Attempt:
    cost = (Decimal(tokens_in) * 1000 + Decimal(tokens_out) * 2000) / Decimal(10**6)
    return Attempt(
        1, "home", "m", Outcome.OK, tokens_in=tokens_in, tokens_out=tokens_out, cost=cost
    )


async def test_rpm_admits_a_burst_of_rpm_calls_then_refuses_until_the_oldest_is_60_s_old(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime
) -> None:
    key_id = key(keys, rpm=60)
    for _ in range(30):
        assert await check(limiter, request(key_id)) is None
    fake.now += 20
    for _ in range(30):
        assert await check(limiter, request(key_id)) is None

    assert await check(limiter, request(key_id)) == Refusal(RPM, 40.0)
    fake.now += 39.5
    assert await check(limiter, request(key_id)) == Refusal(RPM, 0.5)
    fake.now += 0.5
    for _ in range(30):  # the first 30 are now 60 s old: 30 slots are free again
        assert await check(limiter, request(key_id)) is None
    assert await check(limiter, request(key_id)) == Refusal(RPM, 20.0)
    assert fake.slept == []


async def test_by_default_a_slot_is_reused_half_a_second_after_the_minute_for_jitter(
    keys: CallerKeys, sessions: sessionmaker[Session], fake: FakeTime
) -> None:
    limiter = KeyLimiter(sessions, clock=fake, sleep=fake.sleep)
    key_id = key(keys, rpm=1)
    assert await check(limiter, request(key_id)) is None

    fake.now += 60
    assert await check(limiter, request(key_id)) == Refusal(RPM, 0.5)
    fake.now += 0.5
    assert await check(limiter, request(key_id)) is None


async def test_tpm_refuses_with_the_seconds_until_the_call_fits_in_a_minute_of_tokens(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime
) -> None:
    key_id = key(keys, tpm=960)  # 1/16 s per token: 203 tokens = 12.6875 s of token time
    for _ in range(4):
        assert await check(limiter, request(key_id)) is None

    assert await check(limiter, request(key_id)) == Refusal(TPM, 5 * 12.6875 - 60)
    fake.now += 5 * 12.6875 - 60
    assert await check(limiter, request(key_id)) is None
    assert await check(limiter, request(key_id)) == Refusal(TPM, 12.6875)


async def test_daily_tokens_refuse_until_midnight_in_the_limiter_time_zone(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, daily_tokens=500)
    assert await check(limiter, request(key_id)) is None
    assert await check(limiter, request(key_id)) is None

    assert await check(limiter, request(key_id)) == Refusal(DAILY_TOKENS, 14 * 3600.0)
    assert usage(sessions, key_id, "day:2026-11-27") == (2 * BOOKED_TOKENS, 2 * 303_000)
    fake.now += 14 * 3600
    assert await check(limiter, request(key_id)) is None
    assert usage(sessions, key_id, "day:2026-11-28")[0] == BOOKED_TOKENS


async def test_the_real_usage_replaces_the_estimate_after_the_call(
    keys: CallerKeys, limiter: KeyLimiter, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, daily_tokens=500, monthly_budget=Decimal(10))
    first = request(key_id)
    assert await check(limiter, first) is None
    await limiter.observe(first, ok_attempt(40, 10))

    assert usage(sessions, key_id, "day:2026-11-27") == (50, 60_000)
    assert usage(sessions, key_id, "month:2026-11") == (50, 60_000)
    for _ in range(2):  # 50 + 2 * 203 = 456 <= 500: room that the estimate had held
        assert await check(limiter, request(key_id)) is None


async def test_the_monthly_budget_refuses_until_the_next_month(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime
) -> None:
    key_id = key(keys, monthly_budget=Decimal(1))  # 3 calls of 0.303 fit, a 4th does not
    for _ in range(3):
        assert await check(limiter, request(key_id)) is None

    refusal = await check(limiter, request(key_id))
    next_month = datetime(2026, 12, 1, tzinfo=ALMATY).timestamp()
    assert refusal == Refusal(MONTHLY_BUDGET, next_month - fake.now)


async def test_a_call_larger_than_the_whole_daily_limit_is_refused_and_charges_nothing(
    keys: CallerKeys, limiter: KeyLimiter, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, daily_tokens=200)

    refusal = await check(limiter, request(key_id))
    assert refusal is not None and refusal.reason == DAILY_TOKENS
    assert usage(sessions, key_id, "day:2026-11-27") == (0, 0)


async def test_a_refusal_by_one_limit_rolls_back_what_the_others_booked(
    keys: CallerKeys, limiter: KeyLimiter, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, rpm=1, daily_tokens=10_000, monthly_budget=Decimal(100))
    assert await check(limiter, request(key_id)) is None

    assert await check(limiter, request(key_id)) == Refusal(RPM, 60.0)
    assert usage(sessions, key_id, "day:2026-11-27") == (BOOKED_TOKENS, 303_000)
    assert usage(sessions, key_id, "month:2026-11") == (BOOKED_TOKENS, 303_000)


async def test_the_nightly_path_waits_for_rpm_and_tpm_instead_of_refusing(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime
) -> None:
    rpm_key = key(keys, rpm=2)
    for _ in range(5):
        assert await check(limiter, request(rpm_key, path="nightly")) is None
    # call 3 waits a minute for the first slot; call 4 then finds the second one free; call 5
    # waits another minute
    assert fake.slept == [60.0, 60.0]

    caller, _ = keys.create("tokens", Role.CLIENT, KeyLimits(tpm=960))
    fake.slept.clear()
    for _ in range(5):
        assert await check(limiter, request(caller.key_id, path="nightly")) is None
    assert fake.slept == [5 * 12.6875 - 60]


async def test_the_nightly_path_is_refused_at_once_when_the_budget_is_spent(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime
) -> None:
    key_id = key(keys, daily_tokens=300)
    assert await check(limiter, request(key_id, path="nightly")) is None

    refusal = await check(limiter, request(key_id, path="nightly"))
    assert refusal is not None and refusal.reason == DAILY_TOKENS
    assert fake.slept == []


async def test_unknown_and_revoked_keys_are_refused(keys: CallerKeys, limiter: KeyLimiter) -> None:
    key_id = key(keys)
    assert await check(limiter, request(key_id)) is None
    keys.revoke(key_id)

    assert await check(limiter, request(key_id)) == Refusal(KEY_REVOKED)
    assert await check(limiter, request("0123456789ab")) == Refusal(KEY_UNKNOWN)


async def test_a_call_without_a_key_touches_no_limit_state(
    limiter: KeyLimiter, sessions: sessionmaker[Session]
) -> None:
    assert await check(limiter, request(None)) is None
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CallerKeyUsage)) == 0


class Provider:
    def __init__(self, *answers: httpx2.Response) -> None:
        self.answers = list(answers)
        self.bodies: list[bytes] = []

    def __call__(self, req: httpx2.Request) -> httpx2.Response:
        self.bodies.append(req.content)
        return self.answers[min(len(self.bodies), len(self.answers)) - 1]


class RefuseEverything:
    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str:
        return "test:refused"


def gateway(
    provider: Provider, limiter: KeyLimiter, fake: FakeTime, *, extra: Any = None, log: Any = None
) -> Gateway:
    policies: list[Any] = [limiter, *([extra] if extra else [])]
    observers: list[Any] = [*([AuditObserver(log, ROUTES, clock=lambda: START)] if log else [])]
    return Gateway.unguarded_for_tests(
        ROUTES,
        {"home": "sk-test"},
        retry=RetryPolicy(max_attempts=3, content_retries=0, base_delay_s=0.0, max_delay_s=0.0),
        policies=policies,
        observers=[*observers, limiter],
        transport=httpx2.MockTransport(provider),
        sleep=fake.sleep,
        clock=fake,
    )


async def test_a_key_limit_refusal_is_one_audit_entry_with_reason_and_retry_after_and_no_text(
    keys: CallerKeys,
    limiter: KeyLimiter,
    fake: FakeTime,
    sessions: sessionmaker[Session],
    engine: Engine,
    tmp_path: Path,
) -> None:
    key_id = key(keys, rpm=1)
    provider = Provider(httpx2.Response(200, json=completion()))
    async with gateway(provider, limiter, fake, log=make_log(sessions, tmp_path / "audit")) as gw:
        first = await gw.call(request(key_id), "home")
        second = await gw.call(request(key_id), "home")

    assert first.ok and second.outcome is Outcome.REFUSED and len(provider.bodies) == 1
    raw = list(all_entries(engine))
    entries = [json.loads(data) for data in raw]
    assert [(e["kind"], e["outcome"], e["detail"], e["retry_after_ms"]) for e in entries] == [
        ("intent", "pending", None, None), ("outcome", "ok", None, None),
        ("outcome", "refused", RPM, 60_000),
    ]  # fmt: skip
    assert entries[2]["caller_key_id"] == key_id and entries[2]["request_sha256"] is None
    assert all(PLANTED.encode() not in data and b"xxxx" not in data for data in raw)
    exceeded = limit_refusal(second)
    assert isinstance(exceeded, LimitExceeded)
    assert (exceeded.key_id, exceeded.limit, exceeded.retry_after_s) == (key_id, RPM, 60.0)
    assert limit_refusal(first) is None


async def test_a_refusal_by_a_later_policy_gives_the_whole_booking_back(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, rpm=1, tpm=1000, daily_tokens=1000)
    provider = Provider(httpx2.Response(200, json=completion()))
    async with gateway(provider, limiter, fake, extra=RefuseEverything()) as gw:
        refused = await gw.call(request(key_id), "home")

    assert refused.attempts[-1].detail == "test:refused" and provider.bodies == []
    assert usage(sessions, key_id, "day:2026-11-27") == (0, 0)
    assert await check(limiter, request(key_id)) is None  # the one slot is free again


async def test_every_attempt_of_a_call_is_charged_with_its_real_usage(
    keys: CallerKeys, limiter: KeyLimiter, fake: FakeTime, sessions: sessionmaker[Session]
) -> None:
    key_id = key(keys, daily_tokens=10_000, monthly_budget=Decimal(10))
    provider = Provider(
        httpx2.Response(200, json=completion()),  # 40 + 9 tokens
        httpx2.Response(429, json={"error": {"message": "slow down"}}),
        httpx2.Response(200, json=completion()),
    )
    async with gateway(provider, limiter, fake) as gw:
        await gw.call(request(key_id), "home")
        retried = await gw.call(request(key_id), "home")

    assert [a.outcome for a in retried.attempts] == [Outcome.RATE_LIMITED, Outcome.OK]
    cost = 2 * (40 * 1000 + 9 * 2000)  # millionths: two answered attempts of 40 + 9 tokens
    assert usage(sessions, key_id, "day:2026-11-27") == (2 * 49, cost)
    assert usage(sessions, key_id, "month:2026-11") == (2 * 49, cost)


# -- the nightly batch charged to the service key --------------------------------------------


async def test_a_nightly_run_over_the_service_key_budget_defers_the_rest_and_says_why(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=21)
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 16, seed=22, tmp_path=tmp_path)
    with app_context(settings) as ctx:
        keys = CallerKeys.open(ctx.sessions, settings.keys_dir)
        caller, _ = keys.create("nightly", Role.CLIENT, KeyLimits(daily_tokens=20_000))
    monkeypatch.setenv("NIGHTSHIFT_SERVICE_KEY", "nightly")
    settings = load_settings()

    runtime = Runtime.open(settings)
    try:
        assert runtime.service_key_id == caller.key_id
        summary = await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()

    deferred = summary["documents_deferred"]
    processed = summary["documents_done"] + summary["documents_review"]
    assert 0 < deferred < 16 and processed + deferred == 16
    assert summary["documents_failed"] == 0
    assert summary["deferred_reasons"] == {DAILY_TOKENS: deferred}
    assert summary["calls"] == sim.total()
    with app_context(settings) as ctx, ctx.sessions() as session:
        pending = session.scalar(
            select(func.count()).select_from(Document).where(Document.status == "pending")
        )
        day = datetime.now(ZoneInfo(settings.nightly.timezone)).date().isoformat()
        used, _ = CallerLimitsRepository(session).usage(caller.key_id, f"day:{day}")
        entries = [json.loads(e) for e in all_entries(ctx.engine)]
    assert pending == deferred
    assert 0 < used <= 20_000
    refused = [e for e in entries if e["outcome"] == "refused"]
    assert refused and {e["detail"] for e in refused} == {DAILY_TOKENS}
    assert summary["refused"] == len(refused) <= settings.nightly.concurrency
    assert {e["caller_key_id"] for e in entries} == {caller.key_id}


async def test_a_service_key_that_does_not_exist_refuses_to_start(
    wired_home: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    wired_home("http://127.0.0.1:9/v1")
    monkeypatch.setenv("NIGHTSHIFT_SERVICE_KEY", "nightly")

    with pytest.raises(ConfigError, match="service_key names caller key 'nightly', which does not"):
        Runtime.open(load_settings(check_secrets=False))
