"""The queries of ``runs``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models.runs import Run, RunStatus


class RunRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, run: Run) -> Run:
        self.session.add(run)
        self.session.flush()
        return run

    def get(self, run_id: str) -> Run | None:
        return self.session.get(Run, run_id)

    def finish(
        self, run_id: str, status: RunStatus, finished_at: datetime, summary: dict[str, Any]
    ) -> None:
        self.session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(status=status.value, finished_at=finished_at, summary=summary)
        )

    def running(self, kind: str) -> Sequence[Run]:
        """Runs of ``kind`` still marked 'running' (for a nightly run: at most one)."""
        statement = select(Run).where(Run.kind == kind, Run.status == RunStatus.RUNNING.value)
        return self.session.scalars(statement.order_by(Run.started_at)).all()

    def mark_crashed(self, run_id: str, now: datetime) -> bool:
        """A run that died without finishing: 'running' becomes 'crashed'. False if not running."""
        result = self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RunStatus.RUNNING.value)
            .values(status=RunStatus.CRASHED.value, finished_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    def heartbeat(self, run_id: str, now: datetime) -> bool:
        """Record that a running run is alive. False when it is no longer 'running'."""
        result = self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RunStatus.RUNNING.value)
            .values(heartbeat_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    def recent(self, kind: str | None = None, limit: int = 20) -> Sequence[Run]:
        statement = select(Run).order_by(Run.started_at.desc()).limit(limit)
        if kind is not None:
            statement = statement.where(Run.kind == kind)
        return self.session.scalars(statement).all()
