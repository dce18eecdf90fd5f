"""Chat completions of the simulator, seen through the official openai SDK."""

from __future__ import annotations

import json
import math
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

CLASSIFY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "enum": ["card_block", "loan_request", "complaint"]},
        "summary": {"type": "string", "maxLength": 120},
        "client_name": {"type": ["string", "null"]},
        "due_date": {"type": "string", "format": "date"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "documents": {"type": "array", "items": {"$ref": "#/$defs/doc"}, "maxItems": 3},
    },
    "required": ["category", "summary", "client_name", "due_date", "confidence", "documents"],
    "additionalProperties": False,
    "$defs": {
        "doc": {
            "type": "object",
            "properties": {"kind": {"type": "string"}, "pages": {"type": "integer", "minimum": 1}},
            "required": ["kind", "pages"],
            "additionalProperties": False,
        }
    },
}


@asynccontextmanager
async def sdk(app: FastAPI, api_key: str = "route-key") -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key=api_key, max_retries=0, http_client=http
        )


def user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


def estimate(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / 4)


async def test_a_json_schema_answer_validates_against_the_schema() -> None:
    async with sdk(create_app(SimulatorConfig(seed=3))) as client:
        completion = await client.chat.completions.create(
            model="small-model",
            messages=user("Клиент просит card_block: карта утеряна вчера."),
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "classify", "schema": CLASSIFY_SCHEMA, "strict": True},
            },
        )
    answer = json.loads(completion.choices[0].message.content or "")
    jsonschema.validate(answer, CLASSIFY_SCHEMA)
    assert answer["category"] == "card_block"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.object == "chat.completion"


async def test_json_object_with_a_schema_follows_that_schema() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"route": {"enum": ["cards", "loans"]}, "score": {"type": "integer"}},
        "required": ["route", "score"],
    }
    llama_cpp_style: Any = {"type": "json_object", "schema": schema}
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(
            model="simulator", messages=user("route this"), response_format=llama_cpp_style
        )
    jsonschema.validate(json.loads(completion.choices[0].message.content or ""), schema)


async def test_json_object_follows_a_schema_written_in_the_prompt() -> None:
    schema = {
        "type": "object",
        "properties": {"verdict": {"enum": ["approve", "reject"]}, "reason": {"type": "string"}},
        "required": ["verdict", "reason"],
        "additionalProperties": False,
    }
    system = f"Answer with JSON matching this schema: {json.dumps(schema)} and nothing else."
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(
            model="simulator",
            messages=[{"role": "system", "content": system}, *user("Please reject it.")],
            response_format={"type": "json_object"},
        )
    answer = json.loads(completion.choices[0].message.content or "")
    jsonschema.validate(answer, schema)
    assert answer["verdict"] == "reject"


async def test_json_object_without_any_schema_is_a_generic_object() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(
            model="simulator",
            messages=user("hello {not json}"),
            response_format={"type": "json_object"},
        )
    answer = json.loads(completion.choices[0].message.content or "")
    assert isinstance(answer, dict)
    assert answer["simulated"] is True


async def test_plain_text_is_russian_for_a_russian_question_and_usage_is_counted() -> None:
    messages: list[Any] = [
        {"role": "system", "content": "You are a bank assistant."},
        {"role": "user", "content": "Здравствуйте, когда вернут комиссию?"},
    ]
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(model="strong-model", messages=messages)
    content = completion.choices[0].message.content or ""
    assert any("\u0400" <= char <= "\u04ff" for char in content)
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == sum(estimate(m["content"]) + 4 for m in messages)
    assert completion.usage.completion_tokens == estimate(content)
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + estimate(content)


async def test_plain_text_is_english_for_an_english_question() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(
            model="strong-model", messages=user("When will my refund arrive?")
        )
    assert (completion.choices[0].message.content or "").isascii()


async def test_max_tokens_truncates_the_answer_with_finish_reason_length() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        completion = await client.chat.completions.create(
            model="small-model", messages=user("Tell me everything."), max_completion_tokens=5
        )
    assert completion.choices[0].finish_reason == "length"
    assert len((completion.choices[0].message.content or "").encode("utf-8")) <= 20
    assert completion.usage is not None
    assert completion.usage.completion_tokens <= 5


async def test_the_same_request_gets_the_same_answer_for_the_same_seed() -> None:
    request: dict[str, Any] = {"model": "small-model", "messages": user("Статус заявки?")}
    async with sdk(create_app(SimulatorConfig(seed=9))) as client:
        first = await client.chat.completions.create(**request)
    async with sdk(create_app(SimulatorConfig(seed=9))) as client:
        second = await client.chat.completions.create(**request)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.id == second.id


async def test_streaming_is_refused_with_a_clear_openai_error() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.chat.completions.create(
                model="small-model", messages=user("hi"), stream=True
            )
    assert caught.value.status_code == 400
    assert "streaming is not supported by the nightshift simulator" in caught.value.message.lower()
    assert caught.value.param == "stream"


async def test_a_request_without_messages_is_a_400_in_openai_error_shape() -> None:
    app = create_app(SimulatorConfig())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        response = await http.post(
            "http://simulator/v1/chat/completions", json={"model": "small-model", "messages": []}
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == "messages"


async def test_a_schema_with_a_dangling_ref_is_refused_as_a_bad_request() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"x": {"$ref": "#/$defs/nope"}},
        "required": ["x"],
    }
    async with sdk(create_app(SimulatorConfig())) as client:
        with pytest.raises(openai.BadRequestError, match="nope"):
            await client.chat.completions.create(
                model="small-model",
                messages=user("hi"),
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": schema},
                },
            )


async def test_models_are_listed_as_owned_by_the_simulator() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        response = await client.models.with_raw_response.list()
    models = response.parse()
    assert {model.id for model in models.data} >= {"small-model", "strong-model", "simulator"}
    assert {model.owned_by for model in models.data} == {"nightshift-simulator"}
    assert response.headers["x-nightshift-simulator"] == "1"


async def test_every_answer_has_a_request_id_header() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        response = await client.chat.completions.with_raw_response.create(
            model="any-model-id-at-all", messages=user("hi")
        )
    assert response.headers["x-request-id"].startswith("req_")
    assert response.parse().model == "any-model-id-at-all"
