"""Registering the pool, its queues and the deployments against a Prefect API (idempotent).

Running it twice updates what exists: the pool and queues are read and patched, deployments
are upserted by name (schedule matched by its slug), and the report's automation is replaced
(Prefect deletes the automations a deployment owns before creating them again). What it
returns is read back from the API after registering, so ``nightshift deploy`` shows what the
server will actually do, not what we asked for.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.client.schemas.objects import VersionInfo, WorkPool
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.workers.process import ProcessWorker

from deployments.definitions import (
    DEFAULT_QUEUE,
    DEFAULT_QUEUE_PRIORITY,
    POOL_TYPE,
    QueueSpec,
    nightly_deployment,
    queue_specs,
    report_deployment,
    rerun_deployment,
)
from flows.settings import Settings
from storage.errors import NightshiftError


class DeploymentError(NightshiftError):
    """The Prefect API cannot be reached, or refused what nightshift registers."""


@dataclass
class DeploymentInfo:
    name: str
    id: str
    work_queue: str | None
    entrypoint: str | None
    parameters: dict[str, Any]
    schedules: list[dict[str, Any]]
    concurrency_limit: int | None
    triggers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Registration:
    api_url: str
    work_pool: dict[str, Any]
    queues: list[dict[str, Any]]
    deployments: list[DeploymentInfo]
    #: Set when the report deployment is missing, with the reason.
    skipped: list[str] = field(default_factory=list)

    def deployment(self, name: str) -> DeploymentInfo:
        return next(d for d in self.deployments if d.name == name)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect resolves it (environment, then the active profile)."""
    value = PREFECT_API_URL.value()
    return str(value) if value else None


