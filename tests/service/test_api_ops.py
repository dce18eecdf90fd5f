"""Operating the API: probes, metrics, the auditor's proofs, key management over HTTP."""

from __future__ import annotations

import base64
import json
import re

from sqlalchemy import text
from typer.testing import CliRunner

from compliance.audit.entries import canonical_json
from compliance.audit.keys import AuditKeys
from compliance.audit.log import AuditLog
from compliance.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from compliance.audit.note import open_checkpoint
from flows.context import app_context
from service.cli import app
from storage.engine import make_engine
from tests.compliance.test_audit_helpers import intent_draft
from tests.service.api_fixtures import (
    PLANTED_NAME,
    PLANTED_PHONE,
    Api,
    api,
    api_factory,
    document,
    leaked,
    reuse_masker,
    shared_masker,
)

__all__ = ["api", "api_factory", "reuse_masker", "shared_masker"]  # fixtures used here


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in metrics.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "data_key": "ok",
        "masker": "ok",
    }
    assert ready.json()["masking"] == "in-process"  # the fixture's mask_workers = 1


def test_readiness_fails_when_the_database_is_behind_the_code(api: Api) -> None:
    engine = make_engine(api.settings.database_url)
    try:
        with engine.begin() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        response = api.client.get("/readyz")
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        engine.dispose()

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["migrations"] == f"at 0001, head is {head}"


def test_metrics_count_requests_tokens_cost_refusals_and_the_queue(api: Api) -> None:
    client = api.auth("client")
    api.client.post("/v1/process?steps=categorize", json=document(), headers=client)
    api.client.post("/v1/documents", json=[document("q-1"), document("q-2")], headers=client)
    api.client.get("/v1/documents/1", headers=api.auth("bad"))

    metrics = api.client.get("/metrics")

    assert metrics.headers["content-type"].startswith("text/plain")
    body = metrics.text
    route = {"route": "/v1/process", "method": "POST", "status": "200"}
    assert sample(body, "nightshift_http_requests_total", **route) == 1
    bad = {"route": "/v1/documents/{document_id}", "method": "GET", "status": "401"}
    assert sample(body, "nightshift_http_requests_total", **bad) == 1
    timed = {"route": "/v1/process", "method": "POST", "le": "+Inf"}
    assert sample(body, "nightshift_http_request_duration_seconds_bucket", **timed) == 1
    assert sample(body, "nightshift_model_tokens_total", route="fast", direction="in") > 0
    assert sample(body, "nightshift_model_cost_total", route="fast", currency="KZT") > 0
    assert sample(body, "nightshift_refusals_total", reason="auth:invalid_key") == 1
    attempts = {"route": "fast", "path": "online", "outcome": "ok"}
    assert sample(body, "nightshift_model_attempts_total", **attempts) == 1
    assert sample(body, "nightshift_queue_pending_documents") == 3
    assert sample(body, "nightshift_documents", status="pending") == 3


def test_a_chat_completion_is_audited_as_step_chat_with_counts_and_no_text(api: Api) -> None:
    body = {
        "model": "fast",
        "messages": [
            {"role": "system", "content": "Ответь коротко."},
            {"role": "user", "content": f"Меня зовут {PLANTED_NAME}, телефон {PLANTED_PHONE}."},
        ],
    }
    answer = api.client.post("/v1/chat/completions", json=body, headers=api.auth("client"))
    found = api.client.get("/v1/audit/entries", headers=api.auth("auditor")).json()

    assert answer.status_code == 200
    assert found["count"] == 1
    entry = found["entries"][0]
    assert {k: entry[k] for k in ("step", "prompt_version", "path", "document_id", "run_id")} == {
        "step": "chat",
        "prompt_version": "api.chat.v1",
        "path": "api",
        "document_id": None,
        "run_id": None,
    }
    assert entry["caller_key_id"] == api.key_ids["client"] and entry["outcome"] == "ok"
    assert entry["masked_counts"] == {"PERSON": 1, "PHONE_NUMBER": 1}
    assert entry["request_sha256"].startswith("sha256:") and entry["tokens_in"] > 0
    assert leaked(json.dumps(found, ensure_ascii=False)) == []


