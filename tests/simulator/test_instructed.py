"""Without response_format, a schema written in the prompt is followed like an instruction."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import jsonschema
import openai
import pytest
from fastapi import FastAPI

from simulator import SimulatorConfig, create_app
from tests.simulator.test_grounding import CATEGORIZE_SCHEMA, DRAFT_SCHEMA, EXTRACT_SCHEMA

INSTRUCTION = "Answer with one JSON object only, no prose, valid against this JSON Schema:\n"
FENCE = re.compile(r"^```json\n(.*)\n```$", re.DOTALL)


@asynccontextmanager
async def sdk(app: FastAPI) -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key="route-key", max_retries=0, http_client=http
        )


def messages(schema: dict[str, Any], body: str, header: str = "") -> list[Any]:
    system = "You route one customer email.\n\n" + INSTRUCTION + json.dumps(schema)
    user = f"{header}Subject: Письмо\n\nBody:\n{body}\n\nAttachments:\n(none)\n"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def unfenced(content: str) -> str:
    found = FENCE.match(content.strip())
    return found.group(1) if found else content


async def ask(client: openai.AsyncOpenAI, chat: list[Any]) -> str:
    completion = await client.chat.completions.create(model="small-model", messages=chat)
    return completion.choices[0].message.content or ""


@pytest.mark.parametrize("schema", [EXTRACT_SCHEMA, CATEGORIZE_SCHEMA, DRAFT_SCHEMA])
async def test_a_schema_in_the_system_prompt_gets_a_json_answer_that_follows_it(
    schema: dict[str, Any],
) -> None:
    body = "Здравствуйте! С карты дважды списали 5 000 тенге по заявке REQ-2026-000123."
    async with sdk(create_app(SimulatorConfig(seed=2))) as client:
        content = await ask(client, messages(schema, body))
    jsonschema.validate(json.loads(unfenced(content)), schema)


async def test_the_none_mode_answer_is_grounded_like_a_json_schema_answer() -> None:
    body = "Сәлеметсіз бе! Картам бұғатталды, алаяқтар қоңырау шалды. Шұғыл көмектесіңіз."
    async with sdk(create_app(SimulatorConfig(seed=2))) as client:
        categorized = json.loads(unfenced(await ask(client, messages(CATEGORIZE_SCHEMA, body))))
        drafted = json.loads(unfenced(await ask(client, messages(DRAFT_SCHEMA, body))))
    assert categorized["category"] == "card_blocked_or_fraud"
    assert categorized["urgent"] is True
    assert drafted["language"] == "kk"


async def test_some_none_mode_answers_come_in_a_json_fence_and_all_parse() -> None:
    fenced = 0
    async with sdk(create_app(SimulatorConfig(seed=5))) as client:
        for number in range(60):
            content = await ask(client, messages(DRAFT_SCHEMA, f"Hello, question {number}."))
            fenced += bool(FENCE.match(content))
            jsonschema.validate(json.loads(unfenced(content)), DRAFT_SCHEMA)
    assert 3 <= fenced <= 25


async def test_a_malformed_none_mode_answer_is_broken_json() -> None:
    app = create_app(SimulatorConfig(seed=1, malformed_rate=1.0))
    async with sdk(app) as client:
        for number in range(10):
            content = await ask(client, messages(EXTRACT_SCHEMA, f"Заявка № {number}45678"))
            text = unfenced(content)
            start, end = text.find("{"), text.rfind("}")
            with pytest.raises(json.JSONDecodeError):
                json.loads(text[start : end + 1] if 0 <= start < end else text)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        log = (await http.get("http://simulator/simulator/requests")).json()
    assert log["counts"]["malformed"] == 10
    assert log["counts"]["ok"] == 0


async def test_a_prompt_without_a_schema_still_gets_plain_text() -> None:
    chat = [
        {"role": "system", "content": "Answer in JSON if you like."},
        {"role": "user", "content": "Когда вернут комиссию?"},
    ]
    async with sdk(create_app(SimulatorConfig())) as client:
        content = await ask(client, chat)
    with pytest.raises(json.JSONDecodeError):
        json.loads(unfenced(content))


async def test_a_schema_in_a_message_that_does_not_ask_for_json_is_not_followed() -> None:
    chat = [{"role": "user", "content": f"What does this mean? {json.dumps(DRAFT_SCHEMA)}"}]
    async with sdk(create_app(SimulatorConfig())) as client:
        content = await ask(client, chat)
    assert not content.lstrip().startswith(("{", "```"))


async def test_the_same_none_mode_request_gets_the_same_answer() -> None:
    chat = messages(EXTRACT_SCHEMA, "Договор KZ-77/2025-114, 150 000 тенге до 30.11.2026.")
    async with sdk(create_app(SimulatorConfig(seed=8))) as client:
        first = await ask(client, chat)
    async with sdk(create_app(SimulatorConfig(seed=8))) as client:
        second = await ask(client, chat)
    assert first == second
    answer = json.loads(unfenced(first))
    assert answer["contract_number"] == "KZ-77/2025-114"
    assert (answer["amount"], answer["currency"], answer["deadline"]) == (
        150000.0,
        "KZT",
        "2026-11-30",
    )
