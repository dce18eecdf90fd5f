"""Helpers of the nightly tests that run a worker process or plant another run's lease."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import IO

from sqlalchemy import func, select

from flows.context import app_context
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Run, RunKind, RunStatus, StepResult


def results_count(settings: Settings) -> int:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(StepResult)) or 0)


def start_worker(stdout: int | IO[bytes] | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """`nightshift run nightly --direct` in another process, as an operator would start it."""
    code = "from service.cli import app; app()"
    args = ["run", "nightly", "--direct", "--json", "--window-end", "none"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=dict(os.environ),
        stdout=stdout,
        stderr=subprocess.DEVNULL,
    )


def add_running_run(
    settings: Settings, *, host: str, pid: int, heartbeat_age_s: float, run_id: str
) -> None:
    """A 'running' nightly row as another process would have left it."""
    now = datetime.now(UTC)
    beat = now - timedelta(seconds=heartbeat_age_s)
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        session.add(
            Run(
                id=run_id,
                kind=RunKind.NIGHTLY.value,
                status=RunStatus.RUNNING.value,
                started_at=beat - timedelta(seconds=1),
                owner_host=host,
                owner_pid=pid,
                heartbeat_at=beat,
                parameters={},
            )
        )
