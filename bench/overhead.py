"""Overhead: documents/s of our nightly run vs a bare ``AsyncOpenAI`` loop, same simulator.

    python bench/overhead.py                   # 2 rounds x 1,000 documents, concurrency 32 (~3 min)
    python bench/overhead.py --documents 500 --rounds 1 --prefect --json

One simulator process (no latency, no limits) serves every phase, one after the other:

1. warm-up: ours, then the bare loop, on the first ``--warmup`` documents (imports, models,
   connections, caches);

then ``--rounds`` times, each round on new documents (alternating limits the drift of a shared
machine; ratios are given per round and over all rounds):

2. **ours**: ``run_nightly`` called directly (no Prefect) on the next ``--documents`` documents:
   plan, load + decrypt + mask once (where the tree masks), gateway (the route has no rpm/tpm,
   so the pacer books nothing), audit entries (where the tree audits), schema validation,
   quality gates, step results sealed and saved, document status;
3. **bare**: one ``openai.AsyncOpenAI`` client (same httpx2 pool size) making the same calls for
   the same documents: extract and categorize prompts rendered beforehand with
   ``flows.prompts.PromptRegistry`` from the same document views ours sent (the masked views
   ours left in the vault, when the tree masks; not timed), draft rendered from the
   parsed answers (skipped for ``no_reply_needed``, as ours does), the same ``response_format``,
   ``json.loads`` of every answer; documents bounded by a semaphore of the same size;
4. simulator capacity: the bare client with a trivial prompt (no schema, ``max_tokens`` 16);
5. ``--prefect`` (optional): ``nightly_flow`` under an ephemeral Prefect server on the next
   ``--documents`` documents, in a child process, reported separately: the rate inside the flow
   (``run_nightly``'s own duration) and the rate including process and server start-up;
6. profile: ``run_nightly`` again on ``--profile-documents`` more documents, sampled from
   outside by py-spy (``--gil``: the thread holding the GIL, i.e. where the process's one core
   of Python goes), grouped by area; then on as many more under cProfile — the event-loop
   thread and every worker thread of the default executor (``asyncio.to_thread``: database,
   pacer, decrypt, masking) — printed as the top functions by cumulative time.

Each phase also reports client CPU (this process) and simulator CPU per document, and the CPU
other processes used meanwhile, from ``/proc``: when the simulator's CPU approaches one full
core it, not our code, bounds the rate; when others use a core, the rates are noise-bound.
cProfile slows the profiled run down several times (its rate is not a figure); coroutine
"calls" in its table count resumptions, not calls.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import (
    REPO,
    BenchHome,
    SimulatorProcess,
    base_parser,
    children_cpu_seconds,
    document_statuses,
    emit,
    ingest_samples,
    machine,
    machine_busy_seconds,
    percent,
    route_config,
    say,
    verdict,
    wait_for_quiet,
    workspace,
)

TRIVIAL_CALLS = 3000
MODEL = "small-model"


class Meter:
    """Wall time, this process's CPU and the simulator's CPU over one phase."""

    def __init__(self, sim: SimulatorProcess) -> None:
        self.sim = sim

    def __enter__(self) -> Meter:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._sim_cpu = self.sim.cpu_seconds()
        self._children = children_cpu_seconds(exclude=self.sim.pid)
        self._busy = machine_busy_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._wall
        self.cpu_s = time.process_time() - self._cpu
        self.sim_cpu_s = self.sim.cpu_seconds() - self._sim_cpu
        # Masking processes started before the phase and alive after it (a pool is kept).
        self.children_cpu_s = max(children_cpu_seconds(exclude=self.sim.pid) - self._children, 0)
        self.others_cpu_s = (
            machine_busy_seconds() - self._busy - self.cpu_s - self.sim_cpu_s - self.children_cpu_s
        )

    def figures(self, documents: int, calls: int) -> dict[str, Any]:
        return {
            "documents": documents,
            "calls": calls,
            "wall_s": round(self.wall_s, 3),
            "documents_per_s": round(documents / self.wall_s, 2),
            "calls_per_s": round(calls / self.wall_s, 1),
            "client_cpu_ms_per_document": round(1000 * self.cpu_s / documents, 2)
            if documents
            else None,
            "client_cpu_share_of_one_core": round(self.cpu_s / self.wall_s, 3),
            # Our masking processes (privacy.mask_workers): ours, in other processes.
            "masking_processes_cpu_ms_per_document": round(
                1000 * self.children_cpu_s / documents, 2
            )
            if documents
            else None,
            "simulator_cpu_ms_per_call": round(1000 * self.sim_cpu_s / calls, 3) if calls else None,
            "simulator_cpu_share_of_one_core": round(self.sim_cpu_s / self.wall_s, 3),
            # Other processes on the machine meanwhile (not ours, not the simulator): noise.
            "others_cpu_share_of_one_core": round(max(self.others_cpu_s, 0) / self.wall_s, 3),
        }


# -- preparing the same documents for both ----------------------------------------------


def plan_order(runtime: Any) -> list[int]:
    """Document ids in the order ``run_nightly`` takes them (urgent first, then by id)."""
    from flows.config import STEPS
    from flows.planning.work import plan_work
    from storage.engine import transaction

    with transaction(runtime.app.sessions) as session:
        plan = plan_work(session, runtime.versions(STEPS), STEPS)
    return [item.document_id for item in plan.items]


def views(runtime: Any, ids: list[int]) -> tuple[list[Any], int]:
    """The ``DocumentView`` of each document exactly as our run showed it to the model: the
    masked view from the vault (``flows.privacy``), which ours made and kept. Returns (views,
    how many are masked) — all of them, or the bare loop would not send what ours sent."""
    from sqlalchemy import select

    from flows.documents import open_payload
    from flows.privacy import ToMask, masked_view, stored_records
    from flows.results import data_key_of
    from storage.engine import transaction
    from storage.models import Document

    keyring = runtime.app.keyring
    with transaction(runtime.app.sessions) as session:
        rows = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
        payloads = {i: open_payload(keyring, rows[i]) for i in ids}
        items = [ToMask(rows[i], payloads[i], data_key_of(keyring, rows[i])) for i in rows]
        records = stored_records(session, items, runtime.masker().version)
    missing = [i for i in ids if i not in records]
    if missing:
        raise SystemExit(f"{len(missing)} documents have no vault record: ours did not mask them")
    return [masked_view(rows[i], payloads[i], records[i]) for i in ids], len(ids)


# -- the bare loop -----------------------------------------------------------------------


def bare_client(base_url: str, connections: int) -> Any:
    import httpx2
    import openai

    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key="bench-key",
        max_retries=0,
        timeout=60.0,
        http_client=httpx2.AsyncClient(limits=limits),
    )


async def bare_loop(
    base_url: str, registry: Any, documents: list[Any], concurrency: int, model: str
) -> dict[str, int]:
    """extract → categorize → draft per document with nothing but the SDK and ``json.loads``."""
    from compliance.gateway.structured import response_format
    from flows.steps.draft import skip_draft

    prompts = {step: registry.active(step) for step in ("extract", "categorize", "draft")}
    formats = {s: response_format("json_schema", p.output_schema) for s, p in prompts.items()}
    rendered = [
        (view, prompts["extract"].render(view, {}), prompts["categorize"].render(view, {}))
        for view in documents
    ]
    client = bare_client(base_url, max(concurrency * 2, 16))
    semaphore = asyncio.Semaphore(concurrency)
    counts = {"calls": 0, "parsed": 0}

    async def ask(step: str, messages: Any) -> dict[str, Any]:
        prompt = prompts[step]
        completion = await client.chat.completions.create(
            model=model,
            messages=list(messages),
            max_tokens=prompt.max_tokens,
            temperature=prompt.temperature,
            response_format=formats[step],
        )
        counts["calls"] += 1
        value = json.loads(completion.choices[0].message.content or "null")
        counts["parsed"] += isinstance(value, dict)
        return value if isinstance(value, dict) else {}

    async def one(view: Any, extract_messages: Any, categorize_messages: Any) -> None:
        async with semaphore:
            previous = {
                "extract": await ask("extract", extract_messages),
                "categorize": await ask("categorize", categorize_messages),
            }
            if skip_draft(previous) is None:
                await ask("draft", prompts["draft"].render(view, previous))

    try:
        await asyncio.gather(*(one(*item) for item in rendered))
    finally:
        await client.close()
    return counts


async def trivial_loop(base_url: str, calls: int, concurrency: int, model: str) -> int:
    """The simulator's capacity: tiny requests, no schema, as fast as the SDK can send them."""
    client = bare_client(base_url, max(concurrency * 2, 16))
    semaphore = asyncio.Semaphore(concurrency)
    done = 0

    async def one() -> None:
        nonlocal done
        async with semaphore:
            await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=16
            )
            done += 1

    try:
        await asyncio.gather(*(one() for _ in range(calls)))
    finally:
        await client.close()
    return done


