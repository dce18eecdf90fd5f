"""Documents over HTTP: ingest with reasons, process with fewer steps, read results, the review
queue and its resolution."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select, update

from compliance.masking import Masker
from flows.context import app_context
from storage.engine import transaction
from storage.models import Document, Run
from tests.service.api_fixtures import (
    Api,
    api,
    api_factory,
    document,
    leaked,
    put_in_review,
    reuse_masker,
    shared_masker,
)

__all__ = ["api", "api_factory", "reuse_masker", "shared_masker"]  # fixtures used here


def test_ingest_answers_new_changed_unchanged_and_rejected_with_reasons(api: Api) -> None:
    client = api.auth("client")
    first = api.client.post("/v1/documents", json=[document("a"), document("b")], headers=client)
    changed = {**document("a"), "body": "Другой текст письма."}
    again = api.client.post(
        "/v1/documents",
        json=[changed, document("b"), {"body": ""}, {"subject": "без текста"}],
        headers=client,
    )

    assert first.status_code == 200
    assert (first.json()["new"], first.json()["document_ids"]) == (2, [1, 2])
    report = again.json()
    assert (report["new"], report["changed"], report["unchanged"]) == (0, 1, 1)
    assert report["document_ids"] == [1, 2, None, None]
    reasons = {item["where"]: item["reason"] for item in report["rejected"]}
    assert reasons == {
        "item 2": "empty body and no attachment text",
        "item 3": "invalid record: field body is missing",
    }
    assert api.simulator.total() == 0  # ingest stores, it does not process


def test_a_single_document_is_ingested_under_the_source_given(api: Api) -> None:
    response = api.client.post(
        "/v1/documents?source=branch-almaty", json=document(), headers=api.auth("client")
    )

    assert response.json()["new"] == 1
    with app_context(api.settings) as ctx, transaction(ctx.sessions) as session:
        assert session.scalars(select(Document.source)).all() == ["branch-almaty"]


def test_process_runs_only_the_steps_asked_for_and_answers_the_rest_from_the_store(
    api: Api,
) -> None:
    client = api.auth("client")
    first = api.client.post("/v1/process?steps=categorize", json=document(), headers=client)
    calls = api.simulator.total()
    full = api.client.post("/v1/process", json=document(), headers=client)

    assert list(first.json()["steps"]) == ["categorize"]
    assert first.json()["status"] == "pending" and first.json()["draft"] is None
    assert first.json()["category"] is not None and calls == 1
    steps = full.json()["steps"]
    assert steps["categorize"]["from_store"] is True
    assert not steps["extract"]["from_store"] and not steps["draft"]["from_store"]
    assert api.simulator.total() == 3


def test_the_server_masks_in_its_worker_processes_once_they_are_up(
    api_factory: Any, shared_masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's masking processes (privacy.mask_workers > 1): the document is masked there,
    not in the server's interpreter, and only placeholders reach the model."""
    api = api_factory(extra="[privacy]\nmask_workers = 2\n")
    deadline = time.monotonic() + 120
    while shared_masker.start_pool(2) is None:  # they start in the background at start-up
        assert time.monotonic() < deadline, "the masking processes did not start"
        time.sleep(0.1)

    assert api.client.get("/readyz").json()["masking"] == "2 processes"

    def not_here(*args: object) -> None:
        raise AssertionError("masked in the server's own process")

    monkeypatch.setattr(shared_masker, "_mask_in_batch", not_here)
    response = api.client.post("/v1/process", json=document(), headers=api.auth("client"))

    assert response.status_code == 200, response.text
    assert response.json()["status"] in ("done", "review")
    assert api.simulator.total() >= 2
    assert leaked(api.capture.sent_text()) == []
    assert "[PERSON_1]" in api.capture.sent_text()


def test_reading_a_missing_document_is_404(api: Api) -> None:
    response = api.client.get("/v1/documents/99", headers=api.auth("client"))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "there is no document 99"


