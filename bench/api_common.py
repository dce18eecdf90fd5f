"""Shared pieces of the API benchmarks: ``nightshift serve`` as a child process, a caller key,
percentiles.

:class:`ServeProcess` starts ``python -m service.cli serve`` on a free loopback port with a bench
home's environment (``common.BenchHome.env``) and waits for ``/readyz`` (the masker loaded).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from common import REPO, cpu_seconds, free_port


class ServeProcess:
    """``nightshift serve`` on a free port, with the bench home's environment."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)]
        command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**os.environ, **env, "PYTHONPATH": str(REPO)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout_s: float = 180.0) -> None:
        """Until ``/readyz`` answers 200 several times in a row (any worker may answer one),
        with the masking processes up: the steady state, not the seconds they take to start."""
        deadline, in_a_row = time.monotonic() + timeout_s, 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nightshift serve on port {self.port} exited")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                    steady = (
                        not json.loads(response.read()).get("masking", "").startswith("starting")
                    )
                    in_a_row = in_a_row + 1 if response.status == 200 and steady else 0
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                in_a_row = 0
            if in_a_row >= 5 * self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"nightshift serve on port {self.port} was not ready in time")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=10) as response:
            return str(response.read().decode())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def create_key(settings: Any, name: str, **limits: Any) -> str:
    from compliance.keys.callers import CallerKeys, KeyLimits, Role
    from flows.context import app_context

    with app_context(settings) as ctx:
        keys = CallerKeys.open(ctx.sessions, settings.keys_dir)
        _, secret = keys.create(name, Role.CLIENT, KeyLimits(**limits))
    return secret


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95 and max (nearest rank), rounded to 0.1."""
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]

    return {"p50": round(rank(0.50), 1), "p95": round(rank(0.95), 1), "max": round(ordered[-1], 1)}


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live descendants (uvicorn's workers are children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0.0
    for member in family:
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            total += cpu_seconds(member)
    return total
