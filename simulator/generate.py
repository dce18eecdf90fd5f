"""What the simulator answers: plain text, JSON following a schema, or a generic JSON object.

The content is deterministic for (seed, model, messages, response_format): the generator is
seeded with a SHA-256 of those. The language follows the last user message: a stated
``Customer's language: kk`` line, else the language of its document part
(:mod:`simulator.document`).

Which JSON Schema is followed:

- ``{"type": "json_schema", "json_schema": {"schema": {...}}}``: that schema (OpenAI);
- ``{"type": "json_object", "schema": {...}}``: that schema (llama.cpp's extension);
- ``{"type": "json_object"}``: the first JSON Schema found in the messages, i.e. the outermost
  balanced ``{...}`` that parses as JSON and holds an object-valued ``"properties"``; without
  one, a generic object ``{"answer", "language", "confidence", "simulated"}``;
- no ``response_format`` (or ``{"type": "text"}``): like an instruction-following model, JSON
  following the first JSON Schema in a message that mentions JSON (nightshift's ``none`` route
  mode: "Answer with one JSON object only, …"), wrapped in a ```` ```json ```` fence
  :data:`FENCE_SHARE` of the time; plain text when no message carries a schema.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from simulator.chat import BadRequest, ChatRequest
from simulator.document import document_part, prompt_language
from simulator.language import Language, phrase, plain_reply
from simulator.schemagen import SchemaError, SchemaGenerator

#: Share of JSON answers without ``response_format`` that come in a Markdown ``json`` fence.
FENCE_SHARE = 0.2
_MENTIONS_JSON = re.compile(r"json", re.IGNORECASE)


@dataclass(frozen=True)
class Content:
    """Generated assistant content and whether JSON was asked for."""

    text: str
    is_json: bool


def answer_content(request: ChatRequest, seed: int) -> Content:
    """The answer to ``request``; raise :class:`BadRequest` for a schema it cannot follow."""
    rng = random.Random(_request_digest(request, seed))
    language = prompt_language(request.last_user_text())
    response_format = request.response_format
    if response_format is None or response_format.type == "text":
        return _instructed_answer(request, rng, language)
    schema = requested_schema(request)
    if schema is None or not schema:
        return Content(_dumps(generic_object(rng, language)), is_json=True)
    try:
        value = _generate(request, schema, rng, language)
    except SchemaError as exc:
        raise BadRequest(f"Invalid schema for response_format: {exc}", "response_format") from None
    return Content(_dumps(value), is_json=True)


def _instructed_answer(request: ChatRequest, rng: random.Random, language: Language) -> Content:
    """Without ``response_format``: JSON when a message asks for it with a schema, else text."""
    schema = instructed_schema(request)
    if schema is None:
        return Content(plain_reply(rng, language), is_json=False)
    try:
        value = _generate(request, schema, rng, language)
    except SchemaError:
        value = generic_object(rng, language)
    text = _dumps(value)
    if rng.random() < FENCE_SHARE:
        text = f"```json\n{text}\n```"
    return Content(text, is_json=True)


def _generate(
    request: ChatRequest, schema: dict[str, Any], rng: random.Random, language: Language
) -> Any:
    document = document_part(request.last_user_text())
    return SchemaGenerator(schema, rng, language, request.user_text(), document).generate()


def instructed_schema(request: ChatRequest) -> dict[str, Any] | None:
    """The first JSON Schema in a message that also mentions JSON (an instruction to follow)."""
    for message in request.messages:
        text = message.text()
        if _MENTIONS_JSON.search(text):
            found = find_schema(text)
            if found is not None:
                return found
    return None


def requested_schema(request: ChatRequest) -> dict[str, Any] | None:
    """The JSON Schema the answer must follow, or None for free-form JSON."""
    response_format = request.response_format
    if response_format is None:
        return None
    if response_format.json_schema is not None:
        return response_format.json_schema.schema_ or {}
    if response_format.schema_ is not None:
        return response_format.schema_
    for message in request.messages:
        found = find_schema(message.text())
        if found is not None:
            return found
    return None


def generic_object(rng: random.Random, language: Language) -> dict[str, Any]:
    return {
        "answer": phrase(rng, language),
        "language": language,
        "confidence": round(rng.uniform(0.5, 0.99), 2),
        "simulated": True,
    }


def find_schema(text: str) -> dict[str, Any] | None:
    """The first JSON Schema object embedded in ``text`` (searched outermost first)."""
    for candidate in _json_objects(text):
        found = _schema_within(candidate)
        if found is not None:
            return found
    return None


def _schema_within(value: Any) -> dict[str, Any] | None:
    children: Iterable[Any]
    if isinstance(value, dict):
        if isinstance(value.get("properties"), dict):
            return value
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _schema_within(child)
        if found is not None:
            return found
    return None


def _json_objects(text: str) -> Iterator[Any]:
    start = text.find("{")
    while start != -1:
        end = _balanced_end(text, start)
        parsed = _loads_or_none(text[start:end]) if end is not None else None
        if parsed is not None and end is not None:
            yield parsed
            start = text.find("{", end)
        else:
            start = text.find("{", start + 1)


def _loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _balanced_end(text: str, start: int) -> int | None:
    """Index after the ``}`` closing the ``{`` at ``start`` (JSON strings respected)."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _request_digest(request: ChatRequest, seed: int) -> int:
    material = {
        "seed": seed,
        "model": request.model,
        "messages": [message.model_dump(mode="json") for message in request.messages],
        "response_format": request.response_format.model_dump(mode="json", by_alias=True)
        if request.response_format
        else None,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest()[:8], "big")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
