"""Audit log figures: sustained appends from several processes, verify and prove at 1,000,000.

    python bench/audit.py appends                 # 3 writer processes x 64 tasks, 20 s, SQLite
    python bench/audit.py appends --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_audit
    python bench/audit.py million                 # fill 1,000,000 entries, verify, prove
    python bench/audit.py million --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_audit
    python bench/audit.py ... --json

``appends``: each writer process (``spawn``: a fresh interpreter, as a worker would be) runs
``--tasks`` concurrent loops of ``await AuditObserver.observe(request, attempt)`` — the real
append path: entry built from a request and an attempt, batched, committed before it returns,
checkpoints every 1,000 entries or 60 s — for ``--seconds``. Reported: entries/s over the
wall time of the run, per-append latency (time to a durable ack), batches, and ``audit
verify`` of the result. ``million``: fills ``--entries`` entries in batches of 5,000 (one
process), then times ``verify_log`` over all of them and ``--proofs`` inclusion proofs of
random entries, end to end as ``nightshift audit proof`` does (new session: read the entry,
its checkpoint and O(log n) nodes; verify the signature and the proof), and the proof alone in
an open session.

A PostgreSQL ``--database-url`` must name a throw-away database: it is created and dropped
(never ``test``). Nothing here asserts on time; the figures go into docs/audit.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import time
from decimal import Decimal
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from common import (
    REPO,
    base_parser,
    create_database,
    drop_database,
    emit,
    machine,
    say,
    verdict,
    workspace,
)

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

APPENDS_TARGET = 2000.0
VERIFY_TARGET_S = 60.0
PROOF_TARGET_MS = 10.0


def _request_and_attempt(n: int) -> tuple[Any, Any]:
    from compliance.gateway.calls import Attempt, ModelRequest, Outcome

    request = ModelRequest(
        step="extract", prompt_version="extract.v1", messages=(), path="nightly",
        run_id="bench-run", document_id=n, caller_key_id="bench", masked_counts={"PERSON": 2},
    )  # fmt: skip
    attempt = Attempt(
        number=1, route="default", model="small-model", outcome=Outcome.OK, http_status=200,
        tokens_in=600, tokens_out=120, cost=Decimal("0.081000"), latency_ms=412.7,
        request_sha256="sha256:" + "ab" * 32, response_sha256="sha256:" + "cd" * 32,
    )  # fmt: skip
    return request, attempt


def _writer(
    url: str, keys: str, tasks: int, seconds: float, start: Barrier, out: Queue[Any]
) -> None:
    """One writer process: ``tasks`` loops appending through the observer until the deadline."""
    from compliance.audit.log import AuditLog
    from compliance.audit.observer import AuditObserver
    from compliance.gateway.routes import simulator_route
    from storage.engine import make_engine, session_factory

    engine = make_engine(url)
    log = AuditLog.open(session_factory(engine), Path(keys))
    observer = AuditObserver(log, {"default": simulator_route()})
    latencies: list[float] = []

    async def loop(deadline: float, first: int) -> None:
        n = first
        while time.monotonic() < deadline:
            request, attempt = _request_and_attempt(n)
            began = time.perf_counter()
            await observer.observe(request, attempt)
            latencies.append(time.perf_counter() - began)
            n += 1

    async def main() -> float:
        began = time.monotonic()
        deadline = began + seconds
        await asyncio.gather(*(loop(deadline, t * 10_000_000) for t in range(tasks)))
        return time.monotonic() - began

    try:
        start.wait(timeout=120)
        began = time.time()
        elapsed = asyncio.run(main())
        out.put({"appends": len(latencies), "elapsed": elapsed, "began": began,
                 "ended": began + elapsed, "latencies": latencies})  # fmt: skip
    except BaseException as exc:
        out.put({"error": repr(exc)})
        raise
    finally:
        engine.dispose()


def _database(args: argparse.Namespace, root: Path) -> str:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    url = args.database_url or f"sqlite:///{root / 'audit.db'}"
    if args.database_url:
        create_database(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _verify(url: str, keys_dir: Path) -> tuple[Any, float]:
    from compliance.audit.keys import AuditKeys
    from compliance.audit.verify import verify_log
    from storage.engine import make_engine, session_factory

    engine = make_engine(url)
    try:
        began = time.perf_counter()
        report = verify_log(session_factory(engine), AuditKeys.load(keys_dir).verifiers)
        return report, time.perf_counter() - began
    finally:
        engine.dispose()


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run_appends(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    from compliance.audit.keys import AuditKeys

    url = _database(args, root)
    keys_dir = root / "keys"
    AuditKeys.ensure(keys_dir)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(args.processes)
    out: Queue[Any] = context.Queue()
    say(args, f"{args.processes} writers x {args.tasks} tasks for {args.seconds:.0f} s ...")
    work = (url, str(keys_dir), args.tasks, args.seconds, start, out)
    procs = [context.Process(target=_writer, args=work) for _ in range(args.processes)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=args.seconds + 300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError(f"a writer failed: {errors}")
    total = sum(r["appends"] for r in results)
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results)
    latencies = [x for r in results for x in r["latencies"]]
    report, verify_s = _verify(url, keys_dir)
    return {
        "database": "postgresql" if args.database_url else "sqlite",
        "processes": args.processes, "tasks_per_process": args.tasks, "entries": total,
        "wall_s": round(wall, 2), "entries_per_s": round(total / wall, 1),
        "latency_p50_ms": _ms(latencies, 0.5), "latency_p99_ms": _ms(latencies, 0.99),
        "checkpoints": report.checkpoints, "verify_ok": report.ok,
        "verified_entries": report.tree_size, "verify_s": round(verify_s, 2),
        "target_met": total / wall >= APPENDS_TARGET and report.ok,
    }  # fmt: skip


def _fill(url: str, keys_dir: Path, entries: int, args: argparse.Namespace) -> float:
    from compliance.audit.log import AuditLog
    from compliance.audit.observer import draft_entry
    from compliance.gateway.routes import simulator_route
    from storage.engine import make_engine, session_factory
    from storage.types import utcnow

    engine = make_engine(url)
    log = AuditLog.open(session_factory(engine), keys_dir)
    route = simulator_route()
    began = time.perf_counter()
    for start in range(0, entries, 5000):
        drafts = [draft_entry(*_request_and_attempt(n), route, utcnow())
                  for n in range(start, min(start + 5000, entries))]  # fmt: skip
        log.append_batch(drafts)
        if start % 100_000 == 0:
            say(args, f"  filled {start:,}")
    log.checkpoint_now()
    engine.dispose()
    return time.perf_counter() - began


def _prove(url: str, keys_dir: Path, size: int, count: int) -> list[float]:
    from compliance.audit.keys import AuditKeys
    from compliance.audit.merkle import leaf_hash, verify_inclusion
    from compliance.audit.note import open_checkpoint
    from compliance.audit.tree import StoredTree
    from storage.engine import make_engine, session_factory
    from storage.repositories.audit import AuditRepository

    engine = make_engine(url)
    sessions, verifiers = session_factory(engine), AuditKeys.load(keys_dir).verifiers
    rng, took = random.Random(1), []
    for seq in (rng.randrange(size) for _ in range(count)):
        began = time.perf_counter()
        with sessions() as session:
            repo = AuditRepository(session)
            entry, row = repo.entry(seq), repo.checkpoint_at_least(seq + 1)
            assert entry is not None and row is not None
            checkpoint, _ = open_checkpoint(row.note, verifiers)
            proof = StoredTree(repo).inclusion_proof(seq, checkpoint.tree_size)
        assert verify_inclusion(seq, checkpoint.tree_size, leaf_hash(entry.entry), proof,
                                checkpoint.root)  # fmt: skip
        took.append(time.perf_counter() - began)
    engine.dispose()
    return took


def _prove_in_session(url: str, size: int, count: int) -> list[float]:
    """The proof alone: O(log n) stored nodes read in an open session, hashed into a path."""
    from compliance.audit.tree import StoredTree
    from storage.engine import make_engine, session_factory
    from storage.repositories.audit import AuditRepository

    engine = make_engine(url)
    rng, took = random.Random(2), []
    with session_factory(engine)() as session:
        tree = StoredTree(AuditRepository(session))
        for seq in (rng.randrange(size) for _ in range(count)):
            began = time.perf_counter()
            tree.inclusion_proof(seq, size)
            took.append(time.perf_counter() - began)
    engine.dispose()
    return took


def run_million(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    url = _database(args, root)
    keys_dir = root / "keys"
    say(args, f"filling {args.entries:,} entries ...")
    fill_s = _fill(url, keys_dir, args.entries, args)
    say(args, "verifying ...")
    report, verify_s = _verify(url, keys_dir)
    took = _prove(url, keys_dir, args.entries, args.proofs)
    alone = _prove_in_session(url, args.entries, args.proofs)
    return {
        "database": "postgresql" if args.database_url else "sqlite",
        "entries": args.entries, "fill_s": round(fill_s, 1),
        "fill_entries_per_s": round(args.entries / fill_s, 1),
        "verify_ok": report.ok, "verify_s": round(verify_s, 2),
        "checkpoints": report.checkpoints, "proofs": len(took),
        "proof_p50_ms": _ms(took, 0.5), "proof_p99_ms": _ms(took, 0.99),
        "proof_max_ms": round(1000 * max(took), 2),
        "proof_in_session_p50_ms": _ms(alone, 0.5), "proof_in_session_p99_ms": _ms(alone, 0.99),
        "target_met": verify_s <= VERIFY_TARGET_S and _ms(took, 0.5) <= PROOF_TARGET_MS,
    }  # fmt: skip


def _lines(result: dict[str, Any]) -> list[str]:
    lines = [f"{key:<22} {value}" for key, value in result.items() if key != "machine"]
    lines.append(f"{'targets':<22} {verdict(bool(result['target_met']))}")
    return lines


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("figure", choices=["appends", "million"])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=64, help="concurrent appends per process")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args()
    run = run_appends if args.figure == "appends" else run_million
    with workspace(f"audit-{args.figure}", args.keep) as root:
        try:
            result = run(args, root)
        finally:
            if args.database_url:
                drop_database(args.database_url)
    result["machine"] = machine()
    emit(args, result, _lines(result))


if __name__ == "__main__":
    main()
