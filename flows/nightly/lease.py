"""The nightly run lease: at most one nightly run works at a time, on any host.

A nightly run's ``runs`` row is its lease: status 'running', the owner (host name, process id)
and a heartbeat the run records every ``nightly.heartbeat_s``. A partial unique index allows at
most one such row. Before a new run plans, it looks at the running row, if any:

* **dead** — its last heartbeat (its start, before the first one) is older than
  ``nightly.lease_timeout_s``, or it was started on this host by a process that no longer exists
  (a SIGKILL): it is marked 'crashed' and the new run starts at once;
* **alive** — the new run does not start: :class:`RunInProgress` says which run holds the lease.

Two runs that start at the same instant both try to insert their row; the index lets one in and
the other gets an ``IntegrityError``, reported as the same :class:`RunInProgress`. Hosts that
share a database must have distinct host names and clocks kept in step (NTP): the heartbeat age
is read against the reader's clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import transaction
from storage.errors import NightshiftError
from storage.models import Run, RunKind
from storage.repositories.runs import RunRepository

logger = logging.getLogger("nightshift.nightly")

#: Ids of the runs whose lease this process holds (a run of this pid not listed here is dead).
_HELD: set[str] = set()


@dataclass(frozen=True)
class Owner:
    """The process that runs a nightly run."""

    host: str
    pid: int

    @classmethod
    def current(cls) -> Owner:
        return cls(socket.gethostname()[:255], os.getpid())


@dataclass(frozen=True)
class LiveRun:
    """What a refused run reports about the run that holds the lease (ids and times only)."""

    run_id: str
    started_at: datetime
    host: str | None
    pid: int | None
    heartbeat_age_s: float | None
    lease_timeout_s: float

    @classmethod
    def of(cls, run: Run, now: datetime, lease_timeout_s: float) -> LiveRun:
        age = None if run.heartbeat_at is None else (now - run.heartbeat_at).total_seconds()
        return cls(run.id, run.started_at, run.owner_host, run.owner_pid, age, lease_timeout_s)


class RunInProgress(NightshiftError):
    """Another nightly run holds the lease; this one did not start (nothing was planned)."""

    def __init__(self, live: LiveRun | None, lease_timeout_s: float) -> None:
        self.live = live
        if live is None:
            what = "another nightly run started at the same moment"
        else:
            started = live.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            owner = f"host {live.host or 'unknown'}, pid {live.pid or 'unknown'}"
            beat = (
                "no heartbeat yet"
                if live.heartbeat_age_s is None
                else f"last heartbeat {max(live.heartbeat_age_s, 0.0):.0f} s ago"
            )
            what = (
                f"nightly run {live.run_id[:8]} is in progress "
                f"(started {started} on {owner}; {beat})"
            )
        super().__init__(
            f"{what}; this run did not start. Wait for that run to finish, or stop it: a run "
            f"without a heartbeat for nightly.lease_timeout_s ({lease_timeout_s:g} s), or whose "
            "process is gone from this host, is marked crashed by the next run."
        )


def process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (it may belong to another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def why_dead(run: Run, now: datetime, lease_timeout_s: float, here: Owner) -> str | None:
    """Why a 'running' nightly run is dead, or None when it is alive."""
    last = run.heartbeat_at or run.started_at
    silent = (now - last).total_seconds()
    if silent > lease_timeout_s:
        return f"no heartbeat for {silent:.0f} s"
    if run.owner_host != here.host or run.owner_pid is None:
        return None
    if run.owner_pid == here.pid:
        return None if run.id in _HELD else "this process no longer runs it"
    return None if process_exists(run.owner_pid) else "its process is gone"


def take_over(runs: RunRepository, now: datetime, lease_timeout_s: float) -> None:
    """Mark dead running nightly runs crashed; raise :class:`RunInProgress` for a live one."""
    here = Owner.current()
    for run in runs.running(RunKind.NIGHTLY.value):
        reason = why_dead(run, now, lease_timeout_s, here)
        if reason is None:
            raise RunInProgress(LiveRun.of(run, now, lease_timeout_s), lease_timeout_s)
        runs.mark_crashed(run.id, now)
        logger.warning("nightly run %s marked crashed: %s", run.id[:8], reason)


def in_progress(sessions: sessionmaker[Session], lease_timeout_s: float) -> RunInProgress:
    """The error for a run that lost the race to insert its row: names the winner if found."""
    with transaction(sessions) as session:
        running = RunRepository(session).running(RunKind.NIGHTLY.value)
        now = datetime.now(UTC)
        live = LiveRun.of(running[0], now, lease_timeout_s) if running else None
    return RunInProgress(live, lease_timeout_s)


def hold(run_id: str) -> None:
    """This process holds the lease of ``run_id`` (called before its row is inserted)."""
    _HELD.add(run_id)


def release(run_id: str) -> None:
    _HELD.discard(run_id)


@asynccontextmanager
async def heartbeats(
    sessions: sessionmaker[Session],
    run_id: str,
    interval_s: float,
    on_lost: Callable[[], None],
) -> AsyncIterator[None]:
    """Record a heartbeat every ``interval_s`` while the body runs.

    If the row is no longer 'running' (another run found no heartbeat for too long and marked
    it crashed), ``on_lost`` is called once and the heartbeats stop.
    """
    beating = asyncio.create_task(_beat(sessions, run_id, interval_s, on_lost))
    try:
        yield
    finally:
        beating.cancel()
        with suppress(asyncio.CancelledError):
            await beating


async def _beat(
    sessions: sessionmaker[Session],
    run_id: str,
    interval_s: float,
    on_lost: Callable[[], None],
) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            alive = await asyncio.to_thread(_record, sessions, run_id)
        except SQLAlchemyError as exc:
            logger.warning(
                "heartbeat of nightly run %s failed (%s); next try in %g s",
                run_id[:8],
                type(exc).__name__,
                interval_s,
            )
            continue
        if not alive:
            logger.error(
                "nightly run %s lost its lease (another run marked it crashed): "
                "it starts no new document",
                run_id[:8],
            )
            on_lost()
            return


def _record(sessions: sessionmaker[Session], run_id: str) -> bool:
    with transaction(sessions) as session:
        return RunRepository(session).heartbeat(run_id, datetime.now(UTC))
