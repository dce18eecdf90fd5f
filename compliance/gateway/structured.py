"""Structured output: asking for JSON the way each route understands, and checking the answer.

``json_schema``  the OpenAI ``response_format`` with a strict JSON Schema;
``json_object``  ``{"type": "json_object", "schema": ...}`` (llama.cpp constrains its grammar with
                 the schema; other servers ignore it) plus the schema in the system message;
``none``         no ``response_format``; the schema in the system message and the JSON found in
                 the reply (fences and prose around it are tolerated).

Validators are compiled once per schema (validate before you operate).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from compliance.gateway.calls import ModelRequest, Outcome, OutputSchema
from compliance.gateway.routes import RouteConfig, StructuredOutput

#: A whole answer wrapped in one Markdown code fence (```json ... ```).
_FENCE = re.compile(r"^```[A-Za-z]*[ \t]*\n?(.*?)\s*```$", re.DOTALL)
#: A fence anywhere in a longer answer (prose before or after it).
_FENCE_INSIDE = re.compile(r"```[A-Za-z]*[ \t]*\n(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def response_format(mode: StructuredOutput, output: OutputSchema | None) -> dict[str, Any] | None:
    if output is None or mode == "none":
        return None
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": output.name, "schema": output.schema, "strict": True},
        }
    return {"type": "json_object", "schema": output.schema}


def schema_instruction(output: OutputSchema) -> str:
    """The sentence that carries the schema inside the prompt for json_object / none routes."""
    return (
        "Answer with one JSON object only, no prose, valid against this JSON Schema:\n"
        + json.dumps(output.schema, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    )


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Draft202012Validator:
    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validator_for(output: OutputSchema) -> Draft202012Validator:
    return _validator(json.dumps(output.schema, sort_keys=True))


def _json_text(content: str) -> str:
    """The answer without a fence around the whole of it (any route may add one)."""
    text = content.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


def _first_object(text: str) -> dict[str, Any] | None:
    """The first JSON object inside prose: in a fence if there is one, else at any ``{``."""
    candidates = [m.group(1).strip() for m in _FENCE_INSIDE.finditer(text)] + [text]
    for candidate in candidates:
        start = candidate.find("{")
        while start >= 0:
            try:
                value, _ = _DECODER.raw_decode(candidate, start)
            except json.JSONDecodeError:
                pass
            else:
                if isinstance(value, dict):
                    return value
            start = candidate.find("{", start + 1)
    return None


def _load(content: str, lenient: bool) -> tuple[Any, str | None]:
    """(decoded value, None) or (None, why it is not JSON)."""
    text = _json_text(content)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        found = _first_object(text) if lenient else None
        if found is not None:
            return found, None
        return None, f"not JSON ({exc.msg} at char {exc.pos})"


def _schema_detail(errors: list[ValidationError]) -> str:
    """``N schema error(s) at /path (keyword), ...``: paths and keywords, never values."""
    where = sorted(
        {("/" + "/".join(str(part) for part in e.absolute_path), str(e.validator)) for e in errors}
    )
    shown = ", ".join(f"{path} ({keyword})" for path, keyword in where[:5])
    more = f" and {len(where) - 5} more" if len(where) > 5 else ""
    return f"{len(errors)} schema error(s) at {shown}{more}"


def parse_answer(
    content: str | None, output: OutputSchema, mode: StructuredOutput
) -> tuple[Outcome, dict[str, Any] | None, str | None]:
    """Classify an answer: (outcome, parsed object, detail). Details name paths, never values."""
    if content is None or not content.strip():
        return Outcome.EMPTY, None, "empty content"
    parsed, problem = _load(content, lenient=mode == "none")
    if problem is not None:
        return Outcome.INVALID_JSON, None, problem
    if not isinstance(parsed, dict):
        return Outcome.INVALID_JSON, None, f"JSON {type(parsed).__name__}, not an object"
    errors = list(validator_for(output).iter_errors(parsed))
    if errors:
        return Outcome.SCHEMA_INVALID, None, _schema_detail(errors)
    return Outcome.OK, parsed, None


def messages_as_sent(request: ModelRequest, route: RouteConfig) -> list[dict[str, str]]:
    """The messages of ``request`` as sent on ``route`` (the schema goes into the prompt where
    the route cannot take it as ``response_format``); token estimates are made on these."""
    messages = [dict(m) for m in request.messages]
    if request.output is not None and route.structured_output != "json_schema":
        instruction = schema_instruction(request.output)
        if messages and messages[0].get("role") == "system":
            messages[0]["content"] = messages[0]["content"] + "\n\n" + instruction
        else:
            messages.insert(0, {"role": "system", "content": instruction})
    return messages
