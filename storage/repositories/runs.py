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

    def mark_stale_running(self, kind: str, before: datetime, now: datetime) -> int:
        """Runs of ``kind`` still 'running' that started before ``before`` died: mark them."""
        result = self.session.execute(
            update(Run)
            .where(Run.kind == kind, Run.status == RunStatus.RUNNING.value, Run.started_at < before)
            .values(status=RunStatus.CRASHED.value, finished_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def recent(self, kind: str | None = None, limit: int = 20) -> Sequence[Run]:
        statement = select(Run).order_by(Run.started_at.desc()).limit(limit)
        if kind is not None:
            statement = statement.where(Run.kind == kind)
        return self.session.scalars(statement).all()
