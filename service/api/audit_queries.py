"""The read side of the audit log, shared by ``nightshift audit`` and the HTTP API (auditor role).

One place parses the filters (``--from/--to`` or ``?from=&to=``: a seq or a UTC date/time) and
builds the proofs, so the CLI and the API can never disagree on what a filter selects or what a
proof holds. Errors are plain exceptions with messages that never quote the input: the CLI turns
them into an exit code, the API into a JSON error.

- :func:`entry_filter` → ``EntryFilter``; ``ValueError`` for a bound that is neither;
- :func:`find_attempts` → each attempt once, its intent and outcome entries merged
  (:mod:`compliance.audit.attempts`; outcome ``unknown`` when the intent has no outcome);
- :func:`inclusion_proof` → the entry, its proof and the checkpoint covering it
  (``LookupError`` when there is no such entry, ``NoteError`` when that checkpoint does not verify);
- :func:`consistency_proof` → the RFC 9162 proof between two tree sizes (``ValueError``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.attempts import merge_attempt
from compliance.audit.entries import decode_entry
from compliance.audit.log import AuditLog
from compliance.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from compliance.audit.note import Verifier, open_checkpoint
from compliance.audit.tree import StoredTree
from storage.repositories.audit import AuditRepository, EntryFilter

BOUND_HELP = "a seq (digits) or a UTC date/time in ISO 8601, e.g. 2026-11-27 or 2026-11-27T01:00"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def parse_bound(text: str | None, *, end: bool) -> tuple[int | None, datetime | None]:
    """A seq (digits) or a UTC date/time; a date as the end bound covers the whole day."""
    if text is None:
        return None, None
    if text.isdigit():
        return int(text), None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"from/to take {BOUND_HELP}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if end:
        whole_day = len(text) == len("YYYY-MM-DD")
        moment += timedelta(days=1) if whole_day else timedelta(microseconds=1)
    return None, moment


def entry_filter(
    start: str | None,
    end: str | None,
    *,
    document: int | None = None,
    key: str | None = None,
    route: str | None = None,
    outcome: str | None = None,
    run: str | None = None,
) -> EntryFilter:
    """The entries between ``start`` and ``end`` (inclusive) matching every field given."""
    seq_from, time_from = parse_bound(start, end=False)
    seq_to, time_to = parse_bound(end, end=True)
    return EntryFilter(
        seq_from,
        seq_to,
        time_from,
        time_to,
        document_id=document,
        caller_key_id=key,
        route=route,
        outcome=outcome,
        run_id=run,
    )


def find_attempts(
    sessions: sessionmaker[Session], where: EntryFilter, limit: int | None
) -> list[dict[str, Any]]:
    """The attempts matching ``where``, by their first seq (at most ``limit``; None = all)."""
    with sessions() as session:
        rows = AuditRepository(session).attempts(where, limit)
    return [merge_attempt(first, outcome) for _, first, _, outcome in rows]


def inclusion_proof(
    sessions: sessionmaker[Session], log: AuditLog, verifiers: Sequence[Verifier], seq: int
) -> dict[str, Any]:
    """Entry ``seq`` with its inclusion proof in the smallest checkpoint covering it (one is
    signed now when none does yet)."""
    with sessions() as session:
        repo = AuditRepository(session)
        row = repo.entry(seq)
        if row is None:  # before seq + 1: the largest seq a client may ask for is 2^63 - 1
            raise LookupError(f"there is no audit entry with seq {seq}")
        data = row.entry
        covering = repo.checkpoint_at_least(seq + 1)
        note = covering.note if covering is not None else None
    if note is None:
        note = log.checkpoint_now().note
    checkpoint, _ = open_checkpoint(note, verifiers)
    with sessions() as session:
        proof = StoredTree(AuditRepository(session)).inclusion_proof(seq, checkpoint.tree_size)
    leaf = leaf_hash(data)
    return {
        "seq": seq,
        "entry": decode_entry(data),
        "leaf_hash": _b64(leaf),
        "tree_size": checkpoint.tree_size,
        "proof": [_b64(h) for h in proof],
        "checkpoint": note,
        "verified": verify_inclusion(seq, checkpoint.tree_size, leaf, proof, checkpoint.root),
    }


def consistency_proof(
    sessions: sessionmaker[Session], first: int, second: int | None = None
) -> dict[str, Any]:
    """The proof that the tree of ``second`` entries (default: the latest checkpoint's size)
    extends the tree of ``first``, the two roots, and the checkpoint signed at ``second`` if any."""
    with sessions() as session:
        repo = AuditRepository(session)
        state = repo.state()
        size = state.tree_size if state is not None else 0
        latest = repo.latest_checkpoint()
        if second is None:
            second = latest.tree_size if latest is not None else size
        if not 0 <= first <= second <= size:
            raise ValueError(
                f"first and second must be tree sizes with 0 <= first <= second <= {size} "
                "(the number of entries in the log)"
            )
        tree = StoredTree(repo)
        proof = tree.consistency_proof(first, second) if 0 < first < second else []
        first_root, second_root = tree.root(first), tree.root(second)
        signed = repo.checkpoint_at_least(second)
        note = signed.note if signed is not None and signed.tree_size == second else None
    return {
        "first": first,
        "second": second,
        "first_root": _b64(first_root),
        "second_root": _b64(second_root),
        "proof": [_b64(h) for h in proof],
        "second_checkpoint": note,
        "verified": verify_consistency(first, second, first_root, second_root, proof),
    }