# -- ours ------------------------------------------------------------------------------


async def ours(runtime: Any, limit: int) -> dict[str, Any]:
    from flows.nightly.flow import run_nightly

    return await run_nightly(runtime, limit=limit, window_end="none")


class ThreadProfiles:
    """One cProfile per worker thread of the default executor (``asyncio.to_thread``).

    Each worker enables its own profile when it starts (cProfile hooks are per thread); the
    executor is shut down after the run, so the threads end and their profiles can be read.
    """

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def start_in_thread(self) -> None:
        profile = cProfile.Profile()
        with self._lock:
            self.profiles.append(profile)
        profile.enable()


async def profiled(runtime: Any, limit: int) -> tuple[dict[str, Any], pstats.Stats]:
    workers = min(32, (os.cpu_count() or 1) + 4)  # the size of asyncio's default executor
    threads = ThreadProfiles()
    executor = ThreadPoolExecutor(workers, initializer=threads.start_in_thread)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(executor)
    main = cProfile.Profile()
    main.enable()
    try:
        summary = await ours(runtime, limit)
    finally:
        main.disable()
        executor.shutdown(wait=True)
        loop.set_default_executor(ThreadPoolExecutor(workers))
    stats = pstats.Stats(main)
    for profile in threads.profiles:
        stats.add(profile)
    return summary, stats


