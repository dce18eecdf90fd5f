"""Rotating the data key: a new key-encryption key (KEK), every document's data key re-wrapped.

Only the wrapped data keys (``documents.wrapped_key``) are sealed under a KEK. The payload, the
vault entries and the step outputs are sealed under each document's own data key, which a
rotation keeps: it unwraps the data key with the old KEK and wraps the same key with the new one.

- :func:`rotate` creates a new KEK, makes it active (running processes follow ``data.active``,
  see :class:`~compliance.keys.encryption.KeyRing`) and re-wraps.
- :func:`rewrap` re-wraps whatever is not under the active key yet. It is the resume: a rotation
  stopped halfway is finished by running it, without another new key. Running it again when
  everything is current changes nothing.
- :func:`retire` deletes the files of old keys that no document needs any more, and refuses
  (deleting nothing) while a document still does. The active key is never deleted.

Re-wrapping goes in batches (:data:`BATCH_SIZE` rows per transaction, by id). Each row is written
by a compare-and-set on (id, key id, wrapped key): a document erased (wrapped key set to NULL),
changed (re-ingested under a new data key) or re-wrapped by another process meanwhile is left as
it is, never resurrected or overwritten. Erased documents are not touched at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import DataKeyInUse, EncryptionError
from compliance.keys.encryption import (
    KeyRing,
    WrappedKey,
    create_key,
    document_aad,
    key_files,
    remove_key,
)
from storage.engine import transaction
from storage.repositories.documents import DocumentRepository, WrappedKeyChange, WrappedKeyRow

#: Documents re-wrapped per transaction.
BATCH_SIZE = 500
#: Ids of unreadable documents kept in a report (the count is always complete).
SHOWN_IDS = 20


@dataclass
class RewrapReport:
    """What a rotation or a re-wrap did, and what the key directory and the rows look like now."""

    active_id: str
    #: The key that was active before :func:`rotate` made a new one; None for :func:`rewrap`.
    rotated_from: str | None = None
    #: Data keys moved to the active key by this run.
    rewrapped: int = 0
    #: Documents already under the active key (ingested after the rotation, or done earlier).
    current: int = 0
    #: Erased documents: nothing to re-wrap, left alone.
    erased: int = 0
    #: Rows erased, changed or re-wrapped by someone else between our read and our write.
    skipped: int = 0
    #: Documents whose data key could not be unwrapped (old key missing, or the row damaged).
    unreadable: int = 0
    unreadable_ids: list[int] = field(default_factory=list)
    #: False when the run stopped early (``max_batches``): run :func:`rewrap` to finish.
    finished: bool = True
    #: Old key id -> documents it still wraps. Empty once every document is current.
    still_referenced: dict[str, int] = field(default_factory=dict)
    #: Old key files no document needs: :func:`retire` deletes them.
    unreferenced: list[str] = field(default_factory=list)
    #: Keys that documents need but whose file is not in the key directory.
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every document that can be read is under the active key."""
        return self.finished and not self.still_referenced

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"complete": self.complete}


@dataclass(frozen=True)
class RetireReport:
    active_id: str
    #: Key ids whose files were deleted.
    retired: list[str]


def rotate(
    sessions: sessionmaker[Session],
    keys_dir: Path,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_batch: Callable[[RewrapReport], None] | None = None,
) -> RewrapReport:
    """Create a new KEK, make it active and re-wrap every document's data key under it."""
    previous = KeyRing.load(keys_dir).active_id
    create_key(keys_dir)
    report = rewrap(
        sessions,
        KeyRing.load(keys_dir),
        batch_size=batch_size,
        max_batches=max_batches,
        on_batch=on_batch,
    )
    report.rotated_from = previous
    return report


def rewrap(
    sessions: sessionmaker[Session],
    keyring: KeyRing,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_batch: Callable[[RewrapReport], None] | None = None,
) -> RewrapReport:
    """Re-wrap every document not under the keyring's active key; stop after ``max_batches``
    batches when given (the rest is left for the next run)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    target = keyring.active_id
    report = RewrapReport(active_id=target)
    after_id, batches = 0, 0
    while True:
        if max_batches is not None and batches >= max_batches:
            report.finished = False
            break
        with transaction(sessions) as session:
            rows = DocumentRepository(session).wrapped_keys_not_under(
                target, after_id=after_id, limit=batch_size
            )
        if not rows:
            break
        after_id, batches = rows[-1].id, batches + 1
        changes = _rewrapped(keyring, target, rows, report)
        with transaction(sessions) as session:
            written = DocumentRepository(session).replace_wrapped_keys(changes)
        report.rewrapped += written
        report.skipped += len(changes) - written
        if on_batch is not None:
            on_batch(report)
    _take_census(sessions, keyring.keys_dir, report)
    return report


def _rewrapped(
    keyring: KeyRing, target: str, rows: list[WrappedKeyRow], report: RewrapReport
) -> list[WrappedKeyChange]:
    """The new wrapped keys of ``rows``; rows that do not unwrap are counted as unreadable."""
    changes = []
    for row in rows:
        try:
            new = keyring.rewrap(
                WrappedKey(row.key_id, row.wrapped_key), document_aad(row.identity_key), target
            )
        except EncryptionError:
            report.unreadable += 1
            if len(report.unreadable_ids) < SHOWN_IDS:
                report.unreadable_ids.append(row.id)
            continue
        changes.append(WrappedKeyChange(row.id, row.key_id, row.wrapped_key, target, new.wrapped))
    return changes


def _take_census(
    sessions: sessionmaker[Session], keys_dir: Path | None, report: RewrapReport
) -> None:
    """Fill in which keys the rows need now, and which old key files nothing needs."""
    with transaction(sessions) as session:
        documents = DocumentRepository(session)
        live = documents.live_count_by_key()
        report.erased = documents.count_erased()
    active = report.active_id
    report.current = max(live.get(active, 0) - report.rewrapped, 0)
    report.still_referenced = {k: n for k, n in sorted(live.items()) if k != active}
    files = set(key_files(keys_dir)) if keys_dir is not None else set()
    report.unreferenced = sorted(files - set(live) - {active})
    report.missing = sorted(set(live) - files) if keys_dir is not None else []


def census(sessions: sessionmaker[Session], keyring: KeyRing) -> RewrapReport:
    """Where the rows stand, without changing anything."""
    report = RewrapReport(active_id=keyring.active_id)
    _take_census(sessions, keyring.keys_dir, report)
    return report


def retire(sessions: sessionmaker[Session], keys_dir: Path) -> RetireReport:
    """Delete every old key file no document needs; refuse, deleting nothing, while one does."""
    keyring = KeyRing.load(keys_dir)
    state = census(sessions, keyring)
    in_use = {k: n for k, n in state.still_referenced.items() if k not in state.missing}
    if in_use:
        raise DataKeyInUse(in_use)
    for key_id in state.unreferenced:
        remove_key(keys_dir, key_id)
    return RetireReport(active_id=keyring.active_id, retired=state.unreferenced)
