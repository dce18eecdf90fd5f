"""Plan accuracy: does ``nightshift plan --documents 40000`` predict the time and tokens of a night?

    python bench/plan_accuracy.py                     # 600 documents for real, tpm 400,000 (~5 min)
    python bench/plan_accuracy.py --documents 300 --tpm 200000 --json

The simulator runs as its own process with ``--latency-ms 200 --tpm <tpm>``; the one route
(``default``, all three steps, no escalation) declares the same ``tpm``, concurrency 64, so the
route's limit — not concurrency — sets the pace of the run.

1. **History**: ``--history`` documents (another seed) are ingested and run through the nightly
   batch, as an installation would have done on earlier nights: step results (real usage), a
   run summary (retry share) and audit entries (latency) for the planner to learn from.
2. **Plan**, before the night: ``--documents`` new documents are ingested, then
   ``plan_night(documents=--target)`` (what ``nightshift plan --documents 40000`` does) and
   ``plan_night()`` for the pending documents themselves.
3. **The real night**: ``run_nightly`` over the pending documents with the pacer (no Prefect).
   Its duration, its tokens (run summary, equal to the simulator's count) and the simulator's
   request span (first request to last answer) are measured, then scaled by
   ``target / documents``.
4. **Compare**: plan / scaled actual − 1, for time and for tokens. Target: within ±15 %.

Nothing asserts on time: the figures are printed, with the verdict against the target.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from common import (
    BenchHome,
    SimulatorProcess,
    base_parser,
    emit,
    ingest_samples,
    machine,
    route_config,
    say,
    verdict,
    workspace,
)

TARGET_ERROR = 0.15


def request_span(entries: list[dict[str, Any]]) -> float:
    """Seconds from the first request to the last answer in the simulator's log (an entry is
    written when its answer is sent, ``latency_ms`` after the request arrived)."""
    if not entries:
        return 0.0
    starts = [float(e["time"]) - float(e.get("latency_ms", 0)) / 1000.0 for e in entries]
    return max(float(e["time"]) for e in entries) - min(starts)


def _plan(runtime: Any, documents: int | None, sample: int, seed: int) -> dict[str, Any]:
    from flows.planning.window import plan_night

    plan = plan_night(
        runtime.app,
        runtime.registry,
        runtime.masker,
        documents=documents,
        sample_size=sample,
        seed=seed,
    )
    return plan.as_dict()


def _error(planned: float, actual: float) -> float:
    return round(planned / actual - 1.0, 4) if actual else 0.0


async def measure(args: Any, settings: Any, sim: SimulatorProcess, tmp: Any) -> dict[str, Any]:
    """History night, plans, the real night, on one runtime and one event loop (the gateway's
    HTTP pool belongs to the loop that opened it): the raw figures of one invocation."""
    from flows.nightly.flow import run_nightly
    from flows.runtime import Runtime

    runtime = Runtime.open(settings)
    try:
        say(args, f"history: {args.history} documents through a nightly run ...")
        ingest_samples(settings, args.history, args.seed + 1000, tmp)
        history = await run_nightly(runtime, window_end="none")
        say(args, f"ingesting {args.documents} new documents, planning ...")
        ingest = ingest_samples(settings, args.documents, args.seed, tmp)
        started = time.perf_counter()
        target_plan = _plan(runtime, args.target, args.sample, args.seed)
        pending_plan = _plan(runtime, None, args.sample, args.seed)
        plan_s = time.perf_counter() - started
        sim.reset()
        say(args, f"the real night: {args.documents} documents, tpm {args.tpm:,} ...")
        started = time.perf_counter()
        summary = await run_nightly(runtime, window_end="none")
        wall = time.perf_counter() - started
    finally:
        await runtime.aclose()
    log = sim.requests()
    ok = [e for e in log["entries"] if e["outcome"] == "ok"]
    return {
        "history_summary": {k: history.get(k) for k in ("documents_total", "calls", "retries")},
        "ingest": ingest,
        "plan_seconds": round(plan_s, 1),
        "target_plan": target_plan,
        "pending_plan": pending_plan,
        "summary": summary,
        "wall_s": round(wall, 1),
        "span_s": round(request_span(log["entries"]), 1),
        "simulator_tokens": sum(e["prompt_tokens"] + e["completion_tokens"] for e in ok),
        "simulator_counts": log["counts"],
    }


def compare(args: Any, raw: dict[str, Any]) -> dict[str, Any]:
    summary, plan, pending = raw["summary"], raw["target_plan"], raw["pending_plan"]
    factor = args.target / args.documents
    tokens = summary["tokens_in"] + summary["tokens_out"]
    actual = {
        "documents": summary["documents_total"],
        "duration_s": summary["duration_s"],
        "span_s": raw["span_s"],
        "tokens": tokens,
        "calls": summary["calls"],
        "scaled_duration_s": round(summary["duration_s"] * factor, 1),
        "scaled_span_s": round(raw["span_s"] * factor, 1),
        "scaled_tokens": round(tokens * factor),
    }
    errors = {
        "time": _error(plan["duration_s"] or 0.0, actual["scaled_duration_s"]),
        "time_vs_span": _error(plan["duration_s"] or 0.0, actual["scaled_span_s"]),
        "tokens": _error(plan["tokens"], actual["scaled_tokens"]),
        "pending_time": _error(pending["duration_s"] or 0.0, summary["duration_s"]),
        "pending_tokens": _error(pending["tokens"], tokens),
    }
    return {
        "actual": actual,
        "errors": errors,
        "targets": {
            "time_within_15pct": abs(errors["time"]) <= TARGET_ERROR,
            "tokens_within_15pct": abs(errors["tokens"]) <= TARGET_ERROR,
        },
    }


def lines(args: Any, result: dict[str, Any]) -> list[str]:
    plan, actual, errors = result["target_plan"], result["actual"], result["errors"]
    pending = result["pending_plan"]
    return [
        f"plan accuracy: route tpm {args.tpm:,}, latency {args.latency_ms} ms, concurrency "
        f"{args.concurrency}, history {args.history} documents, "
        f"{result['parameters']['database']}, run_nightly without Prefect",
        f"  plan for {args.target:,} documents (sample {plan['sample']['documents']} of "
        f"{plan['sample']['population']}, {plan['sample']['with_real_usage']} with real usage; "
        f"made in {result['plan_seconds']} s): {plan['duration_s']:,} s, "
        f"{plan['tokens']:,} tokens, {plan['calls']:,} calls, limited by {plan['limited_by']}, "
        f"cost {plan['cost']} {plan['currency']}",
        f"  real night of {actual['documents']} documents: {actual['duration_s']} s "
        f"(requests span {actual['span_s']} s), {actual['tokens']:,} tokens "
        f"(simulator {result['simulator_tokens']:,}), {actual['calls']} calls, "
        f"429s {result['simulator_counts'].get('rate_limited', 0)}",
        f"  scaled x{args.target / args.documents:.2f}: {actual['scaled_duration_s']:,} s "
        f"(span {actual['scaled_span_s']:,} s), {actual['scaled_tokens']:,} tokens",
        f"  plan vs scaled: time {100 * errors['time']:+.1f} % "
        f"(vs span {100 * errors['time_vs_span']:+.1f} %), tokens "
        f"{100 * errors['tokens']:+.1f} %  target within 15 %: time "
        f"{verdict(result['targets']['time_within_15pct'])}, tokens "
        f"{verdict(result['targets']['tokens_within_15pct'])}",
        f"  plan of the {args.documents} pending documents themselves: {pending['duration_s']} s "
        f"({100 * errors['pending_time']:+.1f} %), {pending['tokens']:,} tokens "
        f"({100 * errors['pending_tokens']:+.1f} %)",
    ]


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=600, help="documents run for real")
    parser.add_argument("--target", type=int, default=40_000, help="documents planned")
    parser.add_argument("--history", type=int, default=100, help="documents of the earlier night")
    parser.add_argument("--sample", type=int, default=300, help="documents the planner measures")
    parser.add_argument("--tpm", type=int, default=400_000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with workspace("plan-accuracy", args.keep) as tmp:
        sim = SimulatorProcess(tmp, latency_ms=args.latency_ms, tpm=args.tpm, seed=args.seed)
        with sim:
            config = route_config(sim.base_url, tpm=args.tpm, concurrency=args.concurrency)
            home = BenchHome(tmp, config, args.database_url)
            try:
                settings = home.create()
                raw = asyncio.run(measure(args, settings, sim, tmp))
            finally:
                home.destroy()
    result: dict[str, Any] = {
        "benchmark": "plan_accuracy",
        "machine": machine(),
        "parameters": {
            "documents": args.documents,
            "target": args.target,
            "history": args.history,
            "sample": args.sample,
            "tpm": args.tpm,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "database": "postgresql" if args.database_url else "sqlite",
            "prefect": False,
        },
        **{k: v for k, v in raw.items() if k != "summary"},
        "nightly_summary": {
            k: raw["summary"].get(k)
            for k in (
                "status",
                "documents_total",
                "documents_done",
                "documents_review",
                "calls",
                "retries",
                "rate_limited",
                "tokens_in",
                "tokens_out",
                "duration_s",
            )
        },
    }
    result.update(compare(args, raw))
    emit(args, result, lines(args, result))


if __name__ == "__main__":
    main()