#: Where threads wait for work, not work: left out of the self-time list.
IDLE = (
    "acquire' of '_thread.lock",
    "'get' of '_queue.SimpleQueue'",
    "poll' of 'select.epoll",
    "(_worker)",
    "queue.py:",
)


def top_functions(stats: pstats.Stats, count: int, ours_only: bool) -> list[dict[str, Any]]:
    rows = []
    venv = str(REPO / ".venv")
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        mine = path.startswith(str(REPO)) and not path.startswith(venv)
        if ours_only and not mine:
            continue
        where = os.path.relpath(path, REPO) if path.startswith(str(REPO)) else path
        if ".venv/lib/python3.11/site-packages/" in where:
            where = where.split("site-packages/", 1)[1]
        rows.append(
            {
                "function": f"{where}:{line}({name})",
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
            }
        )
    rows.sort(key=lambda r: r["cumtime_s"], reverse=True)
    return rows[:count]


def tottime_top(stats: pstats.Stats, count: int) -> list[dict[str, Any]]:
    rows = [
        r
        for r in top_functions(stats, 100_000, ours_only=False)
        if not any(mark in r["function"] for mark in IDLE)
    ]
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return rows[:count]


# -- Prefect -----------------------------------------------------------------------------


def prefect_phase(home: BenchHome, tmp: Path, limit: int, sim: SimulatorProcess) -> dict[str, Any]:
    """``nightly_flow`` under an ephemeral Prefect server, in a child process (its own env)."""

    env = dict(os.environ, **home.env(), PREFECT_HOME=str(tmp / "prefect"), PYTHONPATH=str(REPO))
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"] = "true"
    env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    code = (
        "import asyncio, json, time, sys\n"
        "from flows.prefect_env import apply_prefect_defaults\n"
        "import os; apply_prefect_defaults(os.environ)\n"
        "t0 = time.perf_counter()\n"
        "from flows.nightly.flow import nightly_flow\n"
        f"summary = asyncio.run(nightly_flow(limit={limit}, window_end='none'))\n"
        "print(json.dumps({'summary': summary, 'wall_s': time.perf_counter() - t0,"
        " 'cpu_s': time.process_time()}))\n"
    )
    sim_cpu = sim.cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    data = json.loads(done.stdout.strip().splitlines()[-1])
    summary = data["summary"]
    documents = summary["documents_total"]
    in_flow = summary["duration_s"]
    return {
        "documents": documents,
        "calls": summary["calls"],
        "status": summary["status"],
        "run_nightly_s": in_flow,
        "documents_per_s_inside_flow": round(documents / in_flow, 2) if in_flow else None,
        "process_wall_s": round(wall, 2),
        "documents_per_s_incl_startup": round(documents / wall, 2),
        "simulator_cpu_s": round(sim.cpu_seconds() - sim_cpu, 2),
    }


