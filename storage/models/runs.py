"""Runs: one row per nightly batch, online request or re-run.

A nightly run holds a lease while it works: its row names the process that owns it (host, pid)
and the time of its last heartbeat. A partial unique index allows at most one 'running' nightly
row, so two nightly runs can never work at the same time (flows/nightly/lease.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class RunKind(StrEnum):
    NIGHTLY = "nightly"
    ONLINE = "online"
    RERUN = "rerun"


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CRASHED = "crashed"


#: The rows the lease index covers: at most one of them may exist.
RUNNING_NIGHTLY = text("kind = 'nightly' AND status = 'running'")


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        Index(
            "ix_runs_one_running_nightly",
            "kind",
            unique=True,
            sqlite_where=RUNNING_NIGHTLY,
            postgresql_where=RUNNING_NIGHTLY,
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prefect_flow_run_id: Mapped[str | None] = mapped_column(String(36))
    #: Ids and counts only — never document text.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The process that runs it: host name and process id (a nightly run's lease owner).
    owner_host: Mapped[str | None] = mapped_column(String(255))
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    #: Last sign of life of a running nightly run; None for other kinds.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
