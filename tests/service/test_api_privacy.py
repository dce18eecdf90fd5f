"""Personal data over HTTP: the model sees placeholders only, the client sees real values again,
auditors never see document text, and errors never echo what was sent."""

from __future__ import annotations

import json

import openai
import pytest

from service.api.app import create_app
from tests.service.api_fixtures import (
    PLANTED_EMAIL,
    PLANTED_NAME,
    PLANTED_PHONE,
    Api,
    api,
    api_factory,
    document,
    leaked,
    reuse_masker,
    served,
    shared_masker,
)

__all__ = ["api", "api_factory", "reuse_masker", "shared_masker"]  # fixtures used here

#: Asks the simulator for JSON with the customer's name, which it copies from the text.
SCHEMA = '{"type":"object","properties":{"customer_name":{"type":["string","null"]}}}'
PROMPT = (
    f"Return JSON matching this schema: {SCHEMA}. Письмо клиента: Здравствуйте, меня зовут "
    f"{PLANTED_NAME}. Телефон {PLANTED_PHONE}, почта {PLANTED_EMAIL}."
)


def test_process_answers_with_real_values_while_the_model_saw_only_placeholders(api: Api) -> None:
    response = api.client.post("/v1/process", json=document(), headers=api.auth("client"))

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] in ("done", "review")
    assert answer["fields"]["customer_name"] == PLANTED_NAME
    assert answer["category"]["category"] and isinstance(answer["urgent"], bool)
    assert answer["draft"]["reply"]
    sent = api.capture.sent_text()
    assert len(api.capture.bodies) == answer["usage"]["calls"] == 3
    assert "[PERSON_1]" in sent and leaked(sent) == []


def test_the_openai_sdk_gets_real_names_back_while_the_simulator_saw_only_placeholders(
    api: Api,
) -> None:
    with served(create_app(api.settings, transport=api.capture)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=api.secrets["client"], max_retries=0)
        models = [model.id for model in client.models.list()]
        completion = client.chat.completions.create(
            model="fast",
            messages=[
                {"role": "system", "content": "You extract fields from customer e-mails."},
                {"role": "user", "content": PROMPT},
            ],
        )
        client.close()

    assert models == ["fast", "strong"]
    reply = completion.choices[0].message.content or ""
    assert json.loads(reply.strip().removeprefix("```json").removesuffix("```")) == {
        "customer_name": PLANTED_NAME
    }
    assert completion.usage is not None and completion.usage.total_tokens > 0
    sent = api.capture.sent_text()
    assert len(api.capture.bodies) == 1
    assert "[PERSON_1]" in sent and "[PHONE_NUMBER_1]" in sent and "[EMAIL_ADDRESS_1]" in sent
    assert leaked(sent) == []


def test_one_placeholder_map_holds_for_the_whole_conversation(api: Api) -> None:
    messages = [
        {"role": "user", "content": f"Меня зовут {PLANTED_NAME}."},
        {"role": "assistant", "content": f"Здравствуйте, {PLANTED_NAME}!"},
        {"role": "user", "content": PROMPT},
    ]
    response = api.client.post(
        "/v1/chat/completions",
        json={"model": "fast", "messages": messages},
        headers=api.auth("client"),
    )

    assert response.status_code == 200
    sent = json.loads(api.capture.bodies[0])["messages"]
    assert [m["content"].count("[PERSON_1]") for m in sent] == [1, 1, 1]
    assert "[PERSON_2]" not in api.capture.sent_text()
    assert PLANTED_NAME in response.json()["choices"][0]["message"]["content"]


def test_auditors_never_see_document_text(api: Api) -> None:
    processed = api.client.post("/v1/process", json=document(), headers=api.auth("client"))
    chat = {"model": "fast", "messages": [{"role": "user", "content": PROMPT}]}
    assert api.client.post("/v1/chat/completions", json=chat, headers=api.auth("client")).is_success
    document_id = processed.json()["document_id"]

    auditor = api.auth("auditor")
    seen = [
        api.client.get(f"/v1/documents/{document_id}", headers=auditor),
        api.client.get("/v1/audit/entries", headers=auditor),
        api.client.get("/v1/audit/checkpoint", headers=auditor),
        api.client.get("/v1/audit/proof/2", headers=auditor),
        api.client.get("/v1/audit/consistency?first=1", headers=auditor),
    ]

    assert all(response.status_code == 200 for response in seen)
    view = seen[0].json()
    assert set(view["steps"]) == {"extract", "categorize", "draft"}
    assert all("output" not in step for step in view["steps"].values())
    assert "external_id" not in view
    assert len(seen[1].json()["entries"]) == 4
    assert leaked("\n".join(response.text for response in seen)) == []
    client_view = api.client.get(f"/v1/documents/{document_id}", headers=api.auth("client"))
    assert client_view.json()["steps"]["extract"]["output"]["customer_name"] == PLANTED_NAME


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/v1/process", {"subject": PLANTED_NAME}),  # no body field
        ("POST", "/v1/process", {"body": PLANTED_NAME, "received_at": PLANTED_PHONE}),
        ("POST", f"/v1/process?steps={PLANTED_NAME}", {"body": PLANTED_NAME}),
        ("POST", "/v1/process", {"body": "", "subject": PLANTED_NAME}),
        ("POST", "/v1/documents", [{"body": 5, "from": PLANTED_EMAIL}]),
        ("POST", "/v1/documents?source=%20" + PLANTED_NAME, {"body": PLANTED_NAME}),
        ("POST", "/v1/chat/completions", {"model": PLANTED_NAME, "messages": []}),
        ("POST", "/v1/chat/completions", {"model": "fast", "messages": [{"role": PLANTED_NAME}]}),
        ("POST", "/v1/chat/completions", {"model": PLANTED_NAME, "messages": [{"role": "user"}]}),
        ("POST", "/v1/chat/completions", {"model": "fast", PLANTED_NAME: [PLANTED_PHONE]}),
        ("POST", "/v1/review/1", {"decision": "accept", "note": PLANTED_NAME}),
        ("GET", f"/v1/documents/{PLANTED_PHONE}", None),
        ("GET", f"/v1/models/{PLANTED_NAME}", None),
        ("GET", f"/v1/{PLANTED_NAME}", None),
    ],
)
def test_errors_never_echo_what_was_sent(api: Api, method: str, url: str, body: object) -> None:
    response = api.client.request(method, url, json=body, headers=api.auth("client"))

    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"} and response.json()["error"]["message"]
    assert leaked(response.text) == []


def test_errors_of_auditor_and_admin_routes_never_echo_what_was_sent(api: Api) -> None:
    auditor, admin = api.auth("auditor"), api.auth("admin")
    responses = [
        api.client.get(f"/v1/audit/entries?from={PLANTED_NAME}", headers=auditor),
        api.client.get(f"/v1/audit/entries?route={PLANTED_NAME}&to=x", headers=auditor),
        api.client.post("/v1/keys", json={"name": PLANTED_NAME, "role": "client"}, headers=admin),
        api.client.post("/v1/keys", json={"name": "ok", "role": PLANTED_NAME}, headers=admin),
        api.client.delete(f"/v1/keys/{PLANTED_EMAIL}", headers=admin),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400, 404]
    assert leaked("\n".join(r.text for r in responses)) == []
