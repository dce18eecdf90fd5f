"""ProviderBatchRepository: the batch path's state, and the database's cap of two sends per key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import BatchStatus, LineStatus, ProviderBatch, ProviderBatchLine
from storage.repositories import ProviderBatchRepository
from tests.storage.test_step_results_repository import _documents

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def _batch(batch_id: str) -> ProviderBatch:
    return ProviderBatch(
        id=batch_id, route="default", model="m", step="extract", prompt_version="extract.v1"
    )


def _line(batch_id: str, document_id: int, *, attempt: int = 1) -> ProviderBatchLine:
    return ProviderBatchLine(
        batch_id=batch_id,
        custom_id=f"key-{document_id}",
        document_id=document_id,
        step="extract",
        prompt_version="extract.v1",
        schema_version="1",
        input_hash="sha256:x",
        masker_version="mask.v1",
        attempt=attempt,
        request_sha256="sha256:r",
        attempt_id=f"{document_id:032x}",
    )


def _add(sessions: sessionmaker[Session], batch_id: str, lines: list[ProviderBatchLine]) -> None:
    with sessions.begin() as session:
        ProviderBatchRepository(session).add(_batch(batch_id), lines)


def test_a_batch_goes_from_created_to_submitted_to_collected_with_its_ids_recorded(
    sessions: sessionmaker[Session],
) -> None:
    docs = _documents(sessions, 3)
    _add(sessions, "b1", [_line("b1", d) for d in docs])
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        assert [b.id for b in batches.unsubmitted()] == ["b1"]
        assert batches.due(NOW) == []  # nothing at the provider yet
        batches.record_upload("b1", "file-1")
        batches.record_submitted(
            "b1",
            provider_batch_id="batch_1",
            status=BatchStatus.VALIDATING.value,
            submitted_at=NOW,
            window_deadline=NOW + timedelta(hours=24),
            next_poll_at=NOW + timedelta(seconds=30),
        )
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        assert batches.unsubmitted() == []
        assert batches.due(NOW) == []  # backoff: not before next_poll_at
        assert [b.id for b in batches.due(NOW + timedelta(seconds=30))] == ["b1"]
        batches.record_poll(
            "b1",
            status=BatchStatus.COMPLETED.value,
            completed=2,
            failed=1,
            output_file_id="file-out",
            error_file_id="file-err",
            finished_at=NOW + timedelta(minutes=5),
            next_poll_at=None,
        )
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        row = batches.get("b1")
        assert row is not None
        assert (row.provider_batch_id, row.input_file_id, row.output_file_id) == (
            "batch_1",
            "file-1",
            "file-out",
        )
        assert (row.line_count, row.completed_count, row.failed_count, row.polls) == (3, 2, 1, 1)
        assert [b.id for b in batches.due(NOW)] == ["b1"]  # ended, not collected yet
        lines = batches.lines("b1")
        batches.set_line_status([lines[0].id, lines[1].id], LineStatus.DONE)
        batches.set_line_status([lines[2].id], LineStatus.FAILED)
        batches.mark_collected("b1")
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        assert batches.due(NOW + timedelta(days=1)) == []
        assert batches.unsettled_count() == 0
        assert batches.line_counts() == {"done": 2, "failed": 1}


def test_key_states_say_which_keys_may_be_sent_and_how_often_they_were(
    sessions: sessionmaker[Session],
) -> None:
    a, b, c, d = _documents(sessions, 4)
    _add(sessions, "b1", [_line("b1", n) for n in (a, b, c)])
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        ids = {line.document_id: line.id for line in batches.lines("b1")}
        batches.set_line_status([ids[b]], LineStatus.DONE)
        batches.set_line_status([ids[c]], LineStatus.EXPIRED)
    with sessions() as session:
        states = ProviderBatchRepository(session).key_states([f"key-{n}" for n in (a, b, c, d)])
    assert f"key-{d}" not in states  # never sent
    assert not states[f"key-{a}"].sendable  # in flight
    assert not states[f"key-{b}"].sendable  # answered
    assert states[f"key-{c}"].sendable and states[f"key-{c}"].attempts == 1  # expired once

    _add(sessions, "b2", [_line("b2", c, attempt=2)])
    with sessions.begin() as session:
        batches = ProviderBatchRepository(session)
        (second,) = batches.lines("b2")
        batches.set_line_status([second.id], LineStatus.EXPIRED)
        state = batches.key_states([f"key-{c}"])[f"key-{c}"]
    assert (state.attempts, state.busy, state.sendable) == (2, False, False)  # never a third


def test_the_database_refuses_a_key_sent_twice_in_one_attempt_or_a_third_time(
    sessions: sessionmaker[Session],
) -> None:
    (doc,) = _documents(sessions, 1)
    _add(sessions, "b1", [_line("b1", doc)])
    with pytest.raises(IntegrityError):
        _add(sessions, "b2", [_line("b2", doc)])
    with pytest.raises(IntegrityError):
        _add(sessions, "b3", [_line("b3", doc, attempt=3)])
