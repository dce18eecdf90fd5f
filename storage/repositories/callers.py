"""The queries of the caller-key tables: the keys themselves and the shared state of their limits.

Concurrency (several API or worker processes on one database): a booking runs in one
transaction whose first statement is :meth:`CallerLimitsRepository.lock` — an UPDATE of the
key's ``caller_key_state`` row. On PostgreSQL that takes the row lock; on SQLite it takes the
database write lock (a transaction that starts by writing never reads a stale snapshot). Every
other booking of the same key waits there, so what the later statements read is current. They
are still written as single conditional statements (compare-and-set on a slot, ``UPDATE … WHERE
used + :n <= :limit`` inside an ``INSERT … ON CONFLICT``), so each one is atomic on its own.
A refused booking is rolled back by the caller: a refused call charges nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models.callers import CallerKey, CallerKeySlot, CallerKeyState, CallerKeyUsage


class CallerKeyRepository:
    """Keys: create, find, list, revoke, and the throttled ``last_used_at`` stamp."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: CallerKey) -> None:
        """Insert a key with its limit state: the token TAT row and one slot per request/min."""
        self.session.add(key)
        self.session.flush()  # a duplicate name fails here, before the slots are written
        self.session.execute(insert(CallerKeyState).values(key_id=key.id, tat_tokens=0.0))
        if key.rpm:
            self.session.execute(
                insert(CallerKeySlot),
                [{"key_id": key.id, "slot": n, "used_at": 0.0} for n in range(key.rpm)],
            )

    def get(self, key_id: str) -> CallerKey | None:
        return self.session.get(CallerKey, key_id)

    def by_name(self, name: str) -> CallerKey | None:
        return self.session.scalars(select(CallerKey).where(CallerKey.name == name)).first()

    def all(self) -> Sequence[CallerKey]:
        return self.session.scalars(
            select(CallerKey).order_by(CallerKey.created_at, CallerKey.name)
        ).all()

    def revoke(self, key_id: str, now: datetime) -> None:
        """Stamp ``revoked_at`` once; revoking again keeps the first time."""
        self.session.execute(
            update(CallerKey)
            .where(CallerKey.id == key_id, CallerKey.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def set_scope(self, key_id: str, document_scope: str) -> None:
        self.session.execute(
            update(CallerKey).where(CallerKey.id == key_id).values(document_scope=document_scope)
        )

    def touch(self, key_id: str, now: datetime, every: timedelta) -> bool:
        """Set ``last_used_at`` unless it was set less than ``every`` ago (one write a minute,
        not one per request, whatever the number of processes)."""
        result = self.session.execute(
            update(CallerKey)
            .where(
                CallerKey.id == key_id,
                or_(CallerKey.last_used_at.is_(None), CallerKey.last_used_at <= now - every),
            )
            .values(last_used_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


class CallerLimitsRepository:
    """The shared counters behind a key's limits (see the module docstring for concurrency)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self, key_id: str) -> float | None:
        """Lock the key's state row for this transaction; returns its token TAT (None: no row)."""
        table = CallerKeyState.__table__.c
        row = self.session.execute(
            update(CallerKeyState)
            .where(table.key_id == key_id)
            .values(tat_tokens=table.tat_tokens)
            .returning(table.tat_tokens)
        ).first()
        return float(row[0]) if row else None

    def set_tat(self, key_id: str, tat_tokens: float) -> None:
        self.session.execute(
            update(CallerKeyState)
            .where(CallerKeyState.key_id == key_id)
            .values(tat_tokens=tat_tokens)
        )

    def shift_tokens(self, key_id: str, seconds: float) -> None:
        """Give back (negative) or take more (positive) token time once real usage is known."""
        table = CallerKeyState.__table__.c
        self.session.execute(
            update(CallerKeyState)
            .where(table.key_id == key_id)
            .values(tat_tokens=table.tat_tokens + seconds)
        )

    def oldest_slot(self, key_id: str) -> tuple[int, float] | None:
        """The slot whose last request is the oldest: (slot, used_at)."""
        row = self.session.execute(
            select(CallerKeySlot.slot, CallerKeySlot.used_at)
            .where(CallerKeySlot.key_id == key_id)
            .order_by(CallerKeySlot.used_at, CallerKeySlot.slot)
            .limit(1)
        ).first()
        return (int(row[0]), float(row[1])) if row else None

    def swap_slot(self, key_id: str, slot: int, expected: float, used_at: float) -> bool:
        """Compare-and-set a slot's time: True when it still held ``expected``."""
        result = self.session.execute(
            update(CallerKeySlot)
            .where(
                CallerKeySlot.key_id == key_id,
                CallerKeySlot.slot == slot,
                CallerKeySlot.used_at == expected,
            )
            .values(used_at=used_at)
        )
        return bool(getattr(result, "rowcount", 0))

    def charge(
        self,
        key_id: str,
        period: str,
        tokens: int,
        cost_micros: int,
        *,
        max_tokens: int | None = None,
        max_cost_micros: int | None = None,
    ) -> bool:
        """Add usage to the (key, period) counter unless it would pass a maximum given.

        One ``INSERT … ON CONFLICT DO UPDATE … WHERE`` statement: a first charge of the period
        inserts the row (the caller checks that it fits alone); a later one adds to it only when
        the sum stays within the maximum. False when refused (nothing changed).
        """
        table = CallerKeyUsage.__table__.c
        dialect = self.session.get_bind().dialect.name
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert_(CallerKeyUsage).values(
            key_id=key_id, period=period, tokens=tokens, cost_micros=cost_micros
        )
        conditions: list[Any] = []
        if max_tokens is not None:
            conditions.append(table.tokens + tokens <= max_tokens)
        if max_cost_micros is not None:
            conditions.append(table.cost_micros + cost_micros <= max_cost_micros)
        statement = statement.on_conflict_do_update(
            index_elements=["key_id", "period"],
            set_={
                "tokens": table.tokens + statement.excluded.tokens,
                "cost_micros": table.cost_micros + statement.excluded.cost_micros,
            },
            where=and_(*conditions) if conditions else None,
        )
        return self.session.execute(statement.returning(table.tokens)).first() is not None

    def adjust(self, key_id: str, period: str, tokens: int, cost_micros: int) -> None:
        """Correct a period's counters by the difference between booked and real usage."""
        table = CallerKeyUsage.__table__.c
        self.session.execute(
            update(CallerKeyUsage)
            .where(table.key_id == key_id, table.period == period)
            .values(tokens=table.tokens + tokens, cost_micros=table.cost_micros + cost_micros)
        )

    def usage(self, key_id: str, period: str) -> tuple[int, int]:
        """(tokens, cost in millionths) counted for the key in the period; zeros when none."""
        row = self.session.execute(
            select(CallerKeyUsage.tokens, CallerKeyUsage.cost_micros).where(
                CallerKeyUsage.key_id == key_id, CallerKeyUsage.period == period
            )
        ).first()
        return (int(row[0]), int(row[1])) if row else (0, 0)
