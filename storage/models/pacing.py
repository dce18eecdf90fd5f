"""Route pacing state shared by every worker process (GCRA theoretical arrival times)."""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class RoutePacing(Base):
    """One row per upstream route: when the next request and the next token are 'due'.

    Times are Unix seconds (float). A worker reserves capacity with one atomic UPDATE, so several
    processes on one PostgreSQL (or one SQLite file) share a route's limit without a coordinator.
    """

    __tablename__ = "route_pacing"

    route: Mapped[str] = mapped_column(String(64), primary_key=True)
    tat_requests: Mapped[float] = mapped_column(Double, default=0.0)
    tat_tokens: Mapped[float] = mapped_column(Double, default=0.0)
