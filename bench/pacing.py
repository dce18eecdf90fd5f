"""Pacing: does a nightly run keep a route just under its tokens/min limit, without 429s?

    python bench/pacing.py                      # 2,000 documents x 3 steps, tpm 300,000 (~16 min)
    python bench/pacing.py --documents 500      # ~4.5 min
    python bench/pacing.py --json

The simulator runs as its own process with ``--latency-ms 200 --tpm <tpm>`` (no rpm limit); the
one route (``default``, all three steps, no escalation) declares the same ``tpm``. The nightly run
is ``run_nightly`` called directly (no Prefect), concurrency 64: at ~740 tokens a call and
200 ms latency the limit allows ~6.7 calls/s, i.e. ~1.4 in flight, so the pacer — not
concurrency — is what limits the run.

Figures, all from the simulator's own request log (what the provider saw):

- achieved tokens/min over the **steady part**: from 60 s after the first request (one full
  provider window: before it the provider's sliding window is not yet full, so it says nothing
  about staying under the limit) to the start of the last 10 % of the run by time (the drain,
  when fewer documents than the pacer allows are left). Tokens are prompt + completion of ok
  answers, by completion time. Reported as the mean over the span, and the lowest and highest
  60-s sliding window (1-s steps) inside it;
- the share of requests answered 429;
- documents lost: after the run every document must be done, in review, or failed with a
  reason; ``pending`` counts the lost ones;
- diagnostics: every hold the provider's headers put on the pacer (cause, length; recorded by a
  read-only wrapper around ``RoutePacer.settle``), tokens per 10 s, and the longest silence
  between two answers. ``--keep`` keeps the simulator's request log as JSON.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from common import (
    BenchHome,
    SimulatorProcess,
    base_parser,
    document_statuses,
    emit,
    ingest_samples,
    machine,
    percent,
    route_config,
    say,
    step_reasons,
    verdict,
    workspace,
)

WARMUP_S = 60.0
TAIL_SHARE = 0.10
WINDOW_S = 60.0


def token_windows(entries: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """Tokens/min of ok answers: the whole run, and the steady part (see the module doc)."""
    ok = sorted(
        (e["time"], e["prompt_tokens"] + e["completion_tokens"])
        for e in entries
        if e["outcome"] == "ok"
    )
    if not ok:
        return {}
    first = min(e["time"] for e in entries)
    last = max(e["time"] for e in entries)
    duration = last - first
    start = first + WARMUP_S
    end = last - TAIL_SHARE * duration
    result: dict[str, Any] = {
        "run_s": round(duration, 1),
        "tokens_total": sum(t for _, t in ok),
        "tokens_per_min_whole_run": round(sum(t for _, t in ok) * 60 / duration) if duration else 0,
    }
    if end - start < WINDOW_S:
        result["steady"] = None
        result["note"] = (
            f"the run ({duration:.0f} s) is too short for a steady part of at least one "
            f"{WINDOW_S:.0f}-s window after a {WARMUP_S:.0f}-s warm-up; use more documents"
        )
        return result
    steady_tokens = sum(t for at, t in ok if start <= at < end)
    mean = steady_tokens * 60 / (end - start)
    sliding = []
    t = start
    while t + WINDOW_S <= end:
        sliding.append(sum(tok for at, tok in ok if t <= at < t + WINDOW_S))
        t += 1.0
    result["steady"] = {
        "from_s": round(start - first, 1),
        "to_s": round(end - first, 1),
        "tokens_per_min": round(mean),
        "ratio_of_limit": round(mean / limit, 4),
        "lowest_60s_window": min(sliding),
        "highest_60s_window": max(sliding),
        "highest_window_ratio": round(max(sliding) / limit, 4),
    }
    return result


def rate_limited_at(entries: list[dict[str, Any]], shown: int = 20) -> list[float]:
    """Seconds from the first request at which the first ``shown`` 429s were answered."""
    if not entries:
        return []
    first = min(e["time"] for e in entries)
    times = sorted(e["time"] - first for e in entries if e["outcome"] == "rate_limited")
    return [round(t, 1) for t in times[:shown]]


def token_series(entries: list[dict[str, Any]], step_s: float = 10.0) -> dict[str, Any]:
    """Ok tokens per ``step_s`` bucket and the longest silence between two answers: a stall
    (the route held, nothing sent) shows up here."""
    if not entries:
        return {}
    times = sorted(e["time"] for e in entries)
    first = times[0]
    buckets = [0] * (int((times[-1] - first) // step_s) + 1)
    for e in entries:
        if e["outcome"] == "ok":
            buckets[int((e["time"] - first) // step_s)] += (
                e["prompt_tokens"] + e["completion_tokens"]
            )
    gaps = [(b - a, a - first) for a, b in itertools.pairwise(times)]
    longest, at = max(gaps) if gaps else (0.0, 0.0)
    return {
        "step_s": step_s,
        "ok_tokens": buckets,
        "longest_gap_s": round(longest, 2),
        "longest_gap_at_s": round(at, 1),
    }


class HoldRecorder:
    """Watches the pacer's ``settle`` from outside and records every time the provider's view
    made it hold the route (a 429's retry-after, or an ``x-ratelimit-remaining-*`` too small):
    how long the hold reaches beyond now, and why. Read-only: the pacer does what it always does.
    """

    def __init__(self, pacer: Any) -> None:
        self.holds: list[dict[str, Any]] = []
        self._pacer = pacer
        self._settle = pacer.settle
        self._started = time.time()
        pacer.settle = self.settle

    async def settle(
        self, reservation: Any, used_tokens: Any, headers: Any = None, retry_after_s: Any = None
    ) -> None:
        now = time.time()
        hold_r, hold_t = self._pacer._holds(now, reservation, headers, retry_after_s)
        if hold_r is not None or hold_t is not None:
            if retry_after_s is not None:
                cause = "retry_after"
            elif hold_t is not None:
                cause = "remaining_tokens_below_booking"
            else:
                cause = "remaining_requests_0"
            self.holds.append(
                {
                    "at_s": round(now - self._started, 1),
                    "cause": cause,
                    "holds_for_s": round(max(h for h in (hold_r, hold_t) if h) - now, 1),
                    "remaining_tokens": getattr(headers, "remaining_tokens", None),
                    "booked_tokens": reservation.tokens,
                }
            )
        await self._settle(reservation, used_tokens, headers, retry_after_s)


async def _nightly(settings: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from flows.nightly.flow import run_nightly
    from flows.runtime import Runtime

    runtime = Runtime.open(settings)
    recorder = HoldRecorder(runtime.gateway._pacer)
    try:
        return await run_nightly(runtime, window_end="none"), recorder.holds
    finally:
        await runtime.aclose()


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--tpm", type=int, default=300_000)
    parser.add_argument("--rpm", type=int, default=0, help="route and simulator rpm (0: none)")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with workspace("pacing", args.keep) as tmp:
        sim = SimulatorProcess(
            tmp, latency_ms=args.latency_ms, tpm=args.tpm, rpm=args.rpm, seed=args.seed
        )
        with sim:
            home = BenchHome(
                tmp,
                route_config(
                    sim.base_url, tpm=args.tpm, rpm=args.rpm, concurrency=args.concurrency
                ),
                args.database_url,
            )
            try:
                settings = home.create()
                say(args, f"ingesting {args.documents} sample documents ...")
                ingest = ingest_samples(settings, args.documents, args.seed, tmp)
                say(args, f"nightly run against the simulator (tpm {args.tpm:,}) ...")
                started = time.perf_counter()
                summary, holds = asyncio.run(_nightly(settings))
                wall = time.perf_counter() - started
                log = sim.requests()
                (tmp / "simulator-requests.json").write_text(json.dumps(log))
                statuses = document_statuses(settings)
                reasons = step_reasons(settings)
            finally:
                home.destroy()
    counts = log["counts"]
    requests = sum(counts.values())
    windows = token_windows(log["entries"], args.tpm)
    steady = windows.get("steady") or {}
    share_429 = counts.get("rate_limited", 0) / requests if requests else 0.0
    pending = statuses.get("pending", 0)
    failed_without_reason = reasons.get("failed", {}).get("-", 0)
    ended = sum(statuses.get(s, 0) for s in ("done", "review", "failed"))
    result = {
        "benchmark": "pacing",
        "machine": machine(),
        "parameters": {
            "documents": args.documents,
            "tpm": args.tpm,
            "rpm": args.rpm,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "database": "postgresql" if args.database_url else "sqlite",
            "prefect": False,
        },
        "ingest": ingest,
        "wall_s": round(wall, 1),
        "simulator_counts": counts,
        "requests": requests,
        "share_429": round(share_429, 5),
        "rate_limited_at_s": rate_limited_at(log["entries"]),
        "tokens": windows,
        "series": token_series(log["entries"]),
        "pacer_holds": holds,
        "documents": {"by_status": statuses, "ended": ended, "pending": pending},
        "step_reasons": reasons,
        "nightly_summary": {
            k: summary.get(k)
            for k in (
                "status",
                "documents_total",
                "documents_done",
                "documents_review",
                "documents_failed",
                "documents_deferred",
                "calls",
                "retries",
                "rate_limited",
                "tokens_in",
                "tokens_out",
                "duration_s",
            )
        },
        "targets": {
            "steady_tokens_per_min_ge_90pct": bool(steady)
            and steady.get("ratio_of_limit", 0) >= 0.90,
            "share_429_le_1pct": share_429 <= 0.01,
            "documents_lost_0": pending == 0
            and failed_without_reason == 0
            and ended == args.documents,
        },
    }
    lines = [
        f"pacing: {args.documents} documents x 3 steps, route tpm {args.tpm:,}, "
        f"latency {args.latency_ms} ms, concurrency {args.concurrency}, "
        f"{result['parameters']['database']}, run_nightly without Prefect",
        f"  run {windows.get('run_s')} s of requests ({wall:.0f} s wall), {requests} requests, "
        f"{windows.get('tokens_total', 0):,} ok tokens "
        f"({windows.get('tokens_per_min_whole_run', 0):,}/min over the whole run)",
    ]
    if steady:
        lines.append(
            f"  steady part {steady['from_s']}-{steady['to_s']} s: "
            f"{steady['tokens_per_min']:,} tokens/min = {percent(steady['ratio_of_limit'], 1)} % "
            f"of the limit (60-s windows {steady['lowest_60s_window']:,}.."
            f"{steady['highest_60s_window']:,})  target >= 90 %: "
            f"{verdict(result['targets']['steady_tokens_per_min_ge_90pct'])}"
        )
    else:
        lines.append(f"  steady part: none — {windows.get('note')}")
    series = result["series"]
    lines.append(
        f"  longest silence between two answers: {series.get('longest_gap_s')} s "
        f"(at {series.get('longest_gap_at_s')} s)"
    )
    lines.append(
        f"  pacer holds from the provider's headers: {len(holds)}"
        + "".join(
            f"\n    at {h['at_s']} s for {h['holds_for_s']} s: {h['cause']} "
            f"(remaining {h['remaining_tokens']}, booked {h['booked_tokens']})"
            for h in holds[:10]
        )
    )
    lines += [
        f"  429 answers: {counts.get('rate_limited', 0)} of {requests} = "
        f"{percent(share_429, 1)} % (at s {result['rate_limited_at_s']})  target <= 1 %: "
        f"{verdict(result['targets']['share_429_le_1pct'])}",
        f"  documents: {statuses}  pending (lost) {pending}, failed without reason "
        f"{failed_without_reason}  target 0 lost: "
        f"{verdict(result['targets']['documents_lost_0'])}",
    ]
    emit(args, result, lines)


if __name__ == "__main__":
    main()
