"""``nightshift deploy``: register the work pool, its queues and the deployments on Prefect.

The Prefect API is the one in ``PREFECT_API_URL`` (``--api-url`` overrides it). What is printed
is read back from the API after registering: the schedule shown is the one the server will run.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from deployments import DeploymentInfo, Registration, register
from flows.settings import Settings
from service.cli.support import err_console, out_console, print_json, reported_errors, settings


def deploy_command(
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help="Prefect API URL (default: PREFECT_API_URL)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print what was registered as JSON on stdout.")
    ] = False,
) -> None:
    """Register the work pool, queues and deployments on the Prefect API (idempotent)."""
    cfg = settings()
    registration = run_deploy(cfg, api_url)
    if json_output:
        print_json(registration.as_dict())
        return
    print_registration(registration)


def run_deploy(cfg: Settings, api_url: str | None = None) -> Registration:
    """Register and return what the API holds now; nightshift errors become one-line exits."""
    with reported_errors():
        return asyncio.run(register(cfg, api_url))


def _started_by(info: DeploymentInfo) -> str:
    if info.triggers:
        events = sorted({e for t in info.triggers for e in t["trigger"]["expect"]})
        return f"automation on {', '.join(events)} of the nightly deployment"
    if not info.schedules:
        return "on demand"
    return ", ".join(
        f"cron {s.get('cron', s.get('interval', s.get('rrule')))} ({s.get('timezone', 'UTC')})"
        + ("" if s.get("active", True) else " inactive")
        for s in info.schedules
    )


def print_registration(registration: Registration) -> None:
    pool = registration.work_pool
    queues = ", ".join(
        f"{q['name']} (priority {q['priority']}, limit {q['concurrency_limit']})"
        for q in registration.queues
    )
    lines = [
        f"Prefect API  {registration.api_url}",
        f"work pool    {pool['name']} ({pool['type']}): {queues}",
        "deployments, as read back from the API:",
    ]
    width = max(len(info.name) for info in registration.deployments)
    for info in registration.deployments:
        parameters = ", ".join(f"{k}={v}" for k, v in info.parameters.items()) or "defaults"
        lines.append(
            f"  {info.name:<{width}}  queue {info.work_queue}; {_started_by(info)}; "
            f"parameters {parameters}"
        )
    out_console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)
    for note in registration.skipped:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
