"""Registering against a real Prefect server (the session's test harness), read back by the API.

The server is shared by the session, so each test registers into its own work pool and reads
back by deployment id.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from deployments import DeploymentError, register, report_flow
from deployments.definitions import COMPLETED_EVENT
from flows.config import DeploymentsConfig, NightlyConfig
from flows.settings import Settings
from service.cli import app

NO_REPORT = "this build has no report flow (flows.report.flow: report_flow)"


def make_settings(
    pool: str, schedule: str = "0 1 * * *", timezone: str = "Asia/Almaty"
) -> Settings:
    return Settings(
        nightly=NightlyConfig(schedule=schedule, timezone=timezone),
        deployments=DeploymentsConfig(work_pool=pool, urgent_concurrency=3, bulk_concurrency=1),
    )


@pytest.fixture
def pool(prefect_harness: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NIGHTSHIFT_CONFIG", raising=False)
    return f"test-{uuid.uuid4().hex[:8]}"


async def test_registering_twice_updates_and_does_not_duplicate(pool: str) -> None:
    first = await register(make_settings(pool))
    second = await register(make_settings(pool, schedule="45 23 * * *", timezone="Asia/Aqtobe"))
    assert [d.id for d in first.deployments] == [d.id for d in second.deployments]
    async with get_client() as client:
        nightly = await client.read_deployment(uuid.UUID(second.deployment("nightly/scheduled").id))
        queues = await client.read_work_queues(work_pool_name=pool)
    assert [(s.schedule.cron, s.schedule.timezone) for s in nightly.schedules] == [  # type: ignore[union-attr]
        ("45 23 * * *", "Asia/Aqtobe")
    ]
    assert sorted(q.name for q in queues) == ["bulk", "default", "urgent"]


async def test_the_schedule_read_back_is_the_configured_cron_and_timezone(pool: str) -> None:
    registration = await register(make_settings(pool, "15 2 * * 1-5", "Asia/Almaty"))
    nightly = registration.deployment("nightly/scheduled")
    assert [(s["cron"], s["timezone"], s["active"]) for s in nightly.schedules] == [
        ("15 2 * * 1-5", "Asia/Almaty", True)
    ]
    assert nightly.work_queue == "bulk"
    assert nightly.entrypoint == "flows.nightly.flow.nightly_flow"
    assert nightly.parameters == {"limit": None, "window_end": "05:00", "wait_for_lease": True}
    assert nightly.concurrency_limit == 1
    rerun = registration.deployment("nightly/rerun")
    assert (rerun.work_queue, rerun.schedules) == ("urgent", [])


async def test_the_pool_is_a_process_pool_with_urgent_before_bulk(pool: str) -> None:
    registration = await register(make_settings(pool))
    assert registration.work_pool["type"] == "process"
    assert registration.queues == [
        {"name": "urgent", "priority": 1, "concurrency_limit": 3},
        {"name": "bulk", "priority": 10, "concurrency_limit": 1},
    ]
    async with get_client() as client:
        queues = await client.read_work_queues(work_pool_name=pool)
    by_priority = [q.name for q in sorted(queues, key=lambda q: q.priority)]
    assert by_priority == ["urgent", "bulk", "default"]


async def test_the_report_runs_after_a_completed_nightly_run(pool: str) -> None:
    if report_flow() is None:
        pytest.skip(NO_REPORT)
    registration = await register(make_settings(pool))
    await register(make_settings(pool))  # the automation is replaced, not added
    nightly = registration.deployment("nightly/scheduled")
    report = registration.deployment("morning-report/after-nightly")
    assert report.work_queue == "bulk"
    async with get_client() as client:
        automations = await client.read_resource_related_automations(
            f"prefect.deployment.{report.id}"
        )
    assert len(automations) == 1
    trigger = automations[0].trigger
    assert trigger.expect == {COMPLETED_EVENT}  # type: ignore[union-attr]
    assert trigger.match_related.model_dump() == {  # type: ignore[union-attr]
        "prefect.resource.role": "deployment",
        "prefect.resource.id": f"prefect.deployment.{nightly.id}",
    }
    action = automations[0].actions[0]
    assert str(action.deployment_id) == report.id  # type: ignore[union-attr]


async def test_an_unreachable_api_is_a_clear_error(pool: str) -> None:
    with pytest.raises(
        DeploymentError, match=r"cannot reach the Prefect API at http://127\.0\.0\.1:9/api"
    ):
        await register(make_settings(pool), api_url="http://127.0.0.1:9/api")


async def test_no_api_url_is_a_clear_error(pool: str) -> None:
    with (
        temporary_settings(restore_defaults={PREFECT_API_URL}),
        pytest.raises(DeploymentError, match="PREFECT_API_URL is not set"),
    ):
        await register(make_settings(pool))


def test_deploy_prints_what_it_registered_as_json(
    pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_DEPLOYMENTS__WORK_POOL", pool)
    monkeypatch.setenv("NIGHTSHIFT_NIGHTLY__SCHEDULE", "5 3 * * *")
    result = CliRunner().invoke(app, ["deploy", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["work_pool"]["name"] == pool
    nightly = next(d for d in data["deployments"] if d["name"] == "nightly/scheduled")
    assert [(s["cron"], s["timezone"]) for s in nightly["schedules"]] == [
        ("5 3 * * *", "Asia/Almaty")
    ]


def test_deploy_without_a_server_says_what_to_do(pool: str) -> None:
    result = CliRunner().invoke(app, ["deploy", "--api-url", "http://127.0.0.1:9/api"])
    assert result.exit_code == 2
    assert "cannot reach the Prefect API" in result.stderr
    assert "nightshift up" in result.stderr
