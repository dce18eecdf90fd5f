"""What nightshift deploys on Prefect, built from the settings (no API call here).

* ``nightly/scheduled`` — the nightly flow on ``nightly.schedule`` in ``nightly.timezone``,
  queue ``bulk``; parameters ``limit`` (none: every pending document), ``window_end``
  (``nightly.window_end``) and ``wait_for_lease`` (true: a re-run still working when the night
  starts is waited for, within the window, so the night and its report still happen).
* ``nightly/rerun`` — the same flow on demand (no schedule), queue ``urgent``, no window:
  a person started it and is waiting (a run already working refuses it at once).
* ``morning-report/after-nightly`` — the morning report, queue ``bulk``, started by a Prefect
  automation when a run of ``nightly/scheduled`` reaches Completed (see docs/deploy.md for why
  an event trigger and not a subflow). Not registered when the build has no report flow.

Entry points are **module paths** (``flows.nightly.flow.nightly_flow``): a process worker imports
the flow from the installed package (``pip install -e .`` in a clone, ``pip install .`` in the
image) whatever its working directory, and the deployment carries no path of the machine that
registered it.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.nightly.flow import nightly_flow
from flows.settings import Settings

POOL_TYPE = "process"
URGENT_QUEUE = "urgent"
BULK_QUEUE = "bulk"
URGENT_PRIORITY = 1
BULK_PRIORITY = 10
#: Every pool has a queue named "default"; deployments never use it, so it goes last.
DEFAULT_QUEUE = "default"
DEFAULT_QUEUE_PRIORITY = 100

NIGHTLY_DEPLOYMENT = "scheduled"
RERUN_DEPLOYMENT = "rerun"
REPORT_DEPLOYMENT = "after-nightly"
#: The slug makes a re-deploy update the schedule in place instead of adding a second one.
SCHEDULE_SLUG = "nightly-cron"
COMPLETED_EVENT = "prefect.flow-run.Completed"
REPORT_MODULES = ("flows.report.flow",)
REPORT_FLOW = "report_flow"
TAGS = ["nightshift"]


@dataclass(frozen=True)
class QueueSpec:
    name: str
    priority: int
    concurrency_limit: int | None
    description: str


def queue_specs(settings: Settings) -> tuple[QueueSpec, ...]:
    """The pool's queues: urgent before bulk, each with its own concurrency limit."""
    pool = settings.deployments
    return (
        QueueSpec(
            URGENT_QUEUE,
            URGENT_PRIORITY,
            pool.urgent_concurrency,
            "On-demand re-runs: served before anything on bulk.",
        ),
        QueueSpec(
            BULK_QUEUE,
            BULK_PRIORITY,
            pool.bulk_concurrency,
            "The nightly run and its morning report (archive re-processing included).",
        ),
    )


def full_name(flow: Flow[..., Any], deployment: str) -> str:
    """``<flow name>/<deployment name>``, as ``prefect deployment run`` wants it."""
    return f"{flow.name}/{deployment}"


def _deployment(flow: Flow[..., Any], name: str, **options: Any) -> RunnerDeployment:
    return RunnerDeployment.from_flow(
        flow,
        name=name,
        entrypoint_type=EntrypointType.MODULE_PATH,
        tags=TAGS,
        **options,
    )


def nightly_deployment(settings: Settings) -> RunnerDeployment:
    """The scheduled nightly run, on bulk; one run at a time."""
    nightly = settings.nightly
    return _deployment(
        nightly_flow,
        NIGHTLY_DEPLOYMENT,
        schedule=Cron(nightly.schedule, timezone=nightly.timezone, slug=SCHEDULE_SLUG),
        parameters={"limit": None, "window_end": nightly.window_end, "wait_for_lease": True},
        work_pool_name=settings.deployments.work_pool,
        work_queue_name=BULK_QUEUE,
        concurrency_limit=1,
        description=(
            f"The nightly batch over every pending document, {nightly.schedule} "
            f"({nightly.timezone}); stops starting work at {nightly.window_end}."
        ),
    )


def rerun_deployment(settings: Settings) -> RunnerDeployment:
    """The on-demand re-run, on urgent; no schedule and no window."""
    return _deployment(
        nightly_flow,
        RERUN_DEPLOYMENT,
        parameters={"limit": None, "window_end": "none", "wait_for_lease": False},
        work_pool_name=settings.deployments.work_pool,
        work_queue_name=URGENT_QUEUE,
        concurrency_limit=1,
        description=(
            "Re-run the pending work now (urgent queue): after a prompt change, a failed "
            "night or an urgent batch. Parameters: limit (documents), window_end (HH:MM|none)."
        ),
    )


def report_flow() -> Flow[..., Any] | None:
    """The morning report flow, or None while this build has none.

    Looked up in ``flows.report.flow``; a module that exists but fails to import raises, so a
    broken report is never silently skipped.
    """
    for module_name in REPORT_MODULES:
        if importlib.util.find_spec(module_name) is None:
            continue
        candidate = getattr(importlib.import_module(module_name), REPORT_FLOW, None)
        if isinstance(candidate, Flow):
            return candidate
    return None


def report_trigger(nightly_deployment_id: UUID) -> DeploymentEventTrigger:
    """Run the report when a flow run of the nightly deployment (that one only) completes."""
    return DeploymentEventTrigger(
        name="morning report after the nightly run",
        description="Starts morning-report/after-nightly when nightly/scheduled completes.",
        expect={COMPLETED_EVENT},
        match_related={
            "prefect.resource.role": "deployment",
            "prefect.resource.id": f"prefect.deployment.{nightly_deployment_id}",
        },
        threshold=1,
    )


def report_deployment(settings: Settings, nightly_deployment_id: UUID) -> RunnerDeployment | None:
    """The morning report after each completed nightly run, on bulk; None without the flow."""
    flow = report_flow()
    if flow is None:
        return None
    return _deployment(
        flow,
        REPORT_DEPLOYMENT,
        triggers=[report_trigger(nightly_deployment_id)],
        work_pool_name=settings.deployments.work_pool,
        work_queue_name=BULK_QUEUE,
        description="The morning report of the latest nightly run (started by an automation).",
    )
