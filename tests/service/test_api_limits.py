"""Limits and residency over HTTP: 429 with Retry-After for a key over its limit, 403 for a route
abroad (refused and audited), and masked-only export when the policy allows it."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from compliance.keys.callers import KeyLimits, Role
from service.api.app import create_app
from tests.service.api_fixtures import (
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

CHAT = {"model": "fast", "messages": [{"role": "user", "content": "Добрый день, подскажите."}]}
ABROAD = """
[routes.abroad]
base_url = "{url}/v1"
api_key = "test-abroad"
model = "small-model"
region = "US"
"""
EXPORT = "\n[residency]\nallow_masked_export = true\n"
PERSONAL = {
    "model": "abroad",
    "messages": [
        {"role": "user", "content": f"Меня зовут {PLANTED_NAME}, телефон {PLANTED_PHONE}."}
    ],
}


def audit_entries(api: Api, **filters: str) -> list[dict[str, object]]:
    response = api.client.get("/v1/audit/entries", params=filters, headers=api.auth("auditor"))
    assert response.status_code == 200
    entries: list[dict[str, object]] = response.json()["entries"]
    return entries


def test_a_chat_over_the_key_rpm_gets_429_with_retry_after_and_is_not_sent(api: Api) -> None:
    secret = api.add_key("one-a-minute", Role.CLIENT, KeyLimits(rpm=1))
    headers = {"Authorization": f"Bearer {secret}"}

    first = api.client.post("/v1/chat/completions", json=CHAT, headers=headers)
    second = api.client.post("/v1/chat/completions", json=CHAT, headers=headers)

    assert first.status_code == 200
    assert second.status_code == 429
    assert 1 <= int(second.headers["retry-after"]) <= 61  # 60 s + the limiter's margin
    error = second.json()["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "key_limit:rpm")
    assert api.simulator.total() == 1
    refused = audit_entries(api, key=api.key_ids["one-a-minute"], outcome="refused")
    assert [entry["detail"] for entry in refused] == ["key_limit:rpm"]


def test_the_openai_sdk_sees_a_rate_limit_error_with_retry_after(api: Api) -> None:
    secret = api.add_key("sdk-one", Role.CLIENT, KeyLimits(rpm=1))
    with served(create_app(api.settings, transport=api.capture)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=secret, max_retries=0)
        client.chat.completions.create(**CHAT)  # type: ignore[call-overload]
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(**CHAT)  # type: ignore[call-overload]
        client.close()

    assert int(refused.value.response.headers["retry-after"]) >= 1
    assert "over its rpm limit" in refused.value.message


def test_process_stops_at_the_key_limit_with_429_and_keeps_what_was_done(api: Api) -> None:
    secret = api.add_key("two-a-minute", Role.CLIENT, KeyLimits(rpm=2))
    headers = {"Authorization": f"Bearer {secret}"}

    response = api.client.post("/v1/process", json=document(), headers=headers)

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "document 1 is stored" in response.json()["error"]["message"]
    assert api.simulator.total() == 2  # extract and categorize; draft refused, not sent
    view = api.client.get("/v1/documents/1", headers=headers).json()  # its owner reads it
    assert view["steps"]["extract"]["status"] == "done"
    assert view["steps"]["draft"]["reason"] == "refused:key_limit:rpm"


def test_a_route_abroad_is_refused_with_403_and_audited(
    api_factory: Callable[..., Api],
) -> None:
    api = api_factory(extra=ABROAD)

    models = api.client.get("/v1/models", headers=api.auth("client")).json()["data"]
    response = api.client.post("/v1/chat/completions", json=PERSONAL, headers=api.auth("client"))

    assert [model["id"] for model in models] == ["fast", "strong"]
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("residency_error", "residency:US")
    assert api.simulator.total() == 0 and api.capture.bodies == []
    refused = audit_entries(api, route="abroad")
    assert [(e["outcome"], e["detail"], e["region"]) for e in refused] == [
        ("refused", "residency:US", "US")
    ]
    assert refused[0]["caller_key_id"] == api.key_ids["client"]


def test_with_masked_export_only_masked_text_reaches_a_route_abroad(
    api_factory: Callable[..., Api],
) -> None:
    api = api_factory(extra=ABROAD + EXPORT)

    models = api.client.get("/v1/models", headers=api.auth("client")).json()["data"]
    response = api.client.post("/v1/chat/completions", json=PERSONAL, headers=api.auth("client"))

    assert {m["id"]: m["residency"] for m in models}["abroad"] == "masked_export_only"
    assert response.status_code == 200
    sent = api.capture.sent_text()
    assert "[PERSON_1]" in sent and "[PHONE_NUMBER_1]" in sent
    assert leaked(sent) == []
    assert [e["outcome"] for e in audit_entries(api, route="abroad")] == ["ok"]
