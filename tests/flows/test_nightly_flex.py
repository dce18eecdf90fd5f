"""The nightly run in flex mode against the simulator: every document finishes although a share
of flex calls finds no capacity, those 429s are counted apart from rate limits, flex is billed at
the flex price factor, the audit log records the tier, and past the window's flex share the
calls go out standard (fallbacks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from compliance.gateway.calls import cost_of
from flows.context import app_context, init_home
from flows.nightly.window import WindowGuard
from flows.settings import Settings, load_settings
from storage.engine import transaction
from storage.models.audit import AuditEntry
from tests.flows.test_nightly import nightly, statuses
from tests.simulated import SimulatorFactory, ingest_samples

PRICES = {"small-model": (Decimal(75), Decimal(300)), "strong-model": (Decimal(400), Decimal(1600))}


def flex_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str, *, fallback_after: float
) -> Settings:
    """Both routes flex; the steps and the nightly settings as the other nightly tests'."""
    flex = f'service_tier = "flex"\nflex_fallback_after = {fallback_after}\nflex_timeout_s = 60'
    config = tmp_path / "nightshift.toml"
    config.write_text(
        f"""
[routes.fast]
base_url = "{base_url}/v1"
api_key = "test-fast"
model = "small-model"
region = "KZ"
price_input_per_1m = 75.0
price_output_per_1m = 300.0
timeout_s = 10
{flex}

[routes.strong]
base_url = "{base_url}/v1"
api_key = "test-strong"
model = "strong-model"
region = "KZ"
price_input_per_1m = 400.0
price_output_per_1m = 1600.0
timeout_s = 10
{flex}

[steps]
extract = {{ route = "fast", escalate_to = "strong" }}
categorize = {{ route = "fast", escalate_to = "strong" }}
draft = {{ route = "strong" }}

[nightly]
chunk_size = 10
concurrency = 8
"""
    )
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
    settings = load_settings()
    init_home(settings)
    return settings


def audit_tiers(settings: Settings, run_id: str) -> dict[tuple[str, str | None], int]:
    """(kind, service_tier) → entries of the run's audit log."""
    seen: dict[tuple[str, str | None], int] = {}
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        for raw in session.scalars(select(AuditEntry.entry).where(AuditEntry.run_id == run_id)):
            entry = json.loads(raw)
            assert entry["v"] == 3
            key = (entry["kind"], entry["service_tier"])
            seen[key] = seen.get(key, 0) + 1
    return seen


def billed(entries: list[dict[str, Any]], factor: Decimal) -> Decimal:
    """What the simulator's answers cost at the routes' prices times ``factor``."""
    total = Decimal(0)
    for e in entries:
        if e["status"] == 200:
            price_in, price_out = PRICES[e["model"]]
            tokens_in, tokens_out = e["prompt_tokens"], e["completion_tokens"]
            total += cost_of(tokens_in, tokens_out, price_in, price_out, factor)
    return total


async def test_flex_with_ten_percent_unavailable_finishes_every_document_429s_counted_apart(
    simulator: SimulatorFactory, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = simulator(seed=14, flex_unavailable_rate=0.10)
    settings = flex_home(tmp_path, monkeypatch, sim.url, fallback_after=0.5)
    ingest_samples(settings, 60, seed=14, tmp_path=tmp_path)

    summary = await nightly(settings)  # no window: flex all night
    log = sim.requests()
    counts, entries = log["counts"], log["entries"]

    assert summary["documents_total"] == 60
    assert summary["documents_done"] + summary["documents_review"] == 60
    assert summary["documents_failed"] == summary["documents_deferred"] == 0
    assert statuses(settings).keys() <= {"done", "review"}
    # the simulator refused some flex calls; the run counted exactly those, apart
    assert summary["resource_unavailable"] == counts["resource_unavailable"] > 0
    assert summary["rate_limited"] == counts["rate_limited"] == 0
    assert summary["calls"] == summary["flex_calls"] == len(entries)
    assert summary["flex_fallbacks"] == 0
    assert {e["service_tier"] for e in entries} == {"flex"}
    # every refusal was retried: calls beyond the first include each 429
    assert summary["retries"] >= summary["resource_unavailable"]
    # billed at the flex price factor (0.5), attempt by attempt
    assert Decimal(summary["cost"]) == billed(entries, Decimal("0.5")) > 0
    assert audit_tiers(settings, summary["run_id"]) == {
        ("intent", "flex"): len(entries),
        ("outcome", "flex"): len(entries),
    }


async def test_past_the_windows_flex_share_calls_go_out_standard_and_are_counted_as_fallbacks(
    simulator: SimulatorFactory, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = simulator(seed=15, flex_unavailable_rate=0.10)
    # a share of 0: from the first call on, the flex share of the window is gone
    settings = flex_home(tmp_path, monkeypatch, sim.url, fallback_after=0.0)
    ingest_samples(settings, 12, seed=15, tmp_path=tmp_path)

    summary = await nightly(settings, deadline=datetime.now(UTC) + timedelta(hours=1))
    entries = sim.requests()["entries"]

    assert summary["documents_done"] + summary["documents_review"] == 12
    assert summary["flex_calls"] == summary["resource_unavailable"] == 0
    assert summary["flex_fallbacks"] == summary["calls"] == len(entries) > 0
    assert {e["service_tier"] for e in entries} == {None}
    assert Decimal(summary["cost"]) == billed(entries, Decimal(1))
    assert audit_tiers(settings, summary["run_id"]) == {
        ("intent", None): len(entries),
        ("outcome", None): len(entries),
    }


def test_the_window_share_runs_from_the_runs_start_to_its_deadline() -> None:
    now = [100.0]
    guard = WindowGuard(50.0, total=10, clock=lambda: now[0])
    assert guard.share_gone() == 0.0
    now[0] = 125.0
    assert guard.share_gone() == 0.5
    now[0] = 400.0
    assert guard.share_gone() == 1.0  # capped
    assert WindowGuard(None, total=10).share_gone() is None  # no window: flex all night
    assert WindowGuard(0.0, total=10, clock=lambda: 5.0).share_gone() == 1.0
    closed = WindowGuard(50.0, total=10, clock=lambda: now[0])
    closed.close()  # the run lost its lease: whatever still runs goes standard
    assert closed.share_gone() == 1.0
