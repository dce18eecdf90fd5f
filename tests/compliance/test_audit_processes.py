"""Several worker processes append to one log at once: one contiguous, verifiable tree.

Three ``spawn`` processes (fresh interpreters, as separate workers would be) each run many
concurrent appends against the test database — the SQLite file, or PostgreSQL when configured.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.keys import AuditKeys
from compliance.audit.verify import verify_log
from storage.engine import make_engine, session_factory
from tests.compliance.test_audit_helpers import all_entries, draft, make_log

PROCESSES = 3
TASKS = 8
APPENDS_PER_TASK = 25


def _append(url: str, keys_dir: str, worker: int, start: Barrier, done: Queue[str]) -> None:
    """One worker process: many concurrent appends to the shared log."""
    engine = None
    try:
        engine = make_engine(url)
        log = make_log(session_factory(engine), Path(keys_dir), every_entries=50)

        async def task(t: int) -> None:
            for n in range(APPENDS_PER_TASK):
                await log.append(draft(worker * 10_000 + t * 100 + n))

        async def main() -> None:
            await asyncio.gather(*(task(t) for t in range(TASKS)))

        start.wait(timeout=60)
        asyncio.run(main())
        done.put("ok")
    except BaseException as exc:
        done.put(repr(exc))
        raise
    finally:
        if engine is not None:
            engine.dispose()


def test_three_processes_appending_at_once_build_one_contiguous_verified_log(
    database_url: str, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    keys_dir = tmp_path / "keys"
    AuditKeys.ensure(keys_dir)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    done: Queue[str] = context.Queue()
    workers = [
        context.Process(target=_append, args=(database_url, str(keys_dir), w, start, done))
        for w in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [done.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    total = PROCESSES * TASKS * APPENDS_PER_TASK
    report = verify_log(sessions, AuditKeys.load(keys_dir).verifiers)
    documents = sorted(json.loads(data)["document_id"] for data in all_entries(engine))
    assert outcomes == ["ok"] * PROCESSES
    assert report.ok, report
    assert report.tree_size == total
    assert report.checkpoints > 1
    assert documents == sorted(
        w * 10_000 + t * 100 + n
        for w in range(PROCESSES)
        for t in range(TASKS)
        for n in range(APPENDS_PER_TASK)
    )
