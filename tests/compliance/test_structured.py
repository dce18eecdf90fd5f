"""Structured output: the response_format per route mode and the checks on the answer."""

from __future__ import annotations

import json

import pytest

from compliance.gateway.calls import Outcome, OutputSchema
from compliance.gateway.structured import parse_answer, response_format, schema_instruction

SCHEMA = OutputSchema(
    "extract",
    "1",
    {
        "type": "object",
        "properties": {
            "client_name": {"type": "string"},
            "iin": {"type": "string", "pattern": "^[0-9]{12}$"},
            "amount": {"type": "number", "minimum": 0},
            "items": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["client_name", "iin", "amount"],
        "additionalProperties": False,
    },
)
VALID = {"client_name": "[PERSON_1]", "iin": "870412300123", "amount": 5000}


def test_json_schema_mode_asks_for_a_strict_schema() -> None:
    assert response_format("json_schema", SCHEMA) == {
        "type": "json_schema",
        "json_schema": {"name": "extract", "schema": SCHEMA.schema, "strict": True},
    }


def test_json_object_mode_sends_the_schema_alongside_json_object() -> None:
    assert response_format("json_object", SCHEMA) == {
        "type": "json_object",
        "schema": SCHEMA.schema,
    }


def test_none_mode_and_free_text_send_no_response_format() -> None:
    assert response_format("none", SCHEMA) is None
    assert response_format("json_schema", None) is None


def test_the_schema_instruction_carries_the_compact_sorted_schema() -> None:
    instruction = schema_instruction(SCHEMA)
    compact = json.dumps(SCHEMA.schema, separators=(",", ":"), sort_keys=True)
    assert instruction.endswith("\n" + compact)
    assert instruction.startswith("Answer with one JSON object only")


@pytest.mark.parametrize("mode", ["json_schema", "json_object", "none"])
@pytest.mark.parametrize(
    "content",
    [
        json.dumps(VALID),
        "```json\n" + json.dumps(VALID, indent=2) + "\n```",
        "```\n" + json.dumps(VALID) + "\n```",
        "  " + json.dumps(VALID) + "\n",
    ],
)
def test_plain_and_fenced_json_is_accepted_on_every_route(mode: str, content: str) -> None:
    assert parse_answer(content, SCHEMA, mode) == (Outcome.OK, VALID, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    [
        "Вот ответ:\n```json\n" + json.dumps(VALID) + "\n```\nЕсли нужно, уточню.",
        "The extracted data is " + json.dumps(VALID) + ". Let me know {if} anything is off.",
        "Sure {not json} here: " + json.dumps(VALID),
        json.dumps(VALID) + "\nNote: the amount is in tenge.",
    ],
)
def test_none_mode_finds_the_json_object_in_prose(content: str) -> None:
    assert parse_answer(content, SCHEMA, "none") == (Outcome.OK, VALID, None)


def test_strict_modes_refuse_prose_around_the_json() -> None:
    content = "The extracted data is " + json.dumps(VALID)
    outcome, parsed, detail = parse_answer(content, SCHEMA, "json_schema")
    assert (outcome, parsed) == (Outcome.INVALID_JSON, None)
    assert detail is not None and detail.startswith("not JSON")


@pytest.mark.parametrize("mode", ["json_schema", "none"])
@pytest.mark.parametrize(
    "content",
    ['{"client_name": "Айгерим Нурланова", "iin": "8704', "Айгерим Нурланова, 870412300123"],
)
def test_text_that_is_not_json_is_invalid_json_and_the_detail_quotes_nothing(
    mode: str, content: str
) -> None:
    outcome, parsed, detail = parse_answer(content, SCHEMA, mode)  # type: ignore[arg-type]
    assert (outcome, parsed) == (Outcome.INVALID_JSON, None)
    assert detail is not None
    assert "Нурланова" not in detail and "8704" not in detail


def test_json_that_is_not_an_object_is_invalid_json() -> None:
    assert parse_answer("[1, 2]", SCHEMA, "json_schema") == (
        Outcome.INVALID_JSON,
        None,
        "JSON list, not an object",
    )


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_no_content_is_empty(content: str | None) -> None:
    assert parse_answer(content, SCHEMA, "json_schema") == (Outcome.EMPTY, None, "empty content")


def test_schema_errors_list_paths_and_keywords_never_values() -> None:
    answer = {
        "client_name": "Айгерим Нурланова",
        "iin": "IIN 870412300123",
        "amount": -5000,
        "items": [1, "тенге", 3],
        "phone": "+7 701 123 45 67",
    }
    outcome, parsed, detail = parse_answer(json.dumps(answer), SCHEMA, "json_schema")
    assert (outcome, parsed) == (Outcome.SCHEMA_INVALID, None)
    assert detail == (
        "4 schema error(s) at / (additionalProperties), /amount (minimum), /iin (pattern), "
        "/items/1 (type)"
    )
    for value in ("Нурланова", "870412300123", "5000", "тенге", "701"):
        assert value not in detail


def test_a_missing_field_is_reported_at_its_parent() -> None:
    outcome, _, detail = parse_answer('{"client_name": "x"}', SCHEMA, "json_schema")
    assert outcome is Outcome.SCHEMA_INVALID
    assert detail == "2 schema error(s) at / (required)"


def test_many_schema_errors_are_summarised() -> None:
    schema = OutputSchema(
        "many", "1", {"type": "object", "additionalProperties": {"type": "integer"}}
    )
    answer = {f"k{i}": "x" for i in range(8)}
    _, _, detail = parse_answer(json.dumps(answer), schema, "none")
    assert detail is not None
    assert detail.startswith("8 schema error(s) at /k0 (type), ")
    assert detail.endswith(" and 3 more")
