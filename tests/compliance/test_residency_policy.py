"""Residency on every call: a route abroad is refused (and audited) unless masked export is
allowed, and then only masked text reaches it — shown against the provider simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from compliance.gateway.calls import ModelRequest, Outcome
from compliance.gateway.gateway import Gateway
from compliance.gateway.residency_policy import ResidencyPolicy
from compliance.gateway.routes import RouteConfig
from compliance.residency import ResidencyConfig
from flows.context import init_home
from flows.online.flow import process_online
from flows.runtime import Runtime
from flows.settings import Settings, load_settings
from storage.engine import make_engine
from tests.flows.test_privacy import found_in, planted
from tests.simulated import Capture, SimulatorFactory, ingest_samples, write_config

HOME = RouteConfig(base_url="http://llm.bank.kz/v1", model="m", region="KZ")
ABROAD = RouteConfig(base_url="https://api.example.de/v1", model="m", region="de")
IIN = "900101300126"


def request(content: str, *, masked: bool = True) -> ModelRequest:
    return ModelRequest("extract", "v1", ({"role": "user", "content": content},), masked=masked)


async def test_a_route_in_the_home_country_passes() -> None:
    policy = ResidencyPolicy(ResidencyConfig(country="KZ"))
    assert await policy.check(request("[PERSON_1]"), "home", HOME) is None


async def test_a_route_abroad_is_refused_with_its_region_when_export_is_not_allowed() -> None:
    policy = ResidencyPolicy(ResidencyConfig(country="KZ"))
    assert await policy.check(request("[PERSON_1]"), "abroad", ABROAD) == "residency:DE"


async def test_masked_export_lets_masked_text_through_and_nothing_else() -> None:
    policy = ResidencyPolicy(ResidencyConfig(country="KZ", allow_masked_export=True))

    clean = await policy.check(request("[PERSON_1], [KZ_IIN_1]"), "abroad", ABROAD)
    unmasked = await policy.check(request("hello", masked=False), "abroad", ABROAD)
    leaky = await policy.check(request(f"ИИН {IIN}, [PERSON_1]"), "abroad", ABROAD)

    assert clean is None
    assert unmasked == "residency:DE:unmasked"
    assert leaky == "residency:DE:residual_identifiers:KZ_IIN=1"


async def test_an_unmasked_request_to_a_home_route_is_left_to_the_masking_policy() -> None:
    policy = ResidencyPolicy(ResidencyConfig(country="KZ", allow_masked_export=True))
    assert await policy.check(request("hello", masked=False), "home", HOME) is None


async def test_a_gateway_with_the_policy_sends_nothing_abroad_that_is_not_masked(
    simulator: SimulatorFactory,
) -> None:
    sim = simulator(seed=51)
    route = RouteConfig(base_url=f"{sim.url}/v1", model="small-model", region="DE")
    policy = ResidencyPolicy(ResidencyConfig(country="KZ", allow_masked_export=True))
    async with Gateway.unguarded_for_tests(
        {"abroad": route}, {"abroad": "k"}, policies=[policy]
    ) as gateway:
        refused = [
            await gateway.call(request("hello", masked=False), "abroad"),
            await gateway.call(request(f"ИИН {IIN}"), "abroad"),
        ]
        sent = await gateway.call(request("[PERSON_1] asks about a refund"), "abroad")

    assert [r.outcome for r in refused] == [Outcome.REFUSED, Outcome.REFUSED]
    assert all(IIN not in (a.detail or "") for r in refused for a in r.attempts)
    assert sent.outcome is Outcome.OK
    assert sim.total() == 1


# -- end to end: settings, the runtime's policies, masking and the audit log -------------------


@pytest.fixture
def abroad_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Settings]:
    """A home whose two routes both point at the simulator but declare region DE."""

    def wire(base_url: str, *, allow_masked_export: bool) -> Settings:
        path = write_config(tmp_path / "nightshift.toml", base_url)
        allow = "true" if allow_masked_export else "false"
        config = path.read_text().replace('region = "KZ"', 'region = "DE"')
        path.write_text(f'[residency]\ncountry = "KZ"\nallow_masked_export = {allow}\n' + config)
        monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(path))
        settings = load_settings()
        init_home(settings)
        return settings

    return wire


def audit_entries(settings: Settings) -> list[dict[str, Any]]:
    """The outcome entries of the log (an attempt that sent is also an intent entry)."""
    engine: Engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT entry FROM audit_entries WHERE kind = 'outcome' ORDER BY seq")
            )
            return [json.loads(bytes(data)) for (data,) in rows]
    finally:
        engine.dispose()


async def test_a_route_abroad_is_refused_per_call_audited_and_the_provider_gets_nothing(
    simulator: SimulatorFactory,
    abroad_home: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    sim, capture = simulator(seed=52), Capture()
    settings = abroad_home(sim.url, allow_masked_export=False)
    ingest_samples(settings, 2, seed=43, tmp_path=tmp_path)
    runtime = Runtime.open(settings, transport=capture)
    try:
        result = await process_online(runtime, 1)
    finally:
        await runtime.aclose()

    entries = audit_entries(settings)
    assert sim.total() == 0 and capture.bodies == []
    assert result.counters.calls == 0
    assert result.steps["extract"].reason == "refused:residency:DE"
    assert result.steps["categorize"].reason == "refused:residency:DE"
    assert len(entries) >= 2
    assert {(e["outcome"], e["region"], e["detail"]) for e in entries} == {
        ("refused", "DE", "residency:DE")
    }
    assert {e["request_sha256"] for e in entries} == {None}


async def test_with_masked_export_only_placeholders_reach_the_route_abroad(
    simulator: SimulatorFactory,
    abroad_home: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    sim, capture = simulator(seed=53), Capture()
    settings = abroad_home(sim.url, allow_masked_export=True)
    records = ingest_samples(settings, 3, seed=43, tmp_path=tmp_path)
    runtime = Runtime.open(settings, transport=capture)
    try:
        results = [await process_online(runtime, document_id) for document_id in (1, 2, 3)]
    finally:
        await runtime.aclose()

    kinds = {span["type"] for record in records for span in record["labels"]["pii"]}
    assert {"PERSON", "KZ_IIN", "PHONE_NUMBER"} <= kinds
    calls = sum(r.counters.calls for r in results)
    assert calls > 0 and sim.total() == len(capture.bodies) == calls
    # Bodies are JSON with \u escapes: compare on the decoded text, as the provider reads it.
    sent = "\n".join(json.dumps(json.loads(b), ensure_ascii=False) for b in capture.bodies)
    assert "[PERSON_1]" in sent
    assert found_in(sent.encode(), planted(records)) == []
    entries = audit_entries(settings)
    assert {(e["outcome"], e["region"]) for e in entries} == {("ok", "DE")}
