"""Documents belong to the client key that sent them: a key of scope ``own`` reads, lists and
resolves only its own (another's is 404, worded like a missing one), cannot overwrite another's
identity (409, nothing changed), and a key of scope ``all`` — the review desk — sees them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from compliance.keys.callers import CallerKeys, DocumentScope, KeyLimits, Role
from flows.context import app_context
from flows.ingest import ingest_paths
from storage.engine import transaction
from storage.models import Document
from tests.service.api_fixtures import (
    PLANTED_NAME,
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


@pytest.fixture
def owners(api: Api) -> Api:
    """``api`` with client keys ``a`` and ``b`` (scope own) and ``desk`` (scope all)."""
    api.add_key("a", Role.CLIENT, KeyLimits())
    api.add_key("b", Role.CLIENT, KeyLimits())
    api.add_key("desk", Role.CLIENT, KeyLimits(), DocumentScope.ALL)
    return api


def process(api: Api, who: str, external_id: str) -> int:
    """``who`` processes a document (extract only); its id."""
    response = api.client.post(
        "/v1/process?steps=extract", json=document(external_id), headers=api.auth(who)
    )
    assert response.status_code == 200, response.json()
    return int(response.json()["document_id"])


def stored(api: Api, document_id: int) -> tuple[str | None, str, int, bytes]:
    """(owner, content hash, revision, payload ciphertext) of a document as stored."""
    with app_context(api.settings) as ctx, transaction(ctx.sessions) as session:
        row = session.get(Document, document_id)
        assert row is not None
        return row.owner_key_id, row.content_hash, row.revision, row.payload


def queue(api: Api, who: str) -> list[int]:
    response = api.client.get("/v1/review", headers=api.auth(who))
    assert response.status_code == 200
    return [item["document_id"] for item in response.json()["items"]]


def test_documents_sent_through_the_api_are_owned_by_the_key_and_the_cli_s_by_none(
    owners: Api, tmp_path: Path
) -> None:
    processed = process(owners, "a", "a-1")
    ingested = owners.client.post("/v1/documents", json=document("b-1"), headers=owners.auth("b"))
    path = tmp_path / "mail.jsonl"
    path.write_text(json.dumps(document("cli-1"), ensure_ascii=False) + "\n", encoding="utf-8")
    with app_context(owners.settings) as ctx:
        ingest_paths(ctx.sessions, ctx.keyring, [path], source="cli")
        with transaction(ctx.sessions) as session:
            cli = session.scalars(select(Document.id).where(Document.source == "cli")).one()

    assert stored(owners, processed)[0] == owners.key_ids["a"]
    assert stored(owners, ingested.json()["document_ids"][0])[0] == owners.key_ids["b"]
    assert stored(owners, cli)[0] is None


def test_another_key_s_document_is_404_worded_like_a_missing_one(owners: Api) -> None:
    mine = process(owners, "a", "a-1")

    as_owner = owners.client.get(f"/v1/documents/{mine}", headers=owners.auth("a"))
    as_other = owners.client.get(f"/v1/documents/{mine}", headers=owners.auth("b"))
    missing = owners.client.get(f"/v1/documents/{mine + 1}", headers=owners.auth("b"))

    assert as_owner.status_code == 200
    assert as_owner.json()["steps"]["extract"]["output"]["customer_name"] == PLANTED_NAME
    assert as_other.status_code == missing.status_code == 404
    assert as_other.json() == {
        "error": {
            "message": f"there is no document {mine}",
            "type": "not_found_error",
            "code": None,
        }
    }
    assert missing.json()["error"]["message"] == f"there is no document {mine + 1}"


def test_a_document_ingested_outside_the_api_is_hidden_from_a_key_of_scope_own(
    owners: Api, tmp_path: Path
) -> None:
    path = tmp_path / "mail.jsonl"
    path.write_text(json.dumps(document("cli-1"), ensure_ascii=False) + "\n", encoding="utf-8")
    with app_context(owners.settings) as ctx:
        ingest_paths(ctx.sessions, ctx.keyring, [path], source="cli")

    assert owners.client.get("/v1/documents/1", headers=owners.auth("a")).status_code == 404
    assert owners.client.get("/v1/documents/1", headers=owners.auth("desk")).status_code == 200
    assert owners.client.get("/v1/documents/1", headers=owners.auth("admin")).status_code == 200


def test_a_key_of_scope_all_and_an_admin_see_every_key_s_documents(owners: Api) -> None:
    of_a, of_b = process(owners, "a", "a-1"), process(owners, "b", "b-1")

    for who in ("desk", "admin"):
        for document_id in (of_a, of_b):
            response = owners.client.get(f"/v1/documents/{document_id}", headers=owners.auth(who))
            assert response.status_code == 200, (who, document_id)
            assert response.json()["steps"]["extract"]["output"]["customer_name"] == PLANTED_NAME


def test_the_review_queue_of_a_key_of_scope_own_lists_only_its_documents_items(
    owners: Api,
) -> None:
    of_a, of_b = process(owners, "a", "a-1"), process(owners, "b", "b-1")
    put_in_review(owners, of_a, "extract")
    put_in_review(owners, of_b, "extract")

    assert queue(owners, "a") == [of_a]
    assert queue(owners, "b") == [of_b]
    assert queue(owners, "desk") == queue(owners, "admin") == [of_a, of_b]


def test_a_key_cannot_resolve_another_key_s_review_item_but_the_desk_can(owners: Api) -> None:
    item = put_in_review(owners, process(owners, "a", "a-1"), "extract")
    decision = {"decision": "accept", "note": "checked"}

    by_other = owners.client.post(f"/v1/review/{item}", json=decision, headers=owners.auth("b"))
    missing = owners.client.post(
        f"/v1/review/{item + 100}", json=decision, headers=owners.auth("b")
    )
    still_waiting = queue(owners, "a")
    by_desk = owners.client.post(f"/v1/review/{item}", json=decision, headers=owners.auth("desk"))

    assert by_other.status_code == missing.status_code == 404
    assert by_other.json()["error"]["message"] == (
        f"there is no review item {item}; GET /v1/review lists them"
    )
    assert still_waiting != []  # b's attempt changed nothing
    assert by_desk.status_code == 200
    assert by_desk.json()["reason"] == f"review_accepted:checked;by={owners.key_ids['desk']}"


def test_ingesting_another_key_s_identity_is_409_and_leaves_its_document_as_it_was(
    owners: Api,
) -> None:
    first = owners.client.post("/v1/documents", json=document("x-1"), headers=owners.auth("a"))
    document_id = first.json()["document_ids"][0]
    before = stored(owners, document_id)
    changed = {**document("x-1"), "body": "Совсем другое письмо, Айгерим Жумабаева."}

    overwrite = owners.client.post("/v1/documents", json=changed, headers=owners.auth("b"))
    same = owners.client.post("/v1/documents", json=document("x-1"), headers=owners.auth("b"))
    batch = owners.client.post(
        "/v1/documents", json=[document("b-new"), changed], headers=owners.auth("b")
    )
    again_by_owner = owners.client.post(
        "/v1/documents", json=document("x-1"), headers=owners.auth("a")
    )

    for refused in (overwrite, same, batch):
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["type"] == "conflict_error"
        assert "another caller key" in error["message"] and "Nothing was stored" in error["message"]
        assert leaked(refused.text) == [] and "другое письмо" not in refused.text
    assert batch.json()["error"]["message"].startswith("item 1: ")
    assert stored(owners, document_id) == before
    assert before[0] == owners.key_ids["a"]
    with app_context(owners.settings) as ctx, transaction(ctx.sessions) as session:
        assert session.scalars(select(Document.external_id)).all() == ["x-1"]  # b-new not kept
    assert again_by_owner.json()["unchanged"] == 1


def test_processing_another_key_s_identity_is_409_and_sends_nothing(owners: Api) -> None:
    document_id = process(owners, "a", "x-1")
    before = stored(owners, document_id)
    calls = owners.simulator.total()
    changed = {**document("x-1"), "body": "Совсем другое письмо."}

    refused = owners.client.post("/v1/process", json=changed, headers=owners.auth("b"))

    assert refused.status_code == 409
    assert refused.json()["error"]["message"].startswith("request: ")
    assert owners.simulator.total() == calls
    assert stored(owners, document_id) == before
    as_owner = owners.client.get(f"/v1/documents/{document_id}", headers=owners.auth("a"))
    assert as_owner.json()["revision"] == 1


def test_a_scope_change_holds_from_the_key_s_next_request(owners: Api) -> None:
    of_a = process(owners, "a", "a-1")
    before = owners.client.get(f"/v1/documents/{of_a}", headers=owners.auth("b"))
    with app_context(owners.settings) as ctx:
        keys = CallerKeys.open(ctx.sessions, owners.settings.keys_dir)
        keys.set_scope("b", DocumentScope.ALL)
    widened = owners.client.get(f"/v1/documents/{of_a}", headers=owners.auth("b"))
    with app_context(owners.settings) as ctx:
        CallerKeys.open(ctx.sessions, owners.settings.keys_dir).set_scope("b", DocumentScope.OWN)
    narrowed = owners.client.get(f"/v1/documents/{of_a}", headers=owners.auth("b"))

    assert (before.status_code, widened.status_code, narrowed.status_code) == (404, 200, 404)
