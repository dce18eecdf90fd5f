"""Memory: peak RSS of a nightly run over 10,000 documents vs 1,000 (target: within 20 %).

    python bench/memory.py                      # 1,000 and 10,000 documents (~3 min)
    python bench/memory.py --small 500 --large 5000 --json

For each size: a fresh home (SQLite under the temp dir, or its own PostgreSQL database named
``<--database-url's name>_<size>``), its own simulator process (no latency, no limits), the
sample documents ingested **by this process beforehand** (ingest is not measured), then the run
in a **fresh child process** (``python bench/memory.py --child``) that opens the runtime, calls
``run_nightly`` directly (no Prefect) and reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
(the peak of the whole child: interpreter, imports and run), plus its RSS just before the run
so the growth of the run itself is visible. The simulator's peak RSS (VmHWM) is reported apart,
and so is the largest masking process's (VmHWM; both sizes start two of them, as
``privacy.mask_workers = 0`` does for runs of 500+ documents).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import (
    REPO,
    BenchHome,
    SimulatorProcess,
    base_parser,
    document_statuses,
    emit,
    ingest_samples,
    machine,
    route_config,
    say,
    verdict,
    workspace,
)


def _rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def _masking_processes_peak_mib() -> float:
    """The largest peak RSS (VmHWM) among this process's live children: the masking processes
    (``getrusage(RUSAGE_CHILDREN)`` would report the parent's size at the fork before exec)."""
    me, peak = str(os.getpid()), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] != me:
                continue
            status = (stat.parent / "status").read_text()
        except OSError:  # ended meanwhile
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        peak = max(peak, int(match.group(1)) / 1024 if match else 0.0)
    return peak


def child() -> None:
    """The measured process: open the runtime from the environment, run, report the peak."""
    from flows.nightly.flow import run_nightly
    from flows.runtime import Runtime
    from flows.settings import load_settings

    async def go() -> dict[str, Any]:
        runtime = Runtime.open(load_settings())
        try:
            before = _rss_mib()
            peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            summary = await run_nightly(runtime, window_end="none")
            masking = _masking_processes_peak_mib()  # before the runtime stops them
            return {
                "rss_before_run_mib": before,
                "peak_before_run_mib": peak_before,
                "masking_peak_mib": masking,
                **summary,
            }
        finally:
            await runtime.aclose()

    started = time.perf_counter()
    summary = asyncio.run(go())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "peak_rss_mib": round(peak, 1),
                "masking_process_peak_rss_mib": round(summary["masking_peak_mib"], 1),
                "rss_before_run_mib": round(summary["rss_before_run_mib"], 1),
                "peak_before_run_mib": round(summary["peak_before_run_mib"], 1),
                "rss_at_end_mib": round(_rss_mib(), 1),
                "wall_s": round(time.perf_counter() - started, 1),
                "documents_total": summary["documents_total"],
                "documents_done": summary["documents_done"],
                "documents_review": summary["documents_review"],
                "documents_failed": summary["documents_failed"],
                "calls": summary["calls"],
                "status": summary["status"],
            }
        )
    )


def database_for(url: str | None, size: int) -> str | None:
    if not url:
        return None
    from storage.engine import normalize_url

    parsed = normalize_url(url)
    return parsed.set(database=f"{parsed.database}_{size}").render_as_string(hide_password=False)


def measure(args: Any, tmp: Path, size: int) -> dict[str, Any]:
    root = tmp / f"n{size}"
    root.mkdir()
    with SimulatorProcess(root, seed=args.seed) as sim:
        config = route_config(sim.base_url, concurrency=args.concurrency)
        home = BenchHome(root, config, database_for(args.database_url, size))
        try:
            settings = home.create()
            say(args, f"{size}: ingesting (not measured) ...")
            ingest = ingest_samples(settings, size, args.seed, root)
            say(args, f"{size}: nightly run in a fresh process ...")
            env = dict(os.environ, **home.env(), PYTHONPATH=str(REPO))
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child"],
                env=env,
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RuntimeError(f"the measured run failed:\n{done.stderr[-3000:]}")
            figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
            figures["statuses_after"] = document_statuses(settings)
        finally:
            home.destroy()
        figures["simulator_peak_rss_mib"] = sim.peak_rss_mib()
        figures["simulator_requests"] = sum(sim.requests()["counts"].values())
    figures["ingest"] = ingest
    return figures


def main() -> None:
    if "--child" in sys.argv:
        child()
        return
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with workspace("memory", args.keep) as tmp:
        small = measure(args, tmp, args.small)
        large = measure(args, tmp, args.large)
    ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
    growth_small = small["peak_rss_mib"] - small["rss_before_run_mib"]
    growth_large = large["peak_rss_mib"] - large["rss_before_run_mib"]
    result = {
        "benchmark": "memory",
        "machine": machine(),
        "parameters": {
            "small": args.small,
            "large": args.large,
            "concurrency": args.concurrency,
            "database": "postgresql" if args.database_url else "sqlite",
            "prefect": False,
        },
        "small": small,
        "large": large,
        "peak_ratio": round(ratio, 3),
        "run_growth_mib": {"small": round(growth_small, 1), "large": round(growth_large, 1)},
        "targets": {"peak_within_20pct": ratio <= 1.2},
    }
    lines = [
        f"memory: nightly run (run_nightly, no Prefect, concurrency {args.concurrency}, "
        f"{result['parameters']['database']}) in a fresh process; ingest done beforehand",
    ]
    for name, fig in (("small", small), ("large", large)):
        lines.append(
            f"  {fig['documents_total']:>6} documents: peak RSS {fig['peak_rss_mib']} MiB "
            f"(RSS before the run {fig['rss_before_run_mib']} MiB, growth "
            f"{result['run_growth_mib'][name]} MiB), {fig['calls']} calls in {fig['wall_s']} s; "
            f"largest masking process {fig['masking_process_peak_rss_mib']:.0f} MiB; "
            f"simulator peak {fig['simulator_peak_rss_mib']:.0f} MiB"
        )
    lines.append(
        f"  peak ratio {args.large}/{args.small}: {ratio:.3f}  target <= 1.20: "
        f"{verdict(result['targets']['peak_within_20pct'])}"
    )
    emit(args, result, lines)


if __name__ == "__main__":
    main()
