"""The append path: durable before acknowledged, batched, contiguous, append-only, checkpointed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.errors import AuditWriteError
from compliance.audit.log import AuditLog, Draft
from compliance.audit.merkle import leaf_hash, root_of
from compliance.audit.note import open_checkpoint
from compliance.audit.verify import verify_log
from storage.repositories.audit import AuditRepository
from tests.compliance.test_audit_helpers import (
    all_entries,
    draft,
    fill,
    make_log,
    ticking_clock,
    verifiers,
)


class CountingLog(AuditLog):
    """Records the size of every committed batch."""

    batches: list[int]

    def append_batch(self, drafts: Sequence[Draft]) -> list[int]:
        seqs = super().append_batch(drafts)
        self.batches.append(len(drafts))
        return seqs


class BrokenLog(AuditLog):
    def append_batch(self, drafts: Sequence[Draft]) -> list[int]:
        raise RuntimeError("disk full")


def sizes_of_checkpoints(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return [c.tree_size for c in AuditRepository(session).checkpoints()]


async def test_an_append_is_committed_when_it_returns(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys")

    seq = await log.append(draft(1))

    assert seq == 0
    assert [json.loads(data)["document_id"] for data in all_entries(engine)] == [1]


async def test_concurrent_appends_share_transactions_and_get_contiguous_seqs(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    log = CountingLog(sessions, make_log(sessions, tmp_path / "keys").signer)
    log.batches = []

    seqs = await asyncio.gather(*(log.append(draft(n)) for n in range(300)))

    assert sorted(seqs) == list(range(300))
    assert sum(log.batches) == 300
    assert len(log.batches) < 300


async def test_when_the_commit_fails_every_waiting_call_fails_closed(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    log = BrokenLog(sessions, make_log(sessions, tmp_path / "keys").signer)

    results = await asyncio.gather(
        *(log.append(draft(n)) for n in range(5)), return_exceptions=True
    )

    assert all(isinstance(r, AuditWriteError) for r in results)
    assert "disk full" in str(results[0])


def test_the_tree_over_the_stored_entries_is_the_root_of_the_latest_checkpoint(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys")
    fill(log, 23, batch=4)

    signed = log.checkpoint_now()

    checkpoint, _ = open_checkpoint(signed.note, verifiers(tmp_path / "keys"))
    assert checkpoint.tree_size == 23
    assert checkpoint.root == root_of(leaf_hash(data) for data in all_entries(engine))


def test_a_checkpoint_is_signed_every_n_entries(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys", every_entries=10, every_seconds=3600)
    fill(log, 35, batch=4)

    assert sizes_of_checkpoints(sessions) == [4, 16, 28]


def test_a_checkpoint_is_signed_when_the_interval_passed_while_calls_flow(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = ticking_clock(timedelta(seconds=25))  # each batch is 25 s after the one before
    log = make_log(sessions, tmp_path / "keys", every_entries=1000, every_seconds=60, clock=clock)
    fill(log, 12, batch=2)

    assert sizes_of_checkpoints(sessions) == [2, 8]


def test_an_on_demand_checkpoint_of_an_unchanged_log_is_the_latest_one(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys", every_entries=1000)
    fill(log, 3)
    first = log.checkpoint_now()

    again = log.checkpoint_now()

    assert again.id == first.id
    assert sizes_of_checkpoints(sessions) == [3]


def test_an_empty_log_can_be_checkpointed(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    signed = make_log(sessions, tmp_path / "keys").checkpoint_now()
    assert signed.checkpoint.tree_size == 0
    assert verify_log(sessions, verifiers(tmp_path / "keys")).ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET outcome = 'ok'",
        "DELETE FROM audit_entries WHERE seq = 1",
        "UPDATE audit_nodes SET hash = hash",
        "DELETE FROM audit_nodes",
        "UPDATE audit_checkpoints SET tree_size = 0",
        "DELETE FROM audit_checkpoints",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path, statement: str
) -> None:
    fill(make_log(sessions, tmp_path / "keys"), 4)

    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


def _drafts_of(worker: int, count: int) -> list[dict[str, Any]]:
    return [draft(worker * 1000 + n) for n in range(count)]


def test_entries_hold_their_seq_and_the_log_verifies(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    log = make_log(sessions, tmp_path / "keys", every_entries=7)
    for worker in range(3):
        log.append_batch(_drafts_of(worker, 9))

    report = verify_log(sessions, verifiers(tmp_path / "keys"))

    assert report.ok, report
    assert (report.tree_size, report.checkpoints) == (27, 3)
    assert [b'"seq":%d' % n in data for n, data in enumerate(all_entries(engine))] == [True] * 27