# -- main ----------------------------------------------------------------------------------


def run(args: Any, tmp: Path) -> dict[str, Any]:
    sim = SimulatorProcess(tmp, seed=args.seed)
    with sim:
        config = route_config(sim.base_url, concurrency=args.concurrency)
        home = BenchHome(tmp, config, args.database_url)
        try:
            settings = home.create()
            total = args.warmup + args.documents * (args.rounds + (1 if args.prefect else 0))
            total += 2 * args.profile_documents
            say(args, f"ingesting {total} sample documents ...")
            ingest = ingest_samples(settings, total, args.seed, tmp)
            result = phases(args, settings, sim, home, tmp)
            result["ingest"] = ingest
            result["statuses_after"] = document_statuses(settings)
        finally:
            home.destroy()
        result["simulator_peak_rss_mib"] = sim.peak_rss_mib()
    return result


class StatementCounter:
    """SQL statements (by first keyword) and commits our run sends to its database."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: dict[str, int] = {}
        self.commits = 0
        self._lock = threading.Lock()

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        with self._lock:
            self.statements[word] = self.statements.get(word, 0) + 1

    def _commit(self, _conn: Any) -> None:
        with self._lock:
            self.commits += 1

    def __enter__(self) -> StatementCounter:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)

    def per_document(self, documents: int) -> dict[str, float]:
        found = {k: round(v / documents, 2) for k, v in sorted(self.statements.items())}
        found["COMMIT (transactions)"] = round(self.commits / documents, 2)
        return found


def measure_ours(loop: Any, runtime: Any, sim: SimulatorProcess, n: int) -> dict[str, Any]:
    sim.reset()
    with StatementCounter(runtime.app.engine) as sql, Meter(sim) as meter:
        summary = loop.run_until_complete(ours(runtime, n))
    fig = meter.figures(summary["documents_total"], sum(sim.requests()["counts"].values()))
    fig["sql_per_document"] = sql.per_document(max(summary["documents_total"], 1))
    fig["summary_calls"] = summary["calls"]
    fig["statuses"] = {
        k: summary[k] for k in ("documents_done", "documents_review", "documents_failed")
    }
    return fig


def measure_bare(
    loop: Any, sim: SimulatorProcess, registry: Any, documents: list[Any], concurrency: int
) -> dict[str, Any]:
    sim.reset()
    with Meter(sim) as meter:
        counts = loop.run_until_complete(
            bare_loop(sim.base_url, registry, documents, concurrency, MODEL)
        )
    fig = meter.figures(len(documents), sum(sim.requests()["counts"].values()))
    fig["parsed"] = counts["parsed"]
    return fig


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """All rounds of one contender together (totals over the summed wall time)."""
    wall = sum(r["wall_s"] for r in rounds)
    documents = sum(r["documents"] for r in rounds)
    calls = sum(r["calls"] for r in rounds)

    def weighted(key: str) -> float:
        total: float = sum(r[key] * r["wall_s"] for r in rounds)
        return round(total / float(wall), 3)

    return {
        "documents": documents,
        "calls": calls,
        "wall_s": round(wall, 3),
        "documents_per_s": round(documents / wall, 2),
        "calls_per_s": round(calls / wall, 1),
        "client_cpu_ms_per_document": round(
            sum(r["client_cpu_ms_per_document"] * r["documents"] for r in rounds) / documents, 2
        ),
        "client_cpu_share_of_one_core": weighted("client_cpu_share_of_one_core"),
        "masking_processes_cpu_ms_per_document": round(
            sum(r["masking_processes_cpu_ms_per_document"] * r["documents"] for r in rounds)
            / documents,
            2,
        ),
        "simulator_cpu_ms_per_call": round(
            sum(r["simulator_cpu_ms_per_call"] * r["calls"] for r in rounds) / calls, 3
        ),
        "simulator_cpu_share_of_one_core": weighted("simulator_cpu_share_of_one_core"),
        "others_cpu_share_of_one_core": weighted("others_cpu_share_of_one_core"),
        "rounds": rounds,
        **(
            {"sql_per_document": rounds[-1]["sql_per_document"]}
            if "sql_per_document" in rounds[-1]
            else {}
        ),
    }


OUR_PACKAGES = ("compliance/", "flows/", "storage/", "service/")


def py_spy_path() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


#: Where a sample goes, first match from the top (a frame's text contains the marker).
AREAS = (
    ("database: step-result save (flows.nightly.chunk._save)", "_save (flows/nightly/chunk.py"),
    (
        "database: document status (flows.nightly.chunk._set_status)",
        "_set_status (flows/nightly/chunk.py",
    ),
    ("gateway's masked-text policy check", "(compliance/masking/policy.py"),
    ("masking documents (compliance.masking)", "(compliance/masking/"),
    (
        "database: chunk load + decrypt + vault (flows.nightly.chunk._load)",
        "_load (flows/nightly/chunk.py",
    ),
    ("audit log (compliance.audit)", "(compliance/audit/"),
    ("pacer (compliance.gateway.pacer)", "(compliance/gateway/pacer.py"),
    ("answer parse + schema check", "parse_answer (compliance/gateway/structured.py"),
    ("SDK + HTTP (openai ... create)", "create (openai/resources/chat/completions"),
    ("quality gates (flows.steps check_*)", "check_"),
    ("prompt render", "Prompt.render (flows/prompts"),
    ("planning", "plan_work (flows/planning/work.py"),
)


def areas(stacks: list[tuple[str, int]], total: int) -> dict[str, float]:
    found: dict[str, int] = {}
    for stack, count in stacks:
        label = next((name for name, marker in AREAS if marker in stack), "")
        if not label:
            if "_worker (concurrent/futures/thread.py" in stack:
                label = "executor threads outside our code"
            elif any(f"({p}" in stack for p in OUR_PACKAGES):
                label = "other code of ours"
            else:
                label = "event loop, asyncio, other (no frame of ours)"
        found[label] = found.get(label, 0) + count
    ordered = sorted(found.items(), key=lambda item: item[1], reverse=True)
    return {label: round(count / total, 4) for label, count in ordered}


def spy_phase(loop: Any, runtime: Any, sim: SimulatorProcess, args: Any, tmp: Path) -> Any:
    """Sample ``run_nightly`` from outside with py-spy: only the thread holding the GIL, i.e.
    where the interpreter's one core of Python goes (our process is GIL-bound)."""
    spy = py_spy_path()
    if spy is None:
        return {"skipped": "py-spy is not installed (pip install py-spy)"}
    out = tmp / "py-spy.txt"
    command = [spy, "record", "--pid", str(os.getpid()), "--rate", "200", "--format", "raw"]
    command += ["--function", "--gil", "--nonblocking", "--output", str(out)]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)  # attach
    sim.reset()
    try:
        summary = loop.run_until_complete(ours(runtime, args.profile_documents))
    finally:
        sampler.send_signal(signal.SIGINT)
        _, errors = sampler.communicate(timeout=60)
    if not out.exists():
        return {"skipped": f"py-spy wrote nothing: {errors.decode(errors='replace')[-300:]}"}
    inclusive: dict[str, int] = {}
    leaf: dict[str, int] = {}
    stacks: list[tuple[str, int]] = []
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        stacks.append((stack, count))
        frames = [frame.strip() for frame in stack.split(";")]
        total += count
        leaf[frames[-1]] = leaf.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def mine(frame: str) -> bool:
        return "(" in frame and frame.rsplit("(", 1)[1].startswith(OUR_PACKAGES)

    def table(counts: dict[str, int], keep: Any) -> list[dict[str, Any]]:
        rows = sorted(((n, f) for f, n in counts.items() if keep(f)), reverse=True)
        return [{"function": f, "share": round(n / total, 4)} for n, f in rows[: args.top]]

    return {
        "documents": summary["documents_total"],
        "samples": total,
        "areas": areas(stacks, total) if total else {},
        "top_inclusive_ours": table(inclusive, mine),
        "top_self_all": table(leaf, lambda f: True),
    }


