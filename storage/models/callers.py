"""Caller keys and the shared state of their limits.

- ``caller_keys`` — one row per key: a short public id (also the visible prefix of the secret),
  a unique name, a role, the limits, the document scope (``own``: a client key sees only the
  documents it sent; ``all``: every document), and ``secret_hash`` = HMAC-SHA256(server secret,
  secret).
  The secret itself is never stored; a stolen database does not hand out working keys.
- ``caller_key_state`` — one row per key: the GCRA theoretical arrival time of its tokens
  (tokens/min). Every booking locks this row first, so the bookings of one key are serialised
  across processes (row lock on PostgreSQL, the database write lock on SQLite).
- ``caller_key_slots`` — ``rpm`` rows per key, each the start time of the last request that used
  it: a ring that makes requests/min exact over any 60-second window, bursts included.
- ``caller_key_usage`` — fixed-window counters per (key, period): ``day:YYYY-MM-DD`` rows count
  tokens against ``daily_tokens``, ``month:YYYY-MM`` rows count money (integer millionths of the
  billing currency, exact on every backend) against ``monthly_budget``.

Times in the limit tables are Unix seconds (float), like ``route_pacing``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow

#: The roles a key may have (``compliance.keys.callers.Role`` is the typed view).
ROLES = ("client", "auditor", "admin")
#: Which documents a client key sees (``compliance.keys.callers.DocumentScope`` is the typed view).
DOCUMENT_SCOPES = ("own", "all")


class CallerKey(Base):
    __tablename__ = "caller_keys"
    __table_args__ = (
        CheckConstraint("role IN ('client', 'auditor', 'admin')", name="role"),
        CheckConstraint(
            "rpm >= 0 AND tpm >= 0 AND daily_tokens >= 0 AND monthly_budget >= 0", name="limits"
        ),
        CheckConstraint("document_scope IN ('own', 'all')", name="document_scope"),
    )

    #: Public key id: 12 lowercase hex digits, the visible prefix of the secret.
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    #: HMAC-SHA256 of the whole secret under the server's hash secret (keys/caller-keys.secret).
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Limits; 0 = none. monthly_budget is in the billing currency.
    rpm: Mapped[int] = mapped_column(Integer, default=0)
    tpm: Mapped[int] = mapped_column(Integer, default=0)
    daily_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    monthly_budget: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(0))
    #: ``own``: a client key sees only the documents it sent; ``all``: every document.
    document_scope: Mapped[str] = mapped_column(String(8), default="own", server_default="own")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallerKeyState(Base):
    __tablename__ = "caller_key_state"

    key_id: Mapped[str] = mapped_column(
        ForeignKey("caller_keys.id", ondelete="CASCADE"), primary_key=True
    )
    #: GCRA theoretical arrival time of the key's tokens (Unix seconds).
    tat_tokens: Mapped[float] = mapped_column(Double, default=0.0)


class CallerKeySlot(Base):
    __tablename__ = "caller_key_slots"
    __table_args__ = (Index("ix_caller_key_slots_key_id_used_at", "key_id", "used_at"),)

    key_id: Mapped[str] = mapped_column(
        ForeignKey("caller_keys.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Start time of the last request that used this slot (Unix seconds; 0 = never).
    used_at: Mapped[float] = mapped_column(Double, default=0.0)


class CallerKeyUsage(Base):
    __tablename__ = "caller_key_usage"

    key_id: Mapped[str] = mapped_column(
        ForeignKey("caller_keys.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``day:YYYY-MM-DD`` or ``month:YYYY-MM`` in the limiter's time zone.
    period: Mapped[str] = mapped_column(String(24), primary_key=True)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Money in millionths of the billing currency (exact integer arithmetic on every backend).
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