def test_an_auditor_verifies_proofs_with_the_public_key_only(api: Api) -> None:
    api.client.post("/v1/process", json=document(), headers=api.auth("client"))
    auditor = api.auth("auditor")
    checkpoint = api.client.get("/v1/audit/checkpoint", headers=auditor).json()
    proof = api.client.get("/v1/audit/proof/1", headers=auditor).json()
    consistency = api.client.get("/v1/audit/consistency?first=2", headers=auditor).json()
    entries = api.client.get("/v1/audit/entries?from=2&to=5", headers=auditor).json()

    verifiers = AuditKeys.load(api.settings.keys_dir).verifiers  # what `audit keys` prints
    signed, _ = open_checkpoint(checkpoint["note"], verifiers)
    # Three calls, each an intent and an outcome entry; seq 1 is the first call's outcome.
    assert signed.tree_size == checkpoint["tree_size"] == 6
    assert (proof["entry"]["kind"], proof["entry"]["outcome"]) == ("outcome", "ok")
    leaf = leaf_hash(canonical_json(proof["entry"]))
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    assert verify_inclusion(1, signed.tree_size, leaf, hashes, signed.root)
    old_root = base64.b64decode(consistency["first_root"])
    path = [base64.b64decode(h) for h in consistency["proof"]]
    assert consistency["second_checkpoint"] == checkpoint["note"]
    assert verify_consistency(2, 6, old_root, signed.root, path)
    assert [attempt["entries"] for attempt in entries["entries"]] == [[2, 3], [4, 5]]


def test_the_api_lists_the_attempts_the_cli_lists_an_unknown_outcome_included(api: Api) -> None:
    api.client.post("/v1/process", json=document(), headers=api.auth("client"))
    with app_context(api.settings) as ctx:  # a process that died after its intent
        AuditLog.open(ctx.sessions, api.settings.keys_dir).append_batch([intent_draft(7, "c" * 32)])
    auditor = api.auth("auditor")
    listed = api.client.get("/v1/audit/entries", headers=auditor).json()
    unknown = api.client.get("/v1/audit/entries?outcome=unknown", headers=auditor).json()
    cli = CliRunner().invoke(app, ["audit", "query", "--json"])

    assert [(a["outcome"], a["entries"]) for a in listed["entries"]] == [
        ("ok", [0, 1]), ("ok", [2, 3]), ("ok", [4, 5]), ("unknown", [6])
    ]  # fmt: skip
    assert unknown["entries"] == listed["entries"][3:] and unknown["count"] == 1
    assert json.loads(cli.stdout) == listed["entries"]


def test_audit_reads_refuse_what_does_not_exist(api: Api) -> None:
    auditor = api.auth("auditor")
    missing = api.client.get("/v1/audit/proof/7", headers=auditor)
    too_far = api.client.get("/v1/audit/consistency?first=1&second=9", headers=auditor)
    # The largest seq the path admits: seq + 1 would not fit a 64-bit database integer
    # (schemathesis found this as a 500 on SQLite).
    largest = api.client.get(f"/v1/audit/proof/{2**63 - 1}", headers=auditor)

    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "there is no audit entry with seq 7"
    assert largest.status_code == 404
    assert too_far.status_code == 400
    assert "0 <= first <= second <= 0" in too_far.json()["error"]["message"]


def test_an_admin_creates_lists_and_revokes_keys_and_a_revoked_key_stops_at_once(
    api: Api,
) -> None:
    admin = api.auth("admin")
    created = api.client.post(
        "/v1/keys",
        json={"name": "mail-robot", "role": "client", "rpm": 60, "monthly_budget": "1500.5"},
        headers=admin,
    )
    secret = created.json()["secret"]
    robot = {"Authorization": f"Bearer {secret}"}
    works = api.client.get("/v1/models", headers=robot)
    listed = api.client.get("/v1/keys", headers=admin).json()
    revoked = api.client.delete("/v1/keys/mail-robot", headers=admin)
    after = api.client.get("/v1/models", headers=robot)
    duplicate = api.client.post(
        "/v1/keys", json={"name": "mail-robot", "role": "client"}, headers=admin
    )

    assert created.status_code == 201
    assert created.json()["limits"] == {
        "rpm": 60,
        "tpm": 0,
        "daily_tokens": 0,
        "monthly_budget": "1500.5",
    }
    assert works.status_code == 200
    robot_row = next(info for info in listed if info["name"] == "mail-robot")
    assert "secret" not in robot_row and robot_row["revoked_at"] is None
    assert secret not in str(listed)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert after.status_code == 401
    assert duplicate.status_code == 409
