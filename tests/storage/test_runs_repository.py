"""The queries of ``runs``, and the index that allows one running nightly run at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import transaction
from storage.models import Run, RunKind, RunStatus
from storage.repositories.runs import RunRepository

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def run(run_id: str, kind: RunKind = RunKind.NIGHTLY, status: RunStatus = RunStatus.RUNNING) -> Run:
    return Run(id=run_id, kind=kind.value, status=status.value, started_at=NOW, parameters={})


def test_a_second_running_nightly_run_is_refused_by_the_database(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        RunRepository(session).add(run("first"))

    with pytest.raises(IntegrityError), transaction(sessions) as session:
        RunRepository(session).add(run("second"))

    with transaction(sessions) as session:
        assert [r.id for r in RunRepository(session).running(RunKind.NIGHTLY.value)] == ["first"]


def test_finished_nightly_runs_and_running_runs_of_other_kinds_do_not_count(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        runs = RunRepository(session)
        runs.add(run("done", status=RunStatus.COMPLETED))
        runs.add(run("crashed", status=RunStatus.CRASHED))
        runs.add(run("online-1", kind=RunKind.ONLINE))
        runs.add(run("online-2", kind=RunKind.ONLINE))
        runs.add(run("nightly"))

    with transaction(sessions) as session:
        assert [r.id for r in RunRepository(session).running(RunKind.NIGHTLY.value)] == ["nightly"]


def test_a_crashed_run_frees_the_slot_and_stops_taking_heartbeats(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        RunRepository(session).add(run("old"))
    later = NOW + timedelta(minutes=5)

    with transaction(sessions) as session:
        runs = RunRepository(session)
        assert runs.heartbeat("old", later)
        assert runs.mark_crashed("old", later)
        assert not runs.mark_crashed("old", later)
        assert not runs.heartbeat("old", later + timedelta(seconds=10))
        runs.add(run("new"))

    with transaction(sessions) as session:
        old = session.get(Run, "old")
        assert old is not None
        assert (old.status, old.finished_at, old.heartbeat_at) == ("crashed", later, later)
