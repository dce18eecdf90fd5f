"""Structured output per route mode, asserted on the request bodies the provider received."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from compliance.gateway.calls import ModelRequest, Outcome, OutputSchema
from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig, StructuredOutput
from compliance.gateway.structured import schema_instruction

SCHEMA = OutputSchema(
    "extract",
    "2",
    {
        "type": "object",
        "properties": {"amount": {"type": "number"}, "currency": {"enum": ["KZT", "USD"]}},
        "required": ["amount", "currency"],
        "additionalProperties": False,
    },
)
SYSTEM = {"role": "system", "content": "Extract the payment."}
USER = {"role": "user", "content": "Списали 5000 тенге дважды"}
ANSWER = {"amount": 5000, "currency": "KZT"}


def completion(content: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


async def exchange(
    mode: StructuredOutput,
    content: str,
    messages: tuple[dict[str, str], ...] = (SYSTEM, USER),
    output: OutputSchema | None = SCHEMA,
) -> tuple[dict[str, Any], Any]:
    """Make one call on a route in ``mode``; return (body the provider received, response)."""
    bodies: list[dict[str, Any]] = []

    def provider(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return httpx2.Response(200, json=completion(content))

    route = RouteConfig(
        base_url="http://provider.test/v1", model="m", region="KZ", structured_output=mode
    )
    request = ModelRequest("extract", "extract.v1", messages, output=output)
    retry = RetryPolicy(max_attempts=1, content_retries=0)
    async with Gateway.unguarded_for_tests(
        {"r": route}, {"r": "k"}, retry=retry, transport=httpx2.MockTransport(provider)
    ) as gateway:
        response = await gateway.call(request, "r")
    assert len(bodies) == 1
    return bodies[0], response


async def test_json_schema_routes_send_a_strict_json_schema_and_leave_the_prompt_alone() -> None:
    body, response = await exchange("json_schema", json.dumps(ANSWER))
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "extract", "schema": SCHEMA.schema, "strict": True},
    }
    assert body["messages"] == [SYSTEM, USER]
    assert response.parsed == ANSWER


async def test_json_object_routes_send_the_schema_in_response_format_and_the_prompt() -> None:
    body, response = await exchange("json_object", json.dumps(ANSWER))
    assert body["response_format"] == {"type": "json_object", "schema": SCHEMA.schema}
    system = body["messages"][0]
    assert system["role"] == "system"
    assert system["content"] == SYSTEM["content"] + "\n\n" + schema_instruction(SCHEMA)
    assert body["messages"][1:] == [USER]
    assert response.parsed == ANSWER


async def test_none_routes_send_no_response_format_and_add_a_system_message_when_missing() -> None:
    body, response = await exchange("none", json.dumps(ANSWER), messages=(USER,))
    assert "response_format" not in body
    assert body["messages"] == [
        {"role": "system", "content": schema_instruction(SCHEMA)},
        USER,
    ]
    assert response.parsed == ANSWER


@pytest.mark.parametrize(
    "content",
    [
        '```json\n{"amount": 5000, "currency": "KZT"}\n```',
        'Here is the result:\n```json\n{"amount": 5000, "currency": "KZT"}\n```\nAnything else?',
        'Sure! {"amount": 5000, "currency": "KZT"} — hope this helps {:',
        '{"amount": 5000, "currency": "KZT"}\nThe amount was charged twice.',
    ],
)
async def test_none_routes_find_the_json_inside_fences_and_prose(content: str) -> None:
    _, response = await exchange("none", content)
    assert response.outcome is Outcome.OK
    assert response.parsed == ANSWER


async def test_strict_routes_do_not_dig_json_out_of_prose() -> None:
    _, response = await exchange("json_schema", 'Sure! {"amount": 5000, "currency": "KZT"}')
    assert response.outcome is Outcome.INVALID_JSON


async def test_a_request_without_a_schema_sends_no_response_format_on_any_route() -> None:
    for mode in ("json_schema", "json_object", "none"):
        body, response = await exchange(mode, "Добрый день!", output=None)
        assert "response_format" not in body
        assert body["messages"] == [SYSTEM, USER]
        assert response.content == "Добрый день!"


async def test_messages_for_is_what_the_provider_receives() -> None:
    route = RouteConfig(base_url="http://p/v1", model="m", region="KZ", structured_output="none")
    request = ModelRequest("extract", "extract.v1", (SYSTEM, USER), output=SCHEMA)
    gateway = Gateway.unguarded_for_tests({"r": route}, {"r": "k"})
    try:
        expected = gateway.messages_for(request, route)
    finally:
        await gateway.aclose()
    body, _ = await exchange("none", json.dumps(ANSWER))
    assert body["messages"] == expected
    assert request.messages == (SYSTEM, USER)  # the request itself is not changed
