"""The online path: one document through the same steps, answered now, never paid twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from flows.online.flow import process_online
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import make_engine
from storage.errors import StorageError
from tests.simulated import SimulatorFactory, ingest_samples


async def test_one_document_runs_every_step_and_asking_again_is_answered_from_the_store(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=2)
    settings = wired_home(sim.url)
    ingest_samples(settings, 3, seed=14, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        first = await process_online(runtime, 2)
        calls = sim.total()
        again = await process_online(runtime, 2)
    finally:
        await runtime.aclose()

    assert set(first.steps) == {"extract", "categorize", "draft"}
    assert first.counters.calls == calls >= 2
    assert all(not view.from_store for view in first.steps.values())
    assert first.steps["categorize"].output is not None
    assert sim.total() == calls
    assert all(view.from_store for view in again.steps.values())
    assert again.counters.calls == 0


async def test_asking_for_fewer_steps_calls_only_those(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=3)
    settings = wired_home(sim.url)
    ingest_samples(settings, 2, seed=15, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        result = await process_online(runtime, 1, ["categorize"])
    finally:
        await runtime.aclose()

    assert list(result.steps) == ["categorize"]
    assert sim.total() == result.counters.calls == 1
    assert result.status == "pending"  # extract and draft have not run yet


async def test_a_draft_without_a_category_is_not_sent(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=4)
    settings = wired_home(sim.url)
    ingest_samples(settings, 1, seed=16, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        result = await process_online(runtime, 1, ["draft"])
    finally:
        await runtime.aclose()

    assert result.steps["draft"].reason == "needs:categorize"
    assert sim.total() == 0


async def test_the_answer_returns_once_its_results_run_and_status_are_committed(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=5)
    settings = wired_home(sim.url)
    ingest_samples(settings, 2, seed=17, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        result = await process_online(runtime, 2)
    finally:
        await runtime.aclose()

    engine = make_engine(settings.database_url)  # a connection of its own: what others see
    try:
        with engine.connect() as conn:
            saved = conn.execute(
                text("SELECT step, status FROM step_results WHERE document_id = 2")
            ).all()
            status = conn.execute(text("SELECT status FROM documents WHERE id = 2")).scalar()
            vault = conn.execute(
                text("SELECT count(*) FROM vault_entries WHERE document_id = 2")
            ).scalar()
            run = conn.execute(
                text("SELECT status, summary FROM runs WHERE id = :id"), {"id": result.run_id}
            ).one()
    finally:
        engine.dispose()
    assert {step for step, _ in saved} == set(result.steps) == {"extract", "categorize", "draft"}
    assert status == result.status
    assert vault == 1  # the masked record the outputs' placeholders come from
    assert run[0] == "completed"
    summary = run[1] if isinstance(run[1], dict) else json.loads(run[1])
    assert summary["calls"] == result.counters.calls == sim.total()


_REFUSE_SQLITE = (
    "CREATE TRIGGER refuse_step_results BEFORE INSERT ON step_results "
    "BEGIN SELECT RAISE(ABORT, 'step results refused by the test'); END"
)
_REFUSE_POSTGRES = (
    "CREATE FUNCTION refuse_step_results() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'step results refused by the test'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER refuse_step_results BEFORE INSERT ON step_results "
    "FOR EACH ROW EXECUTE FUNCTION refuse_step_results()",
)


async def test_a_store_that_refuses_results_stops_the_calls_and_fails_the_request(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    """The database really refuses (a trigger): the request fails with the store's error
    and stops paying — at most the one call already under way when the refusal came back."""
    sim = simulator(seed=6)
    settings = wired_home(sim.url)
    ingest_samples(settings, 1, seed=18, tmp_path=tmp_path)
    engine = make_engine(settings.database_url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for statement in _REFUSE_POSTGRES if postgres else (_REFUSE_SQLITE,):
            conn.execute(text(statement))
    runtime = Runtime.open(settings)
    try:
        with pytest.raises(StorageError, match="could not be saved") as caught:
            await process_online(runtime, 1)
    finally:
        await runtime.aclose()
        with engine.begin() as conn:
            conn.execute(
                text("DROP TRIGGER refuse_step_results" + (" ON step_results" if postgres else ""))
            )
            if postgres:
                conn.execute(text("DROP FUNCTION refuse_step_results()"))
        engine.dispose()
    assert "refused by the test" in str(caught.value)
    assert 1 <= sim.total() <= 2  # extract, and categorize if it was already sent
