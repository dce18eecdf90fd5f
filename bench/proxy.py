"""The OpenAI-compatible proxy's added latency: ``POST /v1/chat/completions``, 1 KB message.

One ``nightshift serve`` process and the simulator (its own process, no latency). The same
1 KB message (Russian, with a name, a phone number and an e-mail address to mask) is sent
``--requests`` times by ``--clients`` clients, each waiting for its answer before the next:

- **added** = the time the client waited − the model time, where the model time is the
  gateway's attempt latency (header ``x-nightshift-model-ms``); everything nightshift does is in
  it: authentication, masking, residency and key checks, the audit entry (committed before the
  answer), re-identification;
- **direct** = the same request sent straight to the simulator by the same client, for scale:
  ``p50(proxy) − p50(direct)`` is the cost a client sees (LiteLLM publishes 12 ms median / 29 ms
  p95 for its proxy, without masking).

Target: p95 added ≤ 30 ms. The machine is shared: other processes' CPU is printed alongside.

    .venv/bin/python bench/proxy.py [--requests 300] [--clients 1]
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from api_common import ServeProcess, create_key, percentiles, tree_cpu_seconds
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
    wait_for_quiet,
    workspace,
)

TARGET_P95_MS = 30.0
SENTENCE = (
    "Здравствуйте! Меня зовут Айгерим Жумабаева, телефон +7 701 234 56 78, почта "
    "aigerim.zh@example.kz. С моей карты дважды списали оплату за заказ, прошу вернуть деньги. "
)


def message(size: int = 1024) -> str:
    """``size`` bytes of UTF-8 text or just under (the sentence repeated, cut at a space)."""
    text = SENTENCE * (size // len(SENTENCE.encode()) + 1)
    while len(text.encode()) > size:
        text = text[: text.rstrip().rfind(" ")] + " "
    return text.rstrip()


def send_all(
    url: str, headers: dict[str, str], body: dict[str, Any], count: int, clients: int
) -> list[dict[str, float]]:
    results: list[dict[str, float]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for _ in range(n):
                started = time.perf_counter()
                response = http.post("/v1/chat/completions", json=body)
                waited = (time.perf_counter() - started) * 1000.0
                model = float(response.headers.get("x-nightshift-model-ms", "nan"))
                with lock:
                    results.append(
                        {"status": response.status_code, "total_ms": waited, "model_ms": model}
                    )

    shares = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, shares))
    return results


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    text = message()
    with SimulatorProcess(workdir, seed=31) as sim:
        home = BenchHome(workdir, route_config(sim.base_url), args.database_url)
        settings = home.create()
        server = ServeProcess(home.env(), workdir / "serve.log")
        try:
            secret = create_key(settings, "bench-client")
            server.wait_ready()
            proxy = {"Authorization": f"Bearer {secret}"}
            direct = {"Authorization": "Bearer bench-key"}
            body = {"model": "default", "messages": [{"role": "user", "content": text}]}
            upstream = {**body, "model": "small-model"}
            say(args, f"warming up; then {args.requests} requests x {args.clients} client(s)")
            send_all(server.url, proxy, body, args.warmup, 1)
            send_all(sim.url, direct, upstream, args.warmup, 1)
            quiet = wait_for_quiet(args.wait_quiet) if args.wait_quiet else None
            busy, own = machine_busy_seconds(), tree_cpu_seconds(server.process.pid)
            sim_cpu, began = sim.cpu_seconds(), time.monotonic()
            proxied = send_all(server.url, proxy, body, args.requests, args.clients)
            wall = time.monotonic() - began
            ours = tree_cpu_seconds(server.process.pid) - own
            sim_used = sim.cpu_seconds() - sim_cpu
            others = max(machine_busy_seconds() - busy - ours - sim_used, 0.0)
            straight = send_all(sim.url, direct, upstream, args.requests, args.clients)
        finally:
            server.stop()
            home.destroy()
    ok = [r for r in proxied if r["status"] == 200]
    return {
        "machine": machine(),
        "database": "postgresql" if home.is_postgres else "sqlite",
        "message_bytes": len(text.encode()),
        "clients": args.clients,
        "requests": len(proxied),
        "ok": len(ok),
        "other_statuses": sorted({int(r["status"]) for r in proxied} - {200}),
        "seconds": round(wall, 1),
        "requests_per_s": round(len(proxied) / wall, 1),
        "total_ms": percentiles([r["total_ms"] for r in ok]),
        "model_ms": percentiles([r["model_ms"] for r in ok]),
        "added_ms": percentiles([r["total_ms"] - r["model_ms"] for r in ok]),
        "direct_ms": percentiles([r["total_ms"] for r in straight if r["status"] == 200]),
        "api_cpu_ms_per_request": round(1000 * ours / max(len(proxied), 1), 1),
        "others_busy_cores_before": quiet,
        "cpu_share_of_one_core": {
            "api": round(ours / wall, 3),
            "simulator": round(sim_used / wall, 3),
            "others": round(others / wall, 3),
        },
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--wait-quiet", type=float, default=0.0, help="wait up to S seconds")
    args = parser.parse_args()
    with workspace("proxy", args.keep) as workdir:
        result = run(args, workdir)
    added, total, direct = result["added_ms"], result["total_ms"], result["direct_ms"]
    met = added["p95"] <= TARGET_P95_MS and result["ok"] == result["requests"]
    result["target_met"] = met
    cpu = result["cpu_share_of_one_core"]
    lines = [
        f"/v1/chat/completions, {result['message_bytes']} B message, {result['clients']} "
        f"client(s), {result['database']}: {result['ok']}/{result['requests']} ok, "
        f"{result['requests_per_s']} requests/s",
        f"  total  p50 {total['p50']} ms, p95 {total['p95']} ms",
        f"  added  p50 {added['p50']} ms, p95 {added['p95']} ms, max {added['max']} ms",
        f"  direct to the simulator  p50 {direct['p50']} ms, p95 {direct['p95']} ms",
        f"  API CPU {result['api_cpu_ms_per_request']} ms per request",
        f"  CPU (share of one core): API {cpu['api']}, simulator {cpu['simulator']}, "
        f"others {cpu['others']}",
        f"  p95 added <= {TARGET_P95_MS:.0f} ms: {verdict(met)}",
    ]
    emit(args, result, lines)


if __name__ == "__main__":
    main()
