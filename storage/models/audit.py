"""The audit log: append-only entries, the Merkle tree over them, and signed checkpoints.

- ``audit_entries`` — one row per entry: an attempt that sent a request has two (its ``intent``,
  committed before the request left, and its ``outcome``, linked by ``attempt_id``); a refused
  attempt and every v1 entry (before migration 0008) are one. ``entry`` holds the exact canonical
  JSON bytes that were hashed into the tree (``leaf_hash`` = SHA-256(0x00 ‖ entry)); the other
  columns repeat a few of its fields so an auditor can query them, and ``verify`` checks that
  they still agree with the bytes. ``seq`` is the leaf index: contiguous from 0.
- ``audit_nodes`` — the hash of every complete (perfect) subtree above the leaves, by
  (level, idx): the subtree of ``2**level`` leaves starting at leaf ``idx * 2**level``.
  Enough to build any inclusion or consistency proof from O(log n) rows.
- ``audit_checkpoints`` — C2SP signed notes over (origin, tree size, root, time).
- ``audit_log_state`` — one row: the tree size and the compact range (the hashes of the
  perfect subtrees covering the tree, left to right) that the next append starts from. Every
  append locks this row first, so seq numbers are assigned in one order across processes.

The migration adds triggers that refuse UPDATE and DELETE on the first three tables.
No foreign keys: erasing a document or a run never touches the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId
from storage.types import UTCDateTime

#: The id of the single ``audit_log_state`` row.
STATE_ROW_ID = 1


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_recorded_at", "recorded_at"),
        Index("ix_audit_entries_document_id", "document_id"),
        Index("ix_audit_entries_run_id", "run_id"),
        Index("ix_audit_entries_caller_key_id", "caller_key_id"),
        Index("ix_audit_entries_route_outcome", "route", "outcome"),
        Index("ix_audit_entries_attempt_id_kind", "attempt_id", "kind"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    path: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[str | None] = mapped_column(String(64))
    caller_key_id: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(BigId)
    #: The attempt an entry belongs to (v2): its ``intent`` and its ``outcome`` share it.
    attempt_id: Mapped[str | None] = mapped_column(String(32))
    #: ``intent`` or ``outcome`` (v2); NULL for a v1 entry, which is a whole attempt.
    kind: Mapped[str | None] = mapped_column(String(8))
    #: The canonical JSON bytes exactly as hashed into the tree.
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256(0x00 ‖ entry), recorded when the entry was appended.
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditNode(Base):
    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_tree_size", "tree_size"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Hex key id (8 digits) of the key that signed ``note``.
    key_id: Mapped[str] = mapped_column(String(8))
    #: The whole signed note, exactly as signed.
    note: Mapped[str] = mapped_column(Text)


class AuditLogState(Base):
    __tablename__ = "audit_log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    #: Concatenated 32-byte hashes of the compact range of [0, tree_size).
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    #: Size and time of the latest checkpoint (to decide when the next one is due).
    checkpoint_size: Mapped[int] = mapped_column(BigInteger)
    checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
