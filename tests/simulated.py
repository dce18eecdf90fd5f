"""Fixtures: a provider simulator over loopback HTTP and a nightshift home wired to it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from flows.context import app_context, init_home
from flows.ingest import ingest_paths
from flows.settings import Settings, load_settings
from sampledata import generate_records, write_jsonl
from simulator import SimulatorConfig, run_simulator_in_thread


@dataclass
class Simulator:
    url: str

    def requests(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/simulator/requests") as response:
            data: dict[str, Any] = json.load(response)
        return data

    def counts(self) -> dict[str, int]:
        return dict(self.requests()["counts"])

    def total(self) -> int:
        return sum(self.counts().values())

    def received_and_answered(self) -> tuple[int, int]:
        """Chat requests that arrived, and those answered (or failed) so far, in one read."""
        summary = self.requests()
        return int(summary["received"]), sum(summary["counts"].values())


def write_config(
    path: Path, base_url: str, *, timeout_s: float = 10.0, extra: str = "", escalate: bool = True
) -> Path:
    strong = ', escalate_to = "strong"' if escalate else ""
    path.write_text(
        f"""
[routes.fast]
base_url = "{base_url}/v1"
api_key = "test-fast"
model = "small-model"
region = "KZ"
price_input_per_1m = 75.0
price_output_per_1m = 300.0
timeout_s = {timeout_s}

[routes.strong]
base_url = "{base_url}/v1"
api_key = "test-strong"
model = "strong-model"
region = "KZ"
price_input_per_1m = 400.0
price_output_per_1m = 1600.0
timeout_s = {timeout_s}

[steps]
extract = {{ route = "fast"{strong} }}
categorize = {{ route = "fast"{strong} }}
draft = {{ route = "strong" }}

[nightly]
chunk_size = 10
concurrency = 8
{extra}
"""
    )
    return path


SimulatorFactory = Callable[..., Simulator]


@pytest.fixture
def simulator() -> Iterator[SimulatorFactory]:
    """Start a simulator with the given settings (one per call), stopped after the test."""
    stack: list[Any] = []

    def start(**options: Any) -> Simulator:
        context = run_simulator_in_thread(SimulatorConfig(**options))
        stack.append(context)
        return Simulator(context.__enter__())

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def wired_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Settings]:
    """Point the home's configuration at a simulator URL, initialise it, return the settings."""

    def wire(
        base_url: str, *, timeout_s: float = 10.0, extra: str = "", escalate: bool = True
    ) -> Settings:
        path = tmp_path / "nightshift.toml"
        config = write_config(path, base_url, timeout_s=timeout_s, extra=extra, escalate=escalate)
        monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
        settings = load_settings()
        init_home(settings)
        return settings

    return wire


def ingest_samples(
    settings: Settings, count: int, seed: int, tmp_path: Path
) -> list[dict[str, Any]]:
    """Generate and ingest ``count`` sample emails; return the records (with their labels)."""
    records = list(generate_records(count, seed))
    path = tmp_path / f"samples-{seed}-{count}.jsonl"
    write_jsonl(records, path)
    with app_context(settings) as ctx:
        report = ingest_paths(ctx.sessions, ctx.keyring, [path], source="test")
    assert report.new == count, report.as_dict()
    return records


class Capture(httpx2.AsyncBaseTransport):
    """Forwards to the simulator and keeps every request body that left the process."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(await request.aread())
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def sent_text(self) -> str:
        """The bodies decoded as the provider reads them (JSON ``\\u`` escapes undone)."""
        return "\n".join(json.dumps(json.loads(b), ensure_ascii=False) for b in self.bodies)
