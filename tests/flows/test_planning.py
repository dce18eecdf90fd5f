"""Planning: urgent, then new, then changed, then archive re-processing; never finished work."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from flows.ingest import ingest_paths
from flows.planning.work import Priority, plan_work
from sampledata import write_jsonl
from storage.engine import transaction
from storage.models import Document, StepResult

STEPS = ("extract", "categorize", "draft")
ACTIVE = {step: (f"{step}.v2", f"{step}.v1") for step in STEPS}


def record(external_id: str, body: str, urgent: bool = False) -> dict[str, object]:
    return {"external_id": external_id, "subject": "s", "body": body, "urgent": urgent}


def ingest(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path, rows: list[dict[str, object]]
) -> None:
    path = tmp_path / f"batch-{len(list(tmp_path.iterdir()))}.jsonl"
    write_jsonl(rows, path)
    ingest_paths(sessions, keyring, [path], source="plan")


def finish(session: Session, document: Document, step: str, version: tuple[str, str]) -> None:
    session.add(
        StepResult(
            document_id=document.id,
            step=step,
            prompt_version=version[0],
            schema_version=version[1],
            input_hash=document.content_hash,
            status="done",
        )
    )


def test_work_is_ordered_urgent_new_changed_archive_and_finished_steps_are_left_out(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    ingest(sessions, keyring, tmp_path, [
        record("old", "archived mail"), record("changed", "first text"),
        record("done", "finished mail"), record("new", "fresh mail"),
        record("urgent", "card stolen", urgent=True),
    ])  # fmt: skip
    ingest(sessions, keyring, tmp_path, [record("changed", "second text")])
    with transaction(sessions) as session:
        docs = {d.external_id: d for d in session.query(Document)}
        for step in STEPS:
            finish(session, docs["done"], step, ACTIVE[step])
        finish(session, docs["old"], "extract", ("extract.v1", "extract.v1"))
        finish(session, docs["old"], "categorize", ACTIVE["categorize"])

    with transaction(sessions) as session:
        plan = plan_work(session, ACTIVE, STEPS)

    order = [(docs_by_id(docs)[item.document_id], item.priority, item.steps) for item in plan.items]
    assert order == [
        ("urgent", Priority.URGENT, STEPS),
        ("new", Priority.NEW, STEPS),
        ("changed", Priority.CHANGED, STEPS),
        ("old", Priority.ARCHIVE, ("extract", "draft")),
    ]
    assert plan.documents_total == 5


def test_a_result_for_older_content_does_not_count_as_finished(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    ingest(sessions, keyring, tmp_path, [record("a", "first text")])
    with transaction(sessions) as session:
        document = session.query(Document).one()
        for step in STEPS:
            finish(session, document, step, ACTIVE[step])
    ingest(sessions, keyring, tmp_path, [record("a", "edited text")])

    with transaction(sessions) as session:
        plan = plan_work(session, ACTIVE, STEPS)

    assert [(item.priority, item.steps) for item in plan.items] == [(Priority.CHANGED, STEPS)]


def docs_by_id(docs: dict[str | None, Document]) -> dict[int, str | None]:
    return {document.id: name for name, document in docs.items()}
