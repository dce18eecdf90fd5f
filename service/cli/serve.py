"""``nightshift serve``: the HTTP API under uvicorn (docs/api.md).

The settings and the home are checked before the server starts, so a bad configuration is one
clear line, not a traceback from a worker. With ``--workers N`` uvicorn starts N processes from
the import string ``service.api.app:app_from_environment`` (each opens its own runtime: its own
event loop, HTTP pool and database connections); they share the database, so caller-key limits,
the audit log and the route pacer hold across them. Their Prometheus counters are added up
through a fresh ``PROMETHEUS_MULTIPROC_DIR`` (``service.api.metrics``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer
import uvicorn

from flows.context import app_context
from service.api.app import create_app
from service.api.metrics import MULTIPROC_ENV
from service.cli.support import err_console, reported_errors, settings

FACTORY = "service.api.app:app_from_environment"
#: How long uvicorn's supervisor waits for a worker to answer its health check. Its default
#: (5 s) is shorter than a worker's imports (Prefect, Presidio: 10-30 s on a busy 2-core host),
#: and a worker that does not answer in time is killed and started again, forever.
WORKER_START_TIMEOUT_S = 180


def _multiprocess_dir() -> tuple[str, bool]:
    """The directory for the workers' metrics and whether it is ours to remove afterwards (an
    operator's own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is: empty it between runs)."""
    chosen = os.environ.get(MULTIPROC_ENV)
    if chosen:
        os.makedirs(chosen, mode=0o700, exist_ok=True)
        return chosen, False
    return tempfile.mkdtemp(prefix="nightshift-metrics-"), True


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Processes (they share the database).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log each request line.")
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the HTTP API: documents, review, OpenAI-compatible chat, audit, keys, metrics."""
    cfg = settings(check_secrets=True)
    with reported_errors(), app_context(cfg):
        pass  # refuses a home that is not initialised or not migrated, with what to run
    err_console.print(f"nightshift API on http://{host}:{port} ({workers} worker(s))")
    if workers == 1:
        uvicorn.run(
            create_app(cfg), host=host, port=port, access_log=access_log, log_level=log_level
        )
        return
    metrics_dir, ours = _multiprocess_dir()
    os.environ[MULTIPROC_ENV] = metrics_dir
    try:
        uvicorn.run(
            FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            timeout_worker_healthcheck=WORKER_START_TIMEOUT_S,
            access_log=access_log,
            log_level=log_level,
        )
    finally:
        if ours:
            shutil.rmtree(metrics_dir, ignore_errors=True)
