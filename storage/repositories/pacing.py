"""The queries of ``route_pacing``: atomic GCRA reservations shared across processes.

Each reservation is one ``UPDATE ... RETURNING`` statement, atomic on PostgreSQL (row lock) and on
SQLite (database write lock), so any number of worker processes can pace one route together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Double, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from storage.models.pacing import RoutePacing
from storage.repositories.common import upsert_insert


class greatest(GenericFunction[float]):
    """``GREATEST(a, b, ...)``; SQLite spells the scalar form ``max(a, b, ...)``."""

    type = Double()
    inherit_cache = True
    name = "greatest"
    #: Registry key; Prefect's server registers its own ``greatest`` under the plain name.
    identifier = "nightshift_greatest"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class PacingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure(self, route: str) -> None:
        """Create the route's row if it is missing (safe under concurrency)."""
        statement = upsert_insert(self.session, RoutePacing).values(
            route=route, tat_requests=0.0, tat_tokens=0.0
        )
        self.session.execute(statement.on_conflict_do_nothing(index_elements=["route"]))

    def reserve(
        self, route: str, now: float, request_s: float, token_s: float, tolerance_s: float
    ) -> tuple[float, float]:
        """Book one request costing ``request_s`` and ``token_s`` seconds of the route's rate.

        Returns the new (tat_requests, tat_tokens). The caller may start at
        ``max(now, max(tat_r - request_s, tat_t - token_s) - tolerance_s)``.
        """
        table = RoutePacing.__table__.c
        tat_r: ColumnElement[float] = table.tat_requests
        tat_t: ColumnElement[float] = table.tat_tokens
        statement = (
            update(RoutePacing)
            .where(table.route == route)
            .values(
                tat_requests=greatest(tat_r, now, tat_t - tolerance_s) + request_s,
                tat_tokens=greatest(tat_t, now, tat_r - tolerance_s) + token_s,
            )
            .returning(table.tat_requests, table.tat_tokens)
        )
        row = self.session.execute(statement).one()
        return float(row[0]), float(row[1])

    def shift_tokens(self, route: str, seconds: float) -> None:
        """Give back (negative) or take more (positive) token time after the real usage is known."""
        table = RoutePacing.__table__.c
        self.session.execute(
            update(RoutePacing)
            .where(table.route == route)
            .values(tat_tokens=table.tat_tokens + seconds)
        )

    def hold_until(self, route: str, requests_at: float | None, tokens_at: float | None) -> None:
        """Push the route's next slots to no earlier than the given times (a 429, empty budget)."""
        table = RoutePacing.__table__.c
        values: dict[str, Any] = {}
        if requests_at is not None:
            values["tat_requests"] = greatest(table.tat_requests, requests_at)
        if tokens_at is not None:
            values["tat_tokens"] = greatest(table.tat_tokens, tokens_at)
        if values:
            self.session.execute(update(RoutePacing).where(table.route == route).values(**values))

    def get(self, route: str) -> tuple[float, float] | None:
        table = RoutePacing.__table__.c
        row = self.session.execute(
            select(table.tat_requests, table.tat_tokens).where(table.route == route)
        ).first()
        return (float(row[0]), float(row[1])) if row else None
