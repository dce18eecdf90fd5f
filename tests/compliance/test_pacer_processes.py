"""Several worker processes pace one route together through the shared database row.

Three ``spawn`` processes (fresh interpreters, as separate workers would be) each book slots on
the same route of the same database — the test's SQLite file, or PostgreSQL when configured —
with the real clock. GCRA gives every booking its own slot at least one interval after the
previous one, and a booking may start at most ``tolerance_s`` before its slot, so in any window
of ``W`` seconds at most ``floor((W + tolerance_s) / interval) + 1`` bookings start.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
from bisect import bisect_right
from itertools import pairwise
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from queue import Empty

from compliance.gateway.pacer import RoutePacer
from compliance.gateway.routes import RouteConfig
from storage.engine import make_engine, session_factory

PROCESSES = 3
TASKS_PER_PROCESS = 4
SLOTS_PER_TASK = 20
RPM = 6000
HEADROOM = 0.97
TOLERANCE_S = 0.05
WINDOW_S = 1.0
#: Slot times are Unix seconds (~1.8e9) in float64: ~2.4e-7 s of rounding per operation.
EPSILON_S = 1e-5


Booked = list[tuple[float, float]]


def _book(database_url: str, start: Barrier, results: Queue[Booked | str]) -> None:
    """One worker process: a few concurrent tasks, each booking slots one after the other."""
    engine = make_engine(database_url)
    config = RouteConfig(base_url="http://p/v1", model="m", region="KZ", rpm=RPM)
    pacer = RoutePacer(
        session_factory(engine), {"shared": config}, headroom=HEADROOM, tolerance_s=TOLERANCE_S
    )

    async def task() -> list[tuple[float, float]]:
        booked = []
        for _ in range(SLOTS_PER_TASK):
            reservation = await pacer.acquire("shared", 50)
            assert reservation.slot_at is not None
            booked.append((reservation.slot_at, reservation.start_at))
        return booked

    async def main() -> list[tuple[float, float]]:
        per_task = await asyncio.gather(*(task() for _ in range(TASKS_PER_PROCESS)))
        return [item for items in per_task for item in items]

    try:
        start.wait(timeout=60)
        results.put(asyncio.run(main()))
    except BaseException as exc:
        results.put(repr(exc))
        raise
    finally:
        engine.dispose()


def most_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max(bisect_right(ordered, t + window) - i for i, t in enumerate(ordered))


def test_three_processes_share_one_route_limit(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results: Queue[Booked | str] = context.Queue()
    workers = [
        context.Process(target=_book, args=(database_url, start, results), daemon=True)
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    booked: list[tuple[float, float]] = []
    try:
        for _ in workers:
            result = results.get(timeout=120)
            assert not isinstance(result, str), f"a worker failed: {result}"
            booked.extend(result)
    except Empty:
        raise AssertionError("a worker process did not report its bookings") from None
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    assert all(worker.exitcode == 0 for worker in workers)

    total = PROCESSES * TASKS_PER_PROCESS * SLOTS_PER_TASK
    assert len(booked) == total
    slots = sorted(slot for slot, _ in booked)
    starts = [start_at for _, start_at in booked]
    interval = 60.0 / (RPM * HEADROOM)

    # every booking got its own slot, one interval after the previous one
    assert len(set(slots)) == total
    gaps = [later - earlier for earlier, later in pairwise(slots)]
    assert min(gaps) >= interval - EPSILON_S
    # a booking starts within the tolerance before its slot, never after it
    assert all(slot - TOLERANCE_S - EPSILON_S <= at <= slot + EPSILON_S for slot, at in booked)
    # so no window of 1 s holds more starts than the limit allows (rpm/60 = 100 plus the burst)
    bound = math.floor((WINDOW_S + TOLERANCE_S + 2 * EPSILON_S) / interval) + 1
    assert bound <= RPM / 60 * (1 + TOLERANCE_S / WINDOW_S) + 1
    assert most_in_any_window(starts, WINDOW_S) <= bound
    # and the pacer did pace: the bookings needed more than one window to start
    assert max(starts) - min(starts) >= (total - bound) * interval - EPSILON_S