async def register(settings: Settings, api_url: str | None = None) -> Registration:
    """Register pool, queues and deployments at ``api_url`` (default: PREFECT_API_URL)."""
    url = api_url or configured_api_url()
    if not url:
        raise DeploymentError(
            "PREFECT_API_URL is not set, so there is no Prefect server to register with; "
            "start one (`nightshift up`, or `prefect server start`) and "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    scope: AbstractContextManager[Any] = (
        temporary_settings({PREFECT_API_URL: url}) if api_url else nullcontext()
    )
    with scope:
        async with get_client() as client:
            await _check_reachable(client, url)
            pool = await ensure_pool(client, settings)
            queues = [await ensure_queue(client, pool.name, spec) for spec in queue_specs(settings)]
            await _last_default_queue(client, pool.name)
            return await _register_deployments(client, settings, url, pool, queues)


async def _register_deployments(
    client: PrefectClient,
    settings: Settings,
    url: str,
    pool: WorkPool,
    queues: list[dict[str, Any]],
) -> Registration:
    version_info = VersionInfo(type="prefect:simple", version=_nightshift_version())
    nightly = nightly_deployment(settings)
    nightly_id = await _apply(nightly, version_info)
    ids = [(nightly, nightly_id)]
    rerun = rerun_deployment(settings)
    ids.append((rerun, await _apply(rerun, version_info)))
    skipped = []
    report = report_deployment(settings, nightly_id)
    if report is None:
        skipped.append(
            "morning-report: this build has no report flow (flows.report.flow.report_flow); "
            "no report deployment was registered"
        )
    else:
        ids.append((report, await _apply(report, version_info)))
    infos = [await read_back(client, deployment.full_name, id_) for deployment, id_ in ids]
    return Registration(
        api_url=url,
        work_pool={
            "name": pool.name,
            "type": pool.type,
            "concurrency_limit": pool.concurrency_limit,
        },
        queues=queues,
        deployments=infos,
        skipped=skipped,
    )


async def _check_reachable(client: PrefectClient, url: str) -> None:
    error = await client.api_healthcheck()
    if error is not None:
        raise DeploymentError(
            f"cannot reach the Prefect API at {url} ({type(error).__name__}); "
            "start the server (`nightshift up` or `prefect server start`) "
            "or point PREFECT_API_URL at a running one"
        )


async def ensure_pool(client: PrefectClient, settings: Settings) -> WorkPool:
    """The process work pool named in the settings, created when missing."""
    name = settings.deployments.work_pool
    try:
        pool = await client.read_work_pool(name)
    except ObjectNotFound:
        try:
            return await client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type=POOL_TYPE,
                    description="nightshift: the nightly run, its report and on-demand re-runs.",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
        except ObjectAlreadyExists:
            # A worker started at the same time creates the pool it polls (same type).
            pool = await client.read_work_pool(name)
    if pool.type != POOL_TYPE:
        raise DeploymentError(
            f"the work pool {name!r} exists with type {pool.type!r}, not {POOL_TYPE!r}; "
            "delete it (`prefect work-pool delete`) or set deployments.work_pool to another name"
        )
    if pool.is_paused:
        await client.update_work_pool(name, WorkPoolUpdate(is_paused=False))
    return pool


async def ensure_queue(client: PrefectClient, pool: str, spec: QueueSpec) -> dict[str, Any]:
    """Create or update one queue; its priority and limit as read back from the API."""
    try:
        queue = await client.read_work_queue_by_name(spec.name, work_pool_name=pool)
    except ObjectNotFound:
        with suppress(ObjectAlreadyExists):
            await client.create_work_queue(
                name=spec.name,
                work_pool_name=pool,
                priority=spec.priority,
                concurrency_limit=spec.concurrency_limit,
                description=spec.description,
            )
            return await _queue_fields(client, pool, spec.name)
        queue = await client.read_work_queue_by_name(spec.name, work_pool_name=pool)
    await client.update_work_queue(
        queue.id,
        priority=spec.priority,
        concurrency_limit=spec.concurrency_limit,
        description=spec.description,
    )
    return await _queue_fields(client, pool, spec.name)


async def _queue_fields(client: PrefectClient, pool: str, name: str) -> dict[str, Any]:
    queue = await client.read_work_queue_by_name(name, work_pool_name=pool)
    return {
        "name": queue.name,
        "priority": queue.priority,
        "concurrency_limit": queue.concurrency_limit,
    }


async def _last_default_queue(client: PrefectClient, pool: str) -> None:
    """Move the pool's built-in "default" queue behind ours (nothing of ours uses it)."""
    try:
        queue = await client.read_work_queue_by_name(DEFAULT_QUEUE, work_pool_name=pool)
    except ObjectNotFound:
        return
    if queue.priority != DEFAULT_QUEUE_PRIORITY:
        await client.update_work_queue(queue.id, priority=DEFAULT_QUEUE_PRIORITY)


async def _apply(deployment: RunnerDeployment, version_info: VersionInfo) -> UUID:
    try:
        return await deployment.aapply(version_info=version_info)
    except Exception as exc:
        raise DeploymentError(
            f"the Prefect API refused the deployment {deployment.full_name}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


async def read_back(client: PrefectClient, name: str, deployment_id: UUID) -> DeploymentInfo:
    """The deployment as the API stores it: queue, schedules, parameters, owned automations."""
    deployment = await client.read_deployment(deployment_id)
    schedules = [
        {
            **_schedule_fields(item.schedule),
            "active": item.active,
            "slug": item.slug,
        }
        for item in deployment.schedules
    ]
    automations = await client.read_resource_related_automations(
        f"prefect.deployment.{deployment_id}"
    )
    triggers = [
        {
            "automation": automation.name,
            "enabled": automation.enabled,
            "trigger": automation.trigger.model_dump(
                mode="json", include={"expect", "match_related", "posture", "threshold"}
            ),
        }
        for automation in automations
    ]
    return DeploymentInfo(
        name=name,
        id=str(deployment.id),
        work_queue=deployment.work_queue_name,
        entrypoint=deployment.entrypoint,
        parameters=dict(deployment.parameters),
        schedules=schedules,
        concurrency_limit=deployment.global_concurrency_limit.limit
        if deployment.global_concurrency_limit
        else None,
        triggers=triggers,
    )


def _schedule_fields(schedule: Any) -> dict[str, Any]:
    fields = schedule.model_dump(mode="json", exclude_none=True)
    return {k: fields[k] for k in ("cron", "timezone", "interval", "rrule") if k in fields}


def _nightshift_version() -> str:
    try:
        return f"nightshift {version('nightshift')}"
    except PackageNotFoundError:
        return "nightshift (not installed)"
