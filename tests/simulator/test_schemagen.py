"""The schema-driven generator produces values valid against the schema, plausibly."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest

from simulator.schemagen import SchemaError, SchemaGenerator

SCHEMAS: dict[str, dict[str, Any]] = {
    "extraction": {
        "type": "object",
        "properties": {
            "client_name": {"type": ["string", "null"]},
            "iin": {"type": "string", "minLength": 12, "maxLength": 12},
            "contract_date": {"type": "string", "format": "date"},
            "received_at": {"type": "string", "format": "date-time"},
            "amount": {"type": "number", "minimum": 0, "maximum": 1_000_000},
            "currency": {"enum": ["KZT", "USD", "EUR"]},
            "urgent": {"type": "boolean"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["client_name", "iin", "amount", "currency", "urgent", "confidence"],
        "additionalProperties": False,
    },
    "refs_and_unions": {
        "$defs": {
            "party": {
                "type": "object",
                "properties": {
                    "role": {"const": "borrower"},
                    "email": {"type": "string", "format": "email"},
                    "phone": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
                "required": ["role", "email", "phone"],
                "additionalProperties": False,
            }
        },
        "type": "object",
        "properties": {
            "parties": {"type": "array", "items": {"$ref": "#/$defs/party"}, "minItems": 1},
            "kind": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "boolean"}]},
            "note": {"type": ["string", "null"], "maxLength": 20},
        },
        "required": ["parties", "kind", "note"],
    },
    "recursive_tree": {
        "$ref": "#/definitions/node",
        "definitions": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/definitions/node"}},
                },
                "required": ["name", "children"],
            }
        },
    },
    "numbers": {
        "type": "object",
        "properties": {
            "exclusive": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "stepped": {"type": "integer", "minimum": 10, "maximum": 100, "multipleOf": 5},
            "negative": {"type": "integer", "maximum": -5},
            "tight": {"type": "integer", "minimum": 7, "maximum": 7},
        },
        "required": ["exclusive", "stepped", "negative", "tight"],
    },
    "arrays_and_maps": {
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "string", "minLength": 3},
                "minItems": 2,
                "maxItems": 4,
            },
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
            "unique": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 1000},
                "uniqueItems": True,
            },
            "scores": {"type": "object", "additionalProperties": {"type": "number"}},
        },
        "required": ["tags", "pair", "unique", "scores"],
        "minProperties": 4,
    },
    "all_of": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "integer"}}, "required": ["b"]},
        ]
    },
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("seed", range(15))
def test_generated_values_validate_against_their_schema(name: str, seed: int) -> None:
    schema = SCHEMAS[name]
    value = SchemaGenerator(schema, random.Random(seed), "en", "").generate()
    jsonschema.validate(value, schema)


def test_the_same_seed_gives_the_same_value() -> None:
    schema = SCHEMAS["extraction"]
    first = SchemaGenerator(schema, random.Random(42), "ru", "").generate()
    second = SchemaGenerator(schema, random.Random(42), "ru", "").generate()
    assert first == second


def test_an_enum_value_written_in_the_user_text_is_chosen() -> None:
    schema = {"type": "string", "enum": ["card_block", "loan_request", "complaint"]}
    text = "Клиент пишет: это complaint по поводу комиссии."
    picks = {
        SchemaGenerator(schema, random.Random(seed), "ru", text).generate() for seed in range(20)
    }
    assert picks == {"complaint"}


def test_strings_follow_the_language_of_the_request() -> None:
    schema = {"type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]}
    russian = SchemaGenerator(schema, random.Random(1), "ru", "").generate()["topic"]
    english = SchemaGenerator(schema, random.Random(1), "en", "").generate()["topic"]
    assert any("\u0400" <= char <= "\u04ff" for char in russian)
    assert english.isascii()


def test_a_nullable_string_is_sometimes_null_and_sometimes_text() -> None:
    schema = {"type": ["string", "null"]}
    values = [
        SchemaGenerator(schema, random.Random(seed), "en", "").generate() for seed in range(40)
    ]
    assert None in values
    assert any(isinstance(value, str) for value in values)


def test_an_unresolvable_ref_is_a_schema_error() -> None:
    schema = {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}, "required": ["x"]}
    with pytest.raises(SchemaError, match="missing"):
        SchemaGenerator(schema, random.Random(0), "en", "").generate()
