"""The deployment objects built from the settings: schedule, queues, priorities, parameters."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.flows import load_flow_from_entrypoint

from deployments.definitions import (
    BULK_PRIORITY,
    BULK_QUEUE,
    COMPLETED_EVENT,
    URGENT_PRIORITY,
    URGENT_QUEUE,
    nightly_deployment,
    queue_specs,
    report_deployment,
    report_flow,
    report_trigger,
    rerun_deployment,
)
from flows.config import DeploymentsConfig, NightlyConfig
from flows.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NO_REPORT = "this build has no report flow (flows.report.flow: report_flow)"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NIGHTSHIFT_CONFIG", raising=False)
    return Settings(
        nightly=NightlyConfig(
            schedule="30 2 * * 1-5", timezone="Europe/Berlin", window_end="06:15"
        ),
        deployments=DeploymentsConfig(
            work_pool="night-pool", urgent_concurrency=3, bulk_concurrency=2
        ),
    )


def cron_of(deployment: RunnerDeployment) -> tuple[str, str | None]:
    assert deployment.schedules is not None and len(deployment.schedules) == 1
    schedule = deployment.schedules[0].schedule
    assert isinstance(schedule, CronSchedule)
    return schedule.cron, schedule.timezone


def test_the_nightly_deployment_runs_on_the_configured_cron_and_timezone(
    settings: Settings,
) -> None:
    deployment = nightly_deployment(settings)
    assert deployment.full_name == "nightly/scheduled"
    assert cron_of(deployment) == ("30 2 * * 1-5", "Europe/Berlin")
    assert deployment.schedules[0].slug == "nightly-cron"  # type: ignore[index]


def test_the_default_schedule_is_one_at_night_in_almaty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path))
    deployment = nightly_deployment(Settings())
    assert cron_of(deployment) == ("0 1 * * *", "Asia/Almaty")
    assert deployment.work_pool_name == "nightshift"


def test_the_nightly_run_is_on_bulk_with_the_window_as_its_parameter(settings: Settings) -> None:
    deployment = nightly_deployment(settings)
    assert (deployment.work_pool_name, deployment.work_queue_name) == ("night-pool", BULK_QUEUE)
    assert deployment.parameters == {"limit": None, "window_end": "06:15", "wait_for_lease": True}
    assert deployment.concurrency_limit == 1


def test_the_rerun_is_on_demand_on_urgent_without_a_window(settings: Settings) -> None:
    deployment = rerun_deployment(settings)
    assert deployment.full_name == "nightly/rerun"
    assert not deployment.schedules
    assert (deployment.work_pool_name, deployment.work_queue_name) == ("night-pool", URGENT_QUEUE)
    assert deployment.parameters == {"limit": None, "window_end": "none", "wait_for_lease": False}


def test_urgent_is_served_before_bulk_each_with_its_configured_limit(settings: Settings) -> None:
    specs = {spec.name: spec for spec in queue_specs(settings)}
    assert (specs[URGENT_QUEUE].priority, specs[BULK_QUEUE].priority) == (1, 10)
    assert URGENT_PRIORITY < BULK_PRIORITY
    assert specs[URGENT_QUEUE].concurrency_limit == 3
    assert specs[BULK_QUEUE].concurrency_limit == 2


def test_entrypoints_are_module_paths_that_load_from_any_directory(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a process worker does: import the flow from the installed package, elsewhere."""
    monkeypatch.chdir(tmp_path)
    for deployment in (nightly_deployment(settings), rerun_deployment(settings)):
        assert deployment.entrypoint == "flows.nightly.flow.nightly_flow"
        flow: Flow[..., Any] = load_flow_from_entrypoint(deployment.entrypoint)
        assert flow.name == "nightly"
        assert (
            Path(flow.fn.__code__.co_filename).resolve() == ROOT / "flows" / "nightly" / "flow.py"
        )


def test_the_report_is_started_by_a_completed_run_of_the_nightly_deployment_only() -> None:
    nightly_id = uuid.uuid4()
    trigger = report_trigger(nightly_id)
    assert trigger.expect == {COMPLETED_EVENT}
    assert trigger.match_related.model_dump() == {  # type: ignore[union-attr]
        "prefect.resource.id": f"prefect.deployment.{nightly_id}",
        "prefect.resource.role": "deployment",
    }
    assert trigger.threshold == 1


def test_the_report_deployment_is_on_bulk_with_its_trigger(settings: Settings) -> None:
    if report_flow() is None:
        pytest.skip(NO_REPORT)
    nightly_id = uuid.uuid4()
    deployment = report_deployment(settings, nightly_id)
    assert deployment is not None
    assert deployment.full_name == "morning-report/after-nightly"
    assert (deployment.work_pool_name, deployment.work_queue_name) == ("night-pool", BULK_QUEUE)
    assert not deployment.schedules
    assert [t.model_dump(include={"expect", "match_related"}) for t in deployment.triggers] == [
        report_trigger(nightly_id).model_dump(include={"expect", "match_related"})
    ]
    assert deployment.entrypoint is not None
    assert load_flow_from_entrypoint(deployment.entrypoint).name == "morning-report"


def test_the_pool_settings_are_in_the_configuration_reference() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    assert "[deployments]" in reference
    missing = [name for name in DeploymentsConfig.model_fields if f"{name} =" not in reference]
    assert missing == []


@pytest.mark.parametrize("pool", ["", "has space", "a/b"])
def test_a_pool_name_prefect_cannot_use_is_refused(pool: str) -> None:
    with pytest.raises(ValueError, match="work_pool"):
        DeploymentsConfig(work_pool=pool)