def profile_phase(loop: Any, runtime: Any, sim: SimulatorProcess, args: Any, tmp: Path) -> Any:
    sim.reset()
    summary, stats = loop.run_until_complete(profiled(runtime, args.profile_documents))
    text = io.StringIO()
    stats.stream = text
    stats.sort_stats("cumulative").print_stats(80)
    (tmp / "profile.txt").write_text(text.getvalue())
    return {
        "documents": summary["documents_total"],
        "wall_s": summary["duration_s"],
        "top_cumulative_ours": top_functions(stats, args.top, ours_only=True),
        "top_cumulative_all": top_functions(stats, args.top, ours_only=False),
        "top_tottime_all": tottime_top(stats, args.top),
    }


def phases(
    args: Any, settings: Any, sim: SimulatorProcess, home: BenchHome, tmp: Path
) -> dict[str, Any]:
    from flows.prompts import PromptRegistry
    from flows.runtime import Runtime

    registry = PromptRegistry.load()
    runtime: Any = Runtime.open(settings)
    loop = asyncio.new_event_loop()
    ours_rounds: list[dict[str, Any]] = []
    bare_rounds: list[dict[str, Any]] = []
    try:
        order = plan_order(runtime)
        say(args, f"warm-up on {args.warmup} documents (ours, then the bare loop) ...")
        loop.run_until_complete(ours(runtime, args.warmup))
        warm, _ = views(runtime, order[: args.warmup])
        loop.run_until_complete(bare_loop(sim.base_url, registry, warm, args.concurrency, MODEL))
        quiet: list[float] = []
        masked = 0
        for number in range(args.rounds):
            first = args.warmup + number * args.documents
            if args.wait_quiet:
                say(args, f"waiting up to {args.wait_quiet} s for the machine to be quiet ...")
                quiet.append(wait_for_quiet(args.wait_quiet))
            say(args, f"round {number + 1}: ours (run_nightly) on {args.documents} documents ...")
            ours_rounds.append(measure_ours(loop, runtime, sim, args.documents))
            # The same views ours sent (masked ones from the vault ours just filled).
            documents, masked_now = views(runtime, order[first : first + args.documents])
            masked += masked_now
            say(args, f"round {number + 1}: bare AsyncOpenAI loop on the same documents ...")
            bare_rounds.append(measure_bare(loop, sim, registry, documents, args.concurrency))

        say(args, f"simulator capacity: {TRIVIAL_CALLS} trivial calls ...")
        sim.reset()
        with Meter(sim) as meter:
            done = loop.run_until_complete(
                trivial_loop(sim.base_url, TRIVIAL_CALLS, args.concurrency, MODEL)
            )
        trivial = meter.figures(done, done)

        prefect = None
        if args.prefect:
            say(args, f"nightly_flow under an ephemeral Prefect server, {args.documents} docs ...")
            loop.run_until_complete(runtime.aclose())
            runtime = None
            prefect = prefect_phase(home, tmp, args.documents, sim)
            runtime = Runtime.open(settings)

        say(args, f"sampling ours with py-spy on {args.profile_documents} documents ...")
        sampled = spy_phase(loop, runtime, sim, args, tmp)
        say(args, f"profiling ours with cProfile on {args.profile_documents} documents ...")
        profile = profile_phase(loop, runtime, sim, args, tmp)
    finally:
        if runtime is not None:
            loop.run_until_complete(runtime.aclose())
        loop.close()

    ours_all, bare_all = combined(ours_rounds), combined(bare_rounds)
    ratio = ours_all["documents_per_s"] / bare_all["documents_per_s"]
    return {
        "benchmark": "overhead",
        "machine": machine(),
        "parameters": {
            "documents": args.documents,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "chunk_size": settings.nightly.chunk_size,
            "database": "postgresql" if args.database_url else "sqlite",
            "simulator": "separate process, latency 0, no limits",
            "others_busy_cores_before_rounds": quiet,
            "bare_documents_masked_views": masked,
        },
        "ours": ours_all,
        "bare": bare_all,
        "ratio_documents_per_s": round(ratio, 3),
        "ratio_by_round": [
            round(o["documents_per_s"] / b["documents_per_s"], 3)
            for o, b in zip(ours_rounds, bare_rounds, strict=True)
        ],
        "client_cpu_ratio": round(
            ours_all["client_cpu_ms_per_document"] / bare_all["client_cpu_ms_per_document"], 2
        ),
        "simulator_capacity_trivial": trivial,
        "prefect": prefect,
        "profile": profile,
        "py_spy": sampled,
        "targets": {"ours_ge_50pct_of_bare": ratio >= 0.5},
    }


