"""RoutePacer over the real migrated database (SQLite, or PostgreSQL when configured), with an
injected clock and sleep: assertions are on the slot times it hands out, never on wall time."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from compliance.gateway.pacer import RoutePacer
from compliance.gateway.retry import RateLimitHeaders
from compliance.gateway.routes import RouteConfig
from storage.models.pacing import RoutePacing
from storage.repositories import PacingRepository

T0 = 1_800_000_000.0


class FakeTime:
    """A clock that only moves when someone sleeps; every sleep is recorded."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def route(rpm: int = 0, tpm: int = 0) -> RouteConfig:
    return RouteConfig(base_url="http://p/v1", model="m", region="KZ", rpm=rpm, tpm=tpm)


def pacer(
    sessions: sessionmaker[Session],
    time: FakeTime,
    *,
    rpm: int = 0,
    tpm: int = 0,
    headroom: float = 1.0,
    tolerance_s: float = 0.0,
) -> RoutePacer:
    return RoutePacer(
        sessions,
        {"r": route(rpm, tpm)},
        headroom=headroom,
        tolerance_s=tolerance_s,
        clock=time,
        sleep=time.sleep,
    )


def row(sessions: sessionmaker[Session]) -> tuple[float, float] | None:
    with sessions() as session:
        return PacingRepository(session).get("r")


async def test_requests_are_spaced_at_60_over_rpm_times_headroom(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, rpm=120, headroom=0.8)
    starts = [(await paced.acquire("r", 10)).start_at for _ in range(5)]
    interval = 60 / (120 * 0.8)
    request_s, token_s = paced.intervals("r")
    assert request_s == pytest.approx(interval)
    assert token_s == 0.0
    assert starts == pytest.approx([T0 + i * interval for i in range(5)])
    assert time.sleeps == pytest.approx([interval] * 4)


async def test_the_tolerance_lets_a_short_burst_start_at_once_and_no_more(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, rpm=60, tolerance_s=2.5)
    reservations = [await paced.acquire("r", 1) for _ in range(6)]
    # slots at T0, T0+1, ... ; each may start up to 2.5 s early, never before it was asked
    assert [r.slot_at for r in reservations] == pytest.approx([T0 + i for i in range(6)])
    starts = [r.start_at for r in reservations]
    assert starts == pytest.approx([T0, T0, T0, T0 + 0.5, T0 + 1.5, T0 + 2.5])
    assert [r.waited_s for r in reservations] == pytest.approx([0, 0, 0, 0.5, 1.0, 1.0])


async def test_token_reservations_are_spaced_by_their_size(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, tpm=6000, headroom=0.5)  # 1 token = 60/3000 s = 0.02 s
    sizes = [500, 100, 250, 50]
    starts = [(await paced.acquire("r", size)).start_at for size in sizes]
    assert starts == pytest.approx([T0, T0 + 10.0, T0 + 12.0, T0 + 17.0])


async def test_the_stricter_of_requests_and_tokens_sets_the_pace(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, rpm=60, tpm=60_000)  # 1 s a request, 1 ms a token
    small = [(await paced.acquire("r", 100)).start_at for _ in range(3)]
    large = [(await paced.acquire("r", 5000)).start_at for _ in range(2)]
    assert small == pytest.approx([T0, T0 + 1, T0 + 2])
    # requests would allow T0+3, T0+4; 5000 tokens take 5 s each
    assert large == pytest.approx([T0 + 3, T0 + 8])


async def test_settle_gives_back_the_tokens_a_call_did_not_use(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, tpm=6000)  # 0.01 s a token
    booked = await paced.acquire("r", 1000)
    assert row(sessions) == pytest.approx((T0, T0 + 10.0))
    await paced.settle(booked, used_tokens=200)
    assert row(sessions) == pytest.approx((T0, T0 + 2.0))
    following = await paced.acquire("r", 100)
    assert following.start_at == pytest.approx(T0 + 2.0)


async def test_settle_takes_more_when_the_call_used_more_and_keeps_the_booking_when_unknown(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, tpm=6000)
    booked = await paced.acquire("r", 100)
    await paced.settle(booked, used_tokens=400)
    assert row(sessions) == pytest.approx((T0, T0 + 4.0))
    await paced.settle(booked, used_tokens=None)
    assert row(sessions) == pytest.approx((T0, T0 + 4.0))


