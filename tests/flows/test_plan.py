"""The window planner: the arithmetic of a night, and tokens measured as the provider counts."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from compliance.gateway.pacer import RoutePacer
from compliance.gateway.routes import RouteConfig
from compliance.masking import Masker
from flows.config import NightlyConfig, StepsConfig
from flows.context import app_context
from flows.planning.sample import StepLoad
from flows.planning.window import (
    PlanError,
    Window,
    cron_start,
    parse_window,
    plan_night,
    plan_window,
)
from flows.prompts import PromptRegistry
from flows.runtime import Runtime
from flows.settings import Settings, load_settings
from sampledata import generate_records
from service.cli import app
from storage.engine import transaction
from storage.models import VaultEntry
from tests.flows.test_report import FAST_RETRY, ingest, night
from tests.simulated import SimulatorFactory

HEADROOM = 0.97  # RoutePacer's default


def route(**limits: int) -> RouteConfig:
    return RouteConfig(
        base_url="http://127.0.0.1:1/v1",
        api_key="k",
        model="m",
        region="KZ",
        price_input_per_1m=Decimal(75),
        price_output_per_1m=Decimal(300),
        **limits,
    )


def settings_with(routes: dict[str, RouteConfig], **nightly: int) -> Settings:
    first = next(iter(routes))
    return Settings(
        routes=routes,
        steps=StepsConfig.all_on(first),
        nightly=NightlyConfig(**nightly),
    )


def load(
    step: str = "extract",
    calls: float = 1.0,
    tokens_in: float = 900,
    out: float = 100,
    escalate_to: str | None = None,
    share: float = 0.0,
) -> StepLoad:
    return StepLoad(step, "r", escalate_to, calls, tokens_in, out, share)


WINDOW_30 = Window("01:00", "01:30", "Asia/Almaty")
WINDOW_10 = Window("01:00", "01:10", "Asia/Almaty")


def test_a_tpm_bound_night_takes_its_tokens_at_the_paced_rate_and_fits_a_long_enough_window(
    sessions: sessionmaker[Session],
) -> None:
    settings = settings_with({"r": route(tpm=60_000)})
    pacer = RoutePacer(sessions, settings.routes)

    fits = plan_window([load()], 1000, settings, WINDOW_30, {}, pacer)
    short = plan_window([load()], 1000, settings, WINDOW_10, {}, pacer)

    seconds = 1_000_000 * 60 / (60_000 * HEADROOM)
    assert fits.duration_s == pytest.approx(seconds, abs=0.1)
    assert fits.limited_by == "route r tpm"
    assert fits.tokens == 1_000_000 and fits.calls == 1000
    assert fits.cost == Decimal("97.5")  # 900k in at 75/1M + 100k out at 300/1M
    assert fits.cost_per_1000_documents == Decimal("97.50")
    assert fits.fits is True and fits.documents_that_fit == 1000
    assert short.fits is False
    assert short.documents_that_fit == math.floor(1000 * 600 / seconds)


def test_an_rpm_bound_route_counts_calls_not_tokens(sessions: sessionmaker[Session]) -> None:
    settings = settings_with({"r": route(rpm=60, tpm=10_000_000)})
    plan = plan_window(
        [load(calls=3.0)], 100, settings, WINDOW_30, {}, RoutePacer(sessions, settings.routes)
    )

    assert plan.limited_by == "route r rpm"
    assert plan.duration_s == pytest.approx(300 * 60 / (60 * HEADROOM), abs=0.1)


def test_without_limits_concurrency_and_observed_latency_bound_the_night(
    sessions: sessionmaker[Session],
) -> None:
    settings = settings_with({"r": route()}, concurrency=4, chunk_size=10)
    pacer = RoutePacer(sessions, settings.routes)
    loads = [load("extract"), load("categorize"), load("draft", calls=0.9)]

    plan = plan_window(loads, 100, settings, WINDOW_30, {"r": 200.0}, pacer)
    blind = plan_window(loads, 100, settings, WINDOW_30, {}, pacer)

    assert plan.concurrency == 4
    assert plan.document_latency_s == pytest.approx(2.9 * 0.2)
    assert plan.duration_s == pytest.approx(100 * 2.9 * 0.2 / 4, abs=0.1)
    assert plan.limited_by == "concurrency" and plan.fits is True
    assert plan.routes[0].bound == "none" and plan.routes[0].seconds is None
    assert blind.duration_s is None and blind.fits is None and blind.limited_by == "unknown"
    assert "cannot be estimated" in blind.notes[0]


def test_escalated_calls_go_to_the_strong_route_at_its_prices(
    sessions: sessionmaker[Session],
) -> None:
    strong = route(tpm=30_000).model_copy(update={"price_input_per_1m": Decimal(400)})
    settings = settings_with({"r": route(tpm=60_000), "strong": strong})
    loads = [load("categorize", calls=1.25, tokens_in=1000, out=0, escalate_to="strong",
                  share=0.2)]  # fmt: skip

    plan = plan_window(loads, 100, settings, WINDOW_30, {}, RoutePacer(sessions, settings.routes))

    by_name = {r.route: r for r in plan.routes}
    assert by_name["r"].calls == pytest.approx(100) and by_name["strong"].calls == pytest.approx(25)
    assert by_name["strong"].tokens_in == pytest.approx(20_000)
    assert by_name["strong"].cost == Decimal(8)  # 20k tokens at 400/1M
    assert plan.limited_by == "route r tpm"  # 80k at 60k/min is longer than 20k at 30k/min


def test_windows_and_schedules_are_read_or_refused_with_a_reason() -> None:
    assert parse_window("23:00-03:00", "Asia/Almaty").seconds == 4 * 3600
    assert parse_window(" 01:00 - 05:00 ", "UTC").seconds == 4 * 3600
    assert cron_start("0 1 * * *") == "01:00"
    assert cron_start("30 23 * * 1-5") == "23:30"
    assert cron_start("*/5 * * * *") is None
    with pytest.raises(PlanError, match="HH:MM-HH:MM"):
        parse_window("1-5", "UTC")
    with pytest.raises(PlanError, match="same time"):
        parse_window("01:00-01:00", "UTC")


async def test_the_plan_counts_the_prompt_tokens_the_provider_counts_then_uses_real_usage(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=51)
    settings = wired_home(sim.url, escalate=False)
    ingest(settings, list(generate_records(20, seed=52)), tmp_path / "batch.jsonl")
    masker = Masker.load()
    try:
        with app_context(settings) as ctx:
            registry = PromptRegistry.load()
            before = plan_night(ctx, registry, lambda: masker)
            with transaction(ctx.sessions) as session:
                vault_rows = session.scalar(select(func.count()).select_from(VaultEntry))
        runtime = Runtime.open(settings, retry=FAST_RETRY)
        try:
            summary = await night(runtime)
        finally:
            await runtime.aclose()
        with app_context(settings) as ctx:
            after = plan_night(ctx, registry, lambda: masker, documents=1000)
    finally:
        masker.close()

    first = before.as_dict()
    assert first["source"] == "pending" and first["documents"] == 20
    assert first["sample"]["masked_now"] == 20 and vault_rows == 0  # the plan wrote nothing
    real = summary["tokens_by_step"]
    for step in ("extract", "categorize"):  # no retries, no escalation: exactly the same prompts
        planned = first["tokens_per_document"]["mean"][step]["in"] * 20
        assert planned == pytest.approx(real[step]["in"], abs=1.0)
    assert first["tokens_per_document"]["mean"]["draft"]["in"] * 20 >= real["draft"]["in"]
    assert first["tokens_out"] >= summary["tokens_out"]  # max_tokens: an upper bound
    assert any("max_tokens" in note for note in first["notes"])

    second = after.as_dict()
    assert second["sample"]["with_real_usage"] == 20 and second["history"]["runs"] == 1
    assert second["tokens_in"] == pytest.approx(1000 * summary["tokens_in"] / 20, abs=1)
    assert second["tokens_out"] == pytest.approx(1000 * summary["tokens_out"] / 20, abs=1)
    assert second["calls"] == pytest.approx(1000 * summary["calls"] / 20, abs=1)
    assert not any("max_tokens" in note for note in second["notes"])


def test_plan_cli_says_whether_the_night_fits_and_how_many_documents_would(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=53)
    wired_home(sim.url)
    config = tmp_path / "nightshift.toml"
    config.write_text(
        config.read_text().replace("timeout_s = 10.0\n", "timeout_s = 10.0\ntpm = 50000\n")
    )
    ingest(load_settings(), list(generate_records(10, seed=54)), tmp_path / "batch.jsonl")
    runner = CliRunner()

    wide = runner.invoke(app, ["plan", "--documents", "100", "--window", "01:00-04:00", "--json"])
    narrow = runner.invoke(app, ["plan", "--documents", "100", "--window", "01:00-01:02", "--json"])
    human = runner.invoke(app, ["plan", "--documents", "100"])
    bad = runner.invoke(app, ["plan", "--window", "late"])

    assert wide.exit_code == narrow.exit_code == human.exit_code == 0, wide.output
    plan, tight = json.loads(wide.stdout), json.loads(narrow.stdout)
    assert plan.keys() >= {
        "documents", "window", "routes", "duration_s", "limited_by", "calls", "tokens",
        "tokens_in", "tokens_out", "cost", "currency", "cost_per_1000_documents", "fits",
        "documents_that_fit", "sample", "tokens_per_document", "history", "notes",
    }  # fmt: skip
    bounding = max(plan["routes"], key=lambda r: r["seconds"])
    tokens = bounding["tokens_in"] + bounding["tokens_out"]
    assert plan["duration_s"] == pytest.approx(tokens * 60 / (50_000 * HEADROOM), abs=0.2)
    assert plan["fits"] is True and plan["documents_that_fit"] == 100
    assert tight["fits"] is False
    assert tight["documents_that_fit"] == math.floor(100 * 120 / tight["duration_s"])
    assert set(plan["tokens_per_document"]) == {"typical", "top_5pct", "mean"}
    assert "fits" in human.stdout
    assert bad.exit_code == 2 and "HH:MM-HH:MM" in bad.output
