"""The append path of the audit log: durable, batched, ordered across processes, checkpointed.

:meth:`AuditLog.append` returns only once the entry is **committed**: a caller is never told an
attempt was recorded when it was not (the gateway awaits it before ``call`` returns, so an
audit failure fails the call closed with :class:`~compliance.audit.errors.AuditWriteError`).

Batching (group commit, :class:`storage.batching.GroupCommit`): appends waiting in one event loop
form a queue; one writer at a time takes everything queued (up to ``max_batch``) and commits it
as one transaction in a worker thread, then resolves each waiter with its seq. While it writes,
new appends queue up for the next batch, so the batch size follows the load.

One transaction per batch, under the log lock (:meth:`AuditRepository.reserve`, the single
state row): reserve ``n`` seq numbers, serialise each entry with its seq, hash it, extend the
compact range (storing each perfect subtree it completes), and — when one is due — sign a
checkpoint: every ``every_entries`` entries or ``every_seconds`` seconds while calls flow.
On-demand checkpoints (:meth:`AuditLog.checkpoint_now`) take the same lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.entries import encode_entry, parse_time
from compliance.audit.errors import AuditWriteError
from compliance.audit.keys import AuditKeys
from compliance.audit.merkle import CompactRange, leaf_hash
from compliance.audit.note import Checkpoint, Signer
from storage.batching import GroupCommit
from storage.engine import transaction
from storage.models.audit import AuditCheckpoint
from storage.repositories.audit import AuditRepository, LogState
from storage.types import utcnow

Draft = Mapping[str, Any]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SignedCheckpoint:
    id: int
    checkpoint: Checkpoint
    note: str
    key_id: str

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> SignedCheckpoint:
        text = row.note[: row.note.rfind("\n\n") + 1]
        return cls(row.id, Checkpoint.parse(text), row.note, row.key_id)


class AuditLog:
    """Appends entries and signs checkpoints; one instance per process is enough."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        signer: Signer,
        *,
        every_entries: int = 1000,
        every_seconds: float = 60.0,
        max_batch: int = 512,
        clock: Clock = utcnow,
    ) -> None:
        self._sessions = sessions
        self.signer = signer
        self._every_entries = every_entries
        self._every_seconds = every_seconds
        self._max_batch = max_batch
        self._clock = clock
        self._state_ready = False
        self._appends: GroupCommit[Draft, int] = GroupCommit(
            self.append_batch,
            lambda reason: AuditWriteError(f"the audit entry could not be committed ({reason})"),
            max_batch=max_batch,
        )

    @classmethod
    def open(cls, sessions: sessionmaker[Session], keys_dir: Path, **options: Any) -> AuditLog:
        """The log of this database, signing with the home's active audit key (created if none)."""
        return cls(sessions, AuditKeys.ensure(keys_dir).active, **options)

    # -- async appends, batched -------------------------------------------------------------

    async def append(self, draft: Draft) -> int:
        """Append one entry (all fields but ``seq``); returns its seq once it is committed."""
        return await self._appends.submit(draft)

    # -- the transaction --------------------------------------------------------------------

    def _ensure_state(self) -> None:
        if not self._state_ready:
            with transaction(self._sessions) as session:
                AuditRepository(session).ensure_state()
            self._state_ready = True

    def append_batch(self, drafts: Sequence[Draft]) -> list[int]:
        """Append entries in one committed transaction; returns their seq numbers."""
        if not drafts:
            return []
        self._ensure_state()
        now = self._clock()
        with transaction(self._sessions) as session:
            repo = AuditRepository(session)
            state = repo.reserve(len(drafts))
            tree = CompactRange.from_bytes(state.tree_size, state.frontier)
            rows, nodes = [], []
            for seq, draft in enumerate(drafts, start=state.tree_size):
                data = encode_entry(draft, seq)
                leaf = leaf_hash(data)
                nodes.extend(tree.append(leaf))
                rows.append(_row(seq, draft, data, leaf))
            repo.add_entries(rows)
            repo.add_nodes(nodes)
            if self._due(state, tree.size, now):
                self._sign(repo, tree, now)
                repo.save_state(tree.to_bytes(), tree.size, now)
            else:
                repo.save_state(tree.to_bytes(), None, None)
        return list(range(state.tree_size, state.tree_size + len(drafts)))

    def _due(self, state: LogState, size: int, now: datetime) -> bool:
        if size <= state.checkpoint_size:
            return False
        if size - state.checkpoint_size >= self._every_entries or state.checkpoint_at is None:
            return True
        return (now - state.checkpoint_at).total_seconds() >= self._every_seconds

    def _sign(self, repo: AuditRepository, tree: CompactRange, now: datetime) -> SignedCheckpoint:
        checkpoint = Checkpoint(self.signer.name, tree.size, tree.root(), now)
        note = self.signer.sign(checkpoint.text())
        key_id = self.signer.verifier.hex_id
        row_id = repo.add_checkpoint(tree.size, now, key_id, note)
        return SignedCheckpoint(row_id, checkpoint, note, key_id)

    # -- checkpoints on demand --------------------------------------------------------------

    def checkpoint_now(self) -> SignedCheckpoint:
        """Sign the current tree (end of a run, ``nightshift audit checkpoint``).

        When nothing was appended since the latest checkpoint, that one is returned."""
        self._ensure_state()
        now = self._clock()
        with transaction(self._sessions) as session:
            repo = AuditRepository(session)
            state = repo.reserve(0)
            latest = repo.latest_checkpoint()
            if latest is not None and latest.tree_size == state.tree_size:
                return SignedCheckpoint.from_row(latest)
            tree = CompactRange.from_bytes(state.tree_size, state.frontier)
            signed = self._sign(repo, tree, now)
            repo.save_state(state.frontier, tree.size, now)
        return signed

    async def checkpoint(self) -> SignedCheckpoint:
        return await asyncio.to_thread(self.checkpoint_now)


def _row(seq: int, draft: Draft, data: bytes, leaf: bytes) -> dict[str, Any]:
    return {
        "seq": seq,
        "recorded_at": parse_time(draft["time"]),
        "path": draft["path"],
        "run_id": draft["run_id"],
        "caller_key_id": draft["caller_key_id"],
        "route": draft["route"],
        "outcome": draft["outcome"],
        "document_id": draft["document_id"],
        "attempt_id": draft.get("attempt_id"),
        "kind": draft.get("kind"),
        "entry": data,
        "leaf_hash": leaf,
    }