def erase(api: Api, document_id: int) -> None:
    """Crypto-shred the document, as erasing does: its wrapped data key is dropped."""
    with app_context(api.settings) as ctx, transaction(ctx.sessions) as session:
        session.execute(update(Document).where(Document.id == document_id).values(wrapped_key=None))


def runs(api: Api) -> int:
    with app_context(api.settings) as ctx, transaction(ctx.sessions) as session:
        return len(session.scalars(select(Run.id)).all())


@pytest.mark.parametrize("before", ["processed", "only_ingested"])
def test_processing_an_erased_document_is_410_with_no_call_and_no_run(
    api: Api, before: str
) -> None:
    client = api.auth("client")
    if before == "processed":  # finished steps: their outputs are sealed under the shredded key
        first = api.client.post("/v1/process?steps=extract", json=document(), headers=client)
        document_id = first.json()["document_id"]
    else:  # stored under the source /v1/process uses, never processed
        first = api.client.post("/v1/documents?source=online", json=document(), headers=client)
        document_id = first.json()["document_ids"][0]
    erase(api, document_id)
    calls, started = api.simulator.total(), runs(api)

    response = api.client.post("/v1/process", json=document(), headers=client)
    read = api.client.get(f"/v1/documents/{document_id}", headers=client)

    assert response.status_code == read.status_code == 410
    assert response.json()["error"] == {
        "message": f"document {document_id} was erased; its text cannot be read",
        "type": "gone_error",
        "code": None,
    }
    assert leaked(response.text) == []
    assert api.simulator.total() == calls and runs(api) == started


def test_the_review_queue_lists_ids_steps_and_reasons_and_a_resolution_moves_the_document(
    api: Api,
) -> None:
    client = api.auth("client")
    api.client.post("/v1/process", json=document(), headers=client)
    item = put_in_review(api, 1, "categorize")

    queue = api.client.get("/v1/review", headers=client).json()
    accepted = api.client.post(
        f"/v1/review/{item}", json={"decision": "accept", "note": "checked"}, headers=client
    )
    again = api.client.post(
        f"/v1/review/{item}", json={"decision": "reject", "note": "late"}, headers=client
    )

    assert queue["items"] == [
        {
            "id": item,
            "document_id": 1,
            "step": "categorize",
            "reason": "low_confidence:0.41",
            "prompt_version": "categorize.v1",
            "urgent": False,
            "since": queue["items"][0]["since"],
        }
    ]
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "done" and accepted.json()["document_status"] == "done"
    assert accepted.json()["reason"] == f"review_accepted:checked;by={api.key_ids['client']}"
    assert again.status_code == 409
    assert api.client.get("/v1/review", headers=client).json()["items"] == []


def test_rejecting_sends_the_step_back_and_nothing_without_output_can_be_accepted(
    api: Api,
) -> None:
    client = api.auth("client")
    api.client.post("/v1/process", json=document(), headers=client)
    item = put_in_review(api, 1, "extract", drop_output=True)

    accept = api.client.post(
        f"/v1/review/{item}", json={"decision": "accept", "note": "ok"}, headers=client
    )
    reject = api.client.post(
        f"/v1/review/{item}", json={"decision": "reject", "note": "unreadable"}, headers=client
    )
    rerun = api.client.post("/v1/process", json=document(), headers=client)

    assert accept.status_code == 409 and "no output to accept" in accept.json()["error"]["message"]
    assert reject.json()["status"] == "failed" and reject.json()["document_status"] == "failed"
    assert rerun.json()["steps"]["extract"]["from_store"] is False  # asked again
    assert rerun.json()["status"] == "done"


def test_a_review_note_must_be_a_code(api: Api) -> None:
    response = api.client.post(
        "/v1/review/1",
        json={"decision": "accept", "note": "Клиент звонил"},
        headers=api.auth("client"),
    )
    assert response.status_code == 400
    assert "body.note" in response.json()["error"]["message"]
