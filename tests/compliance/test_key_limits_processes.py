"""Several worker processes book against the same caller keys through one database, and every
limit holds exactly: no 60-second window admits more than ``rpm`` calls, and the daily-token and
monthly-money windows admit exactly as many calls as fit.

Three ``spawn`` processes (fresh interpreters, as separate API workers would be), each with two
concurrent tasks, share the test's SQLite file or PostgreSQL database. Time is a fake clock
shared by the processes (each reading advances it by 0.25 s), so three minutes of traffic at
~240 calls/min on the rpm key take a few seconds; the processes still race for real on the
database. The rpm bound does not depend on the order in which the bookings reach the database:
a call takes a slot only when the slot's previous call started at least 60 s earlier.
"""

from __future__ import annotations

import asyncio
import contextvars
import multiprocessing
from bisect import bisect_left
from decimal import Decimal
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Empty

from sqlalchemy.orm import Session, sessionmaker

from compliance.gateway.calls import ModelRequest
from compliance.gateway.routes import RouteConfig
from compliance.keys.callers import CallerKeys, KeyLimits, Role, load_hash_secret
from compliance.keys.limits import DAILY_TOKENS, MONTHLY_BUDGET, RPM, KeyLimiter
from storage.engine import make_engine, session_factory

PROCESSES = 3
TASKS_PER_PROCESS = 2
ROUNDS_PER_TASK = 40
TICK_S = 0.25
#: 2026-11-27 12:00 UTC: the three fake minutes stay inside one day and one month.
T0 = 1_795_780_800.0
ROUTE = RouteConfig(
    base_url="http://llm.bank.kz/v1",
    model="m",
    region="KZ",
    price_input_per_1m=Decimal(1000),
    price_output_per_1m=Decimal(2000),
)
#: 203 tokens and 0.303 of money booked per call (see test_key_limits.py).
CONTENT = "x" * 396
DAILY_CALLS = 50
MONTHLY_CALLS = 40

#: (key name, fake time, refusal reason or None, retry-after)
Booked = list[tuple[str, float, str | None, float | None]]


def _request(key_id: str) -> ModelRequest:
    return ModelRequest(
        step="categorize",
        prompt_version="categorize.v1",
        messages=({"role": "user", "content": CONTENT},),
        max_tokens=100,
        path="online",
        caller_key_id=key_id,
        masked=True,
    )


def _book(
    database_url: str,
    keys: dict[str, str],
    clock: Synchronized[float],
    start: Barrier,
    results: Queue[Booked | str],
) -> None:
    """One worker process: two tasks, each booking on every key in turn."""
    engine = make_engine(database_url)
    #: The time each task's last booking was made at (the limiter reads the clock once a call).
    last = contextvars.ContextVar("last", default=0.0)

    def now() -> float:
        with clock.get_lock():
            clock.value += TICK_S
            value = float(clock.value)
        last.set(value)
        return value

    async def nothing(_: float) -> None:
        return None

    limiter = KeyLimiter(session_factory(engine), clock=now, sleep=nothing)

    async def task() -> Booked:
        booked: Booked = []
        for _ in range(ROUNDS_PER_TASK):
            for name, key_id in keys.items():
                refusal = await limiter.check(_request(key_id), "home", ROUTE)
                booked.append(
                    (
                        name,
                        last.get(),
                        refusal.reason if refusal else None,
                        refusal.retry_after_s if refusal else None,
                    )
                )
        return booked

    async def main() -> Booked:
        per_task = await asyncio.gather(*(task() for _ in range(TASKS_PER_PROCESS)))
        return [item for items in per_task for item in items]

    try:
        start.wait(timeout=120)
        results.put(asyncio.run(main()))
    except BaseException as exc:
        results.put(repr(exc))
        raise
    finally:
        engine.dispose()


def most_in_any_window(times: list[float], window: float) -> int:
    """The most times inside any half-open window ``[t, t + window)``."""
    ordered = sorted(times)
    return max(bisect_left(ordered, t + window) - i for i, t in enumerate(ordered))


def _create_keys(sessions: sessionmaker[Session], keys_dir: Path) -> dict[str, str]:
    keys = CallerKeys(sessions, load_hash_secret(keys_dir))
    limits = {
        "rpm": KeyLimits(rpm=60),
        "daily": KeyLimits(daily_tokens=DAILY_CALLS * 203),
        "monthly": KeyLimits(monthly_budget=MONTHLY_CALLS * Decimal("0.303")),
    }
    return {name: keys.create(name, Role.CLIENT, value)[0].key_id for name, value in limits.items()}


def _run_workers(database_url: str, keys: dict[str, str]) -> Booked:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    clock = context.Value("d", T0)
    results: Queue[Booked | str] = context.Queue()
    workers = [
        context.Process(target=_book, args=(database_url, keys, clock, start, results), daemon=True)
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    booked: Booked = []
    try:
        for _ in workers:
            result = results.get(timeout=300)
            assert not isinstance(result, str), f"a worker failed: {result}"
            booked.extend(result)
    except Empty:
        raise AssertionError("a worker process did not report its bookings") from None
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    assert all(worker.exitcode == 0 for worker in workers)
    return booked


def test_three_processes_share_each_key_limit_exactly(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    keys = _create_keys(sessions, tmp_path / "keys")

    booked = _run_workers(database_url, keys)

    per_key = PROCESSES * TASKS_PER_PROCESS * ROUNDS_PER_TASK
    by_key = {name: [b for b in booked if b[0] == name] for name in keys}
    assert {name: len(items) for name, items in by_key.items()} == dict.fromkeys(keys, per_key)

    # requests/min: never more than 60 starts in any 60-second window, across all processes
    admitted = [at for _, at, reason, _ in by_key["rpm"] if reason is None]
    refused = [(at, after) for _, at, reason, after in by_key["rpm"] if reason is not None]
    assert most_in_any_window(admitted, 60.0) <= 60
    # ... while ~180 s of offered traffic at ~80/min was admitted at the limit's pace
    span = max(at for _, at, _, _ in booked) - T0
    assert span >= 170 and len(admitted) >= 120
    assert {reason for _, _, reason, _ in by_key["rpm"]} == {None, RPM}
    # a refused call is told to wait until its key's oldest slot is one window (+ the limiter's
    # 0.5-s margin) old. Each process reads the shared fake clock *before* it waits for the
    # database lock, and meanwhile the others move the clock on, so the slot can be newer than
    # the refused call's reading (seen: by 4 s of fake time; on real clocks, the lock wait).
    # Bound: no slot is newer than the last admitted call.
    last_admitted = max(admitted)
    outside = [
        (at, after)
        for at, after in refused
        if after is None or not 0 < after <= 60.5 + max(0.0, last_admitted - at)
    ]
    assert outside == []

    # tokens/day and money/month: exactly as many calls as fit, whoever booked them
    daily = [reason for _, _, reason, _ in by_key["daily"]]
    monthly = [reason for _, _, reason, _ in by_key["monthly"]]
    assert daily.count(None) == DAILY_CALLS and set(daily) == {None, DAILY_TOKENS}
    assert monthly.count(None) == MONTHLY_CALLS and set(monthly) == {None, MONTHLY_BUDGET}