@pytest.mark.parametrize("tolerance_s", [0.0, 1.0, 3.0])
async def test_a_429_retry_after_holds_the_route_for_later_reservations(
    sessions: sessionmaker[Session], tolerance_s: float
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, rpm=600, tpm=600_000, tolerance_s=tolerance_s)
    first = await paced.acquire("r", 10)
    await paced.settle(first, used_tokens=0, retry_after_s=2.0)
    later = [await paced.acquire("r", 10) for _ in range(3)]
    # the tolerance must not let anything start before the provider's time
    assert later[0].start_at == pytest.approx(T0 + 2.0)
    assert all(r.start_at >= T0 + 2.0 - 1e-9 for r in later)


async def test_an_exhausted_request_budget_holds_an_unpaced_route_until_its_reset(
    sessions: sessionmaker[Session],
) -> None:
    # rpm is not declared, so there is no pace to derive a shorter wait from: the reset wins
    time = FakeTime()
    paced = pacer(sessions, time, tpm=600_000, tolerance_s=1.0)
    first = await paced.acquire("r", 10)
    await paced.settle(first, 10, RateLimitHeaders.parse({"x-ratelimit-remaining-requests": "3"}))
    assert (await paced.acquire("r", 10)).start_at == pytest.approx(T0)
    second = await paced.acquire("r", 10)
    exhausted = RateLimitHeaders.parse(
        {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "7.5s"}
    )
    await paced.settle(second, 10, exhausted)
    assert (await paced.acquire("r", 10)).start_at == pytest.approx(T0 + 7.5)


async def test_an_exhausted_request_budget_holds_a_paced_route_one_interval_not_the_reset(
    sessions: sessionmaker[Session],
) -> None:
    # a sliding window frees one request per interval; waiting for its full reset idles the route
    time = FakeTime()
    paced = pacer(sessions, time, rpm=60, tpm=600_000)
    await paced.acquire("r", 10)
    time.now = T0 + 30.0  # the route has been idle: its own pace would let a call start now
    second = await paced.acquire("r", 10)
    assert second.start_at == pytest.approx(T0 + 30.0)
    exhausted = RateLimitHeaders.parse(
        {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "45s"}
    )
    await paced.settle(second, 10, exhausted)
    # one interval (60 / 60 rpm = 1 s) from now, then the pace continues: not 45 s of silence
    third = await paced.acquire("r", 10)
    assert third.start_at == pytest.approx(T0 + 31.0)


async def test_too_few_remaining_tokens_hold_the_route_until_the_missing_tokens_are_freed(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, tpm=6_000)  # 0.01 s of token time per token
    first = await paced.acquire("r", 500)
    time.now = T0 + 30.0
    low = RateLimitHeaders.parse(
        {"x-ratelimit-remaining-tokens": "120", "x-ratelimit-reset-tokens": "1m0s"}
    )
    await paced.settle(first, 500, low)
    # 380 tokens missing leave the window in 3.8 s at the route's pace, long before the reset
    assert (await paced.acquire("r", 500)).start_at == pytest.approx(T0 + 30.0 + 3.8)


async def test_too_few_remaining_tokens_on_an_unpaced_route_hold_until_the_token_reset(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time, rpm=600)  # no tpm declared: nothing to derive a pace from
    first = await paced.acquire("r", 500)
    low = RateLimitHeaders.parse(
        {"x-ratelimit-remaining-tokens": "120", "x-ratelimit-reset-tokens": "1m0s"}
    )
    await paced.settle(first, 500, low)
    assert (await paced.acquire("r", 500)).start_at == pytest.approx(T0 + 60.0)


async def test_unlimited_routes_never_touch_the_database(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    paced = pacer(sessions, time)
    reservation = await paced.acquire("r", 10_000)
    await paced.settle(reservation, 10, RateLimitHeaders(remaining_requests=0))
    assert (reservation.start_at, reservation.waited_s, reservation.slot_at) == (T0, 0.0, None)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(RoutePacing)) == 0
    assert time.sleeps == []


async def test_two_pacers_on_one_database_share_the_limit(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    one = pacer(sessions, time, rpm=60)
    two = pacer(sessions, time, rpm=60)
    slots = []
    for _ in range(3):
        slots.append((await one.acquire("r", 1)).slot_at)
        slots.append((await two.acquire("r", 1)).slot_at)
    assert slots == pytest.approx([T0 + i for i in range(6)])


def test_headroom_and_tolerance_are_checked(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="headroom"):
        RoutePacer(sessions, {"r": route(60)}, headroom=1.5)
    with pytest.raises(ValueError, match="tolerance"):
        RoutePacer(sessions, {"r": route(60)}, tolerance_s=-1)
