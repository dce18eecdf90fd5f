"""Must-show: several API processes share one client key's requests/min through the database.

Three ``nightshift serve`` processes on three ports share one database (PostgreSQL with
``--database-url``) and one client key with ``rpm = 60``. About 150 chat completions are fired
at them round-robin over about 70 seconds. The upstream (the simulator, its own process) logs
every request it receives; in **any** 60-second window it must see at most 60 of them, and every
other request must get 429 with ``Retry-After``.

    .venv/bin/python bench/api_limits.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_h5_limits

What is checked, from the simulator's log alone: the largest number of requests it received in
any window ``[t, t + 60 s)``, and the smallest gap between a request and the 60th after it.
"""

from __future__ import annotations

import argparse
import bisect
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from api_common import ServeProcess, create_key, tree_cpu_seconds
from common import (
    BenchHome,
    SimulatorProcess,
    base_parser,
    emit,
    machine,
    machine_busy_seconds,
    route_config,
    say,
    verdict,
    workspace,
)

MESSAGE = "Добрый день! Подскажите, пожалуйста, какие документы нужны для закрытия счёта."


def chat(url: str, secret: str, model: str) -> tuple[int, str | None, float]:
    """One completion: (status, Retry-After, seconds taken)."""
    import json

    body = json.dumps({"model": model, "messages": [{"role": "user", "content": MESSAGE}]})
    request = urllib.request.Request(
        f"{url}/v1/chat/completions",
        data=body.encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, retry = response.status, response.headers.get("retry-after")
            response.read()
    except urllib.error.HTTPError as error:
        status, retry = error.code, error.headers.get("retry-after")
        error.read()
    return status, retry, time.perf_counter() - started


def fire(urls: list[str], secret: str, count: int, seconds: float) -> list[dict[str, Any]]:
    """``count`` requests spread evenly over ``seconds``, round-robin over ``urls``."""
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def one(index: int) -> None:
        time.sleep(max(0.0, start + index * seconds / count - time.monotonic()))
        url = urls[index % len(urls)]
        status, retry, took = chat(url, secret, "default")
        del took
        with lock:
            results.append({"index": index, "url": url, "status": status, "retry": retry})

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(one, range(count)))
    return sorted(results, key=lambda r: r["index"])


def chat_ok_counted(metrics: str) -> int:
    """``nightshift_http_requests_total`` of 200 answers to chat completions in one process."""
    total = 0.0
    for line in metrics.splitlines():
        if (
            line.startswith("nightshift_http_requests_total{")
            and 'route="/v1/chat/completions"' in line
            and 'status="200"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def window_figures(times: list[float], window_s: float, limit: int) -> dict[str, Any]:
    """The most requests in any ``[t, t + window)`` and the smallest gap between a request and
    the ``limit``-th one after it (at least ``window_s`` when the limit held)."""
    times = sorted(times)
    most = max(
        (bisect.bisect_left(times, t + window_s) - i for i, t in enumerate(times)), default=0
    )
    gaps = [times[i + limit] - times[i] for i in range(len(times) - limit)]
    return {
        "max_in_any_window": most,
        "min_gap_to_the_limit_th_next_s": round(min(gaps), 3) if gaps else None,
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with SimulatorProcess(workdir, seed=11) as sim:
        home = BenchHome(workdir, route_config(sim.base_url), args.database_url)
        settings = home.create()
        servers: list[ServeProcess] = []
        try:
            secret = create_key(settings, "shared-client", rpm=args.rpm)
            for n in range(args.processes):
                servers.append(ServeProcess(home.env(), workdir / f"serve-{n}.log"))
            for server in servers:
                server.wait_ready()
            say(args, f"{len(servers)} API processes ready; firing {args.requests} requests")
            sim.reset()
            busy, own = machine_busy_seconds(), [tree_cpu_seconds(s.process.pid) for s in servers]
            sim_cpu, began = sim.cpu_seconds(), time.monotonic()
            results = fire([s.url for s in servers], secret, args.requests, args.seconds)
            wall = time.monotonic() - began
            after = [tree_cpu_seconds(s.process.pid) for s in servers]
            ours = sum(after) - sum(own)
            sim_used = sim.cpu_seconds() - sim_cpu
            others = machine_busy_seconds() - busy - ours - sim_used
            upstream = [e["time"] for e in sim.requests()["entries"]]
            per_process = [chat_ok_counted(s.metrics()) for s in servers]
        finally:
            for server in servers:
                server.stop()
            home.destroy()
    ok = [r for r in results if r["status"] == 200]
    limited = [r for r in results if r["status"] == 429]
    return {
        "machine": machine(),
        "database": "postgresql" if home.is_postgres else "sqlite",
        "processes": args.processes,
        "rpm": args.rpm,
        "requests": len(results),
        "seconds": round(wall, 1),
        "ok": len(ok),
        "rate_limited_429": len(limited),
        "other_statuses": sorted({r["status"] for r in results} - {200, 429}),
        "429_with_retry_after": sum(1 for r in limited if r["retry"] and int(r["retry"]) >= 1),
        "retry_after_values": sorted({int(r["retry"]) for r in limited if r["retry"]}),
        "ok_per_process": [sum(1 for r in ok if r["url"] == s.url) for s in servers],
        "metrics_chat_200_per_process": per_process,
        "upstream_requests": len(upstream),
        **window_figures(upstream, 60.0, args.rpm),
        "cpu_share_of_one_core": {
            "api_processes": round(ours / wall, 3),
            "simulator": round(sim_used / wall, 3),
            "others": round(max(others, 0) / wall, 3),
        },
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--rpm", type=int, default=60)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=70.0)
    args = parser.parse_args()
    with workspace("api-limits", args.keep) as workdir:
        result = run(args, workdir)
    held = (
        result["max_in_any_window"] <= args.rpm
        and result["ok"] == result["upstream_requests"]
        and result["ok"] + result["rate_limited_429"] == result["requests"]
        and result["429_with_retry_after"] == result["rate_limited_429"]
    )
    result["limit_held"] = held
    cpu = result["cpu_share_of_one_core"]
    lines = [
        f"{result['processes']} API processes on {result['database']}, one key with rpm "
        f"{result['rpm']}: {result['requests']} requests in {result['seconds']} s",
        f"  200: {result['ok']} (per process {result['ok_per_process']}, their /metrics "
        f"{result['metrics_chat_200_per_process']}), 429: "
        f"{result['rate_limited_429']} ({result['429_with_retry_after']} with Retry-After, "
        f"values {result['retry_after_values']}), other: {result['other_statuses']}",
        f"  upstream received {result['upstream_requests']}; most in any 60 s window: "
        f"{result['max_in_any_window']}; smallest gap to the {args.rpm}th next request: "
        f"{result['min_gap_to_the_limit_th_next_s']} s",
        f"  CPU (share of one core): API {cpu['api_processes']}, simulator {cpu['simulator']}, "
        f"others {cpu['others']}",
        f"  at most {args.rpm} per 60 s upstream, the rest 429: {verdict(held)}",
    ]
    emit(args, result, lines)


if __name__ == "__main__":
    main()