def report_lines(result: dict[str, Any]) -> list[str]:
    o, b, t = result["ours"], result["bare"], result["simulator_capacity_trivial"]
    p = result["parameters"]
    lines = [
        f"overhead: {p['rounds']} rounds x {p['documents']} documents, concurrency "
        f"{p['concurrency']}, chunk size {p['chunk_size']}, {p['database']}, "
        "simulator in its own process (no latency/limits)",
        f"  ours (run_nightly, no Prefect): {o['documents_per_s']} docs/s, {o['calls_per_s']} "
        f"calls/s; client CPU {o['client_cpu_ms_per_document']} ms/doc "
        f"({percent(o['client_cpu_share_of_one_core'], 1)} % of a core) + masking processes "
        f"{o['masking_processes_cpu_ms_per_document']} ms/doc, simulator "
        f"{percent(o['simulator_cpu_share_of_one_core'], 1)} % of a core, others "
        f"{percent(o['others_cpu_share_of_one_core'], 1)} %",
        f"  bare AsyncOpenAI loop:          {b['documents_per_s']} docs/s, {b['calls_per_s']} "
        f"calls/s; client CPU {b['client_cpu_ms_per_document']} ms/doc "
        f"({percent(b['client_cpu_share_of_one_core'], 1)} % of a core), simulator "
        f"{percent(b['simulator_cpu_share_of_one_core'], 1)} % of a core, others "
        f"{percent(b['others_cpu_share_of_one_core'], 1)} %",
        f"  ratio ours/bare: {percent(result['ratio_documents_per_s'], 1)} %  target >= 50 %: "
        f"{verdict(result['targets']['ours_ge_50pct_of_bare'])} (by round: "
        f"{', '.join(f'{100 * r:.1f} %' for r in result['ratio_by_round'])});  client CPU/document "
        f"ours/bare: {result['client_cpu_ratio']}x",
        f"  simulator capacity (trivial prompts): {t['calls_per_s']} calls/s, simulator "
        f"{percent(t['simulator_cpu_share_of_one_core'], 1)} % of a core, "
        f"{t['simulator_cpu_ms_per_call']} ms CPU/call",
    ]
    if "sql_per_document" in o:
        lines.append(f"  ours, SQL per document: {o['sql_per_document']}")
    pf = result.get("prefect")
    if pf:
        if "error" in pf:
            lines.append(f"  nightly_flow under Prefect: failed: {pf['error'][-300:]}")
        else:
            lines.append(
                f"  nightly_flow under Prefect (ephemeral): {pf['documents_per_s_inside_flow']} "
                f"docs/s inside the flow, {pf['documents_per_s_incl_startup']} docs/s incl. "
                f"process + server start ({pf['process_wall_s']} s for {pf['documents']} docs)"
            )
    lines.append(
        f"  where our time goes (cProfile, {result['profile']['documents']} documents, "
        "event loop + executor threads, cumulative s):"
    )
    for row in result["profile"]["top_cumulative_ours"]:
        lines.append(f"    {row['cumtime_s']:8.3f}  {row['calls']:>8}  {row['function']}")
    lines.append("  top self time (all code, threads waiting for work left out):")
    for row in result["profile"]["top_tottime_all"][:12]:
        lines.append(f"    {row['tottime_s']:8.3f}  {row['calls']:>8}  {row['function']}")
    spy = result.get("py_spy") or {}
    if "samples" in spy:
        lines.append(
            f"  py-spy --gil, {spy['documents']} documents, {spy['samples']} samples of the thread "
            "holding the GIL — by area:"
        )
        for label, share in spy["areas"].items():
            lines.append(f"    {100 * share:6.1f} %  {label}")
        lines.append("  py-spy --gil, functions of ours (inclusive):")
        for row in spy["top_inclusive_ours"]:
            lines.append(f"    {100 * row['share']:6.1f} %  {row['function']}")
        lines.append("  py-spy self (leaf frame), all code:")
        for row in spy["top_self_all"][:12]:
            lines.append(f"    {100 * row['share']:6.1f} %  {row['function']}")
    elif spy:
        lines.append(f"  py-spy: {spy.get('skipped')}")
    return lines


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument(
        "--rounds", type=int, default=2, help="ours-then-bare rounds (new documents each)"
    )
    parser.add_argument("--profile-documents", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        help="before each round wait up to this many seconds until other processes use < 0.3 "
        "core (a shared machine)",
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--prefect", action="store_true", help="also run nightly_flow under ephemeral Prefect"
    )
    args = parser.parse_args()
    with workspace("overhead", args.keep) as tmp:
        result = run(args, tmp)
    emit(args, result, report_lines(result))


if __name__ == "__main__":
    main()
