"""Schema-driven JSON generator: a value valid against a (practical) JSON Schema.

Supported: ``type`` (also lists, incl. ``"null"``), ``enum``, ``const``, ``object``
(``properties``, ``required``, ``additionalProperties``, ``minProperties``), ``string``
(``minLength``, ``maxLength``, ``format`` date, date-time, time, email, uuid, uri), ``number``
and ``integer`` (``minimum``, ``maximum``, exclusive bounds, ``multipleOf``), ``boolean``,
``array`` (``items``, ``prefixItems``, ``minItems``, ``maxItems``, ``uniqueItems``), ``anyOf``,
``oneOf``, ``allOf`` (merged), and ``$ref`` to ``#/$defs/…``, ``#/definitions/…`` or ``#``.
Not supported: ``pattern``, ``not``, ``if``/``then``, ``dependentSchemas``.

Values are plausible rather than random noise. First, a named property gets a *grounded* value
when :mod:`simulator.grounding` has one that fits its schema: the request's language
for ``language``; for the seven nightshift categories a keyword-grounded ``category``,
``alternative_category``, ``department``, ``confidence``, ``two_topics`` and ``urgent``;
identifiers (``*_number``), ``amount``/``currency``, ``deadline``/``*date*`` and ``[PERSON_1]``
placeholders (``customer_name``) copied from the user's text, else null, never invented;
``reply``/``draft`` as 1–3 bland sentences without digits; other nullable strings mostly null.
Otherwise: an enum value that literally appears in the user's text is chosen; strings are short
phrases in the request's language, with hints from the property name (``email``, ``phone``,
``date``, ``name``, ``summary`` …); a nullable value is null about a quarter of the time.
Below depth 6 only what is required is generated (nulls where allowed, ``minItems`` items,
required properties), so recursive schemas end. Everything comes from the ``rng`` passed in.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from simulator.grounding import MISSING, FieldGrounder, name_words
from simulator.language import Language, person_name, phrase, sentence
from simulator.schemafit import fits, shape

NULL_PROBABILITY = 0.25
OPTIONAL_PROBABILITY = 0.6
MAX_DEPTH = 6
HARD_DEPTH = 64
_FREE_TEXT = frozenset(
    ("summary", "reason", "explanation", "comment", "text", "reply", "draft", "body", "message")
)


class SchemaError(ValueError):
    """The schema cannot be followed (for example an unresolvable ``$ref``)."""


class SchemaGenerator:
    """Generates one value for ``root``; deterministic for a given ``rng`` state."""

    def __init__(
        self,
        root: dict[str, Any],
        rng: random.Random,
        language: Language,
        user_text: str,
        document: str | None = None,
    ) -> None:
        """``user_text`` is where facts are copied from; ``document`` (default: the same) is
        what the categories and urgency are read from."""
        self._root = root
        self._rng = rng
        self._language = language
        self._user_text = user_text
        document = user_text if document is None else document
        self._grounder = FieldGrounder(rng, language, user_text, document)

    def generate(self) -> Any:
        return self._value(self._root, 0, "")

    def _value(self, schema: Any, depth: int, name: str) -> Any:
        if depth > HARD_DEPTH:
            raise SchemaError(f"schema nests deeper than {HARD_DEPTH} levels (endless $ref?)")
        if schema is True or schema == {}:
            return phrase(self._rng, self._language)
        if not isinstance(schema, dict):
            raise SchemaError(f"expected a schema object, got {schema!r}")
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        grounded = self._grounded(schema, name)
        if grounded is not MISSING:
            return grounded
        if "enum" in schema:
            return self._enum(schema["enum"])
        if "allOf" in schema:
            return self._value(_merge_all(schema), depth + 1, name)
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return self._value(self._branch(schema, keyword, depth), depth + 1, name)
        return self._typed(schema, self._pick_type(schema, depth), depth, name)

    def _typed(self, schema: dict[str, Any], type_: str, depth: int, name: str) -> Any:
        makers: dict[str, Callable[[], Any]] = {
            "null": lambda: None,
            "boolean": lambda: self._rng.random() < 0.5,
            "object": lambda: self._object(schema, depth),
            "array": lambda: self._array(schema, depth, name),
            "integer": lambda: self._integer(schema, name),
            "number": lambda: self._number(schema, name),
            "string": lambda: self._string(schema, name),
        }
        maker = makers.get(type_)
        if maker is None:
            raise SchemaError(f"unknown type {type_!r}")
        return maker()

    def _grounded(self, schema: dict[str, Any], name: str) -> Any:
        if not name:
            return MISSING
        value = self._grounder.value(name, shape(schema, self._resolve), schema)
        return value if value is not MISSING and fits(value, schema, self._resolve) else MISSING

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        for _ in range(32):
            ref = schema.get("$ref")
            if ref is None:
                return schema
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**self._lookup(ref), **siblings}
        raise SchemaError("$ref chain too long (a $ref cycle?)")

    def _lookup(self, ref: object) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SchemaError(f"only local $ref ('#/...') is supported, got {ref!r}")
        node: Any = self._root
        for raw in [part for part in ref[1:].split("/") if part]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SchemaError(f"cannot resolve $ref {ref!r}")
            node = node[part]
        if not isinstance(node, dict):
            raise SchemaError(f"$ref {ref!r} does not point at a schema object")
        return node

    def _enum(self, values: list[Any]) -> Any:
        if not values:
            raise SchemaError("enum must not be empty")
        mentioned = [
            value
            for value in values
            if isinstance(value, str)
            and value
            and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", self._user_text, re.IGNORECASE)
        ]
        if mentioned:
            return max(mentioned, key=len)
        return self._rng.choice(values)

    def _branch(self, schema: dict[str, Any], keyword: str, depth: int) -> dict[str, Any]:
        branches = schema[keyword]
        if not isinstance(branches, list) or not branches:
            raise SchemaError(f"{keyword} must be a non-empty list")
        nulls = [branch for branch in branches if _is_null_schema(branch)]
        others = [branch for branch in branches if not _is_null_schema(branch)]
        wants_null = depth >= MAX_DEPTH or self._rng.random() < NULL_PROBABILITY
        chosen = nulls[0] if nulls and (wants_null or not others) else self._rng.choice(others)
        siblings = {key: value for key, value in schema.items() if key != keyword}
        return {**siblings, **chosen} if isinstance(chosen, dict) else chosen

    def _pick_type(self, schema: dict[str, Any], depth: int) -> str:
        declared = schema.get("type")
        if isinstance(declared, str):
            return declared
        if isinstance(declared, list) and declared:
            others = [type_ for type_ in declared if type_ != "null"]
            wants_null = depth >= MAX_DEPTH or self._rng.random() < NULL_PROBABILITY
            if "null" in declared and (wants_null or not others):
                return "null"
            return str(self._rng.choice(others))
        if {"properties", "additionalProperties", "required"} & schema.keys():
            return "object"
        if {"items", "prefixItems"} & schema.keys():
            return "array"
        return "string"

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        extra = schema.get("additionalProperties", True)
        deep = depth >= MAX_DEPTH
        result: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or (not deep and self._rng.random() < OPTIONAL_PROBABILITY):
                result[name] = self._value(sub, depth + 1, name)
        extra_schema = extra if isinstance(extra, dict) else {"type": "string"}
        for name in required:
            if name not in result:
                result[name] = self._value(extra_schema, depth + 1, name)
        wanted = int(schema.get("minProperties", 0))
        if not properties and isinstance(extra, dict) and not deep:
            wanted = max(wanted, self._rng.randint(1, 2))
        for name, sub in properties.items():
            if len(result) < wanted and name not in result:
                result[name] = self._value(sub, depth + 1, name)
        index = 1
        while len(result) < wanted and extra is not False:
            result.setdefault(f"field_{index}", self._value(extra_schema, depth + 1, ""))
            index += 1
        return result

    def _array(self, schema: dict[str, Any], depth: int, name: str) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = max(low, int(schema.get("maxItems", low + 3)))
        count = low if depth >= MAX_DEPTH else self._rng.randint(low, min(high, max(low, 1) + 2))
        items = schema.get("items", {})
        prefix = schema.get("prefixItems") or (items if isinstance(items, list) else [])
        rest = items if isinstance(items, dict) else {}
        values: list[Any] = []
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else rest
            value = self._value(sub, depth + 1, name)
            for _ in range(5):
                if not schema.get("uniqueItems") or value not in values:
                    break
                value = self._value(sub, depth + 1, name)
            values.append(value)
        return values

    def _integer(self, schema: dict[str, Any], name: str) -> int:
        low, high = _bounds(schema, name, integer=True)
        first, last = math.ceil(low), math.floor(high)
        if _exclusive(schema, "exclusiveMinimum") and first == low:
            first += 1
        if _exclusive(schema, "exclusiveMaximum") and last == high:
            last -= 1
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int) and multiple > 0:
            steps = (math.ceil(first / multiple), math.floor(last / multiple))
            return self._rng.randint(steps[0], max(steps)) * multiple
        return self._rng.randint(first, max(first, last))

    def _number(self, schema: dict[str, Any], name: str) -> float:
        low, high = _bounds(schema, name, integer=False)
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int | float) and multiple > 0:
            first, last = math.ceil(low / multiple), math.floor(high / multiple)
            return round(self._rng.randint(first, max(first, last)) * multiple, 10)
        value = round(self._rng.uniform(low, high), 2)
        above_low = value > low or (value == low and not _exclusive(schema, "exclusiveMinimum"))
        below_high = value < high or (value == high and not _exclusive(schema, "exclusiveMaximum"))
        return value if above_low and below_high else (low + high) / 2

    def _string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt](self._rng)
        text = self._hinted(name) or phrase(self._rng, self._language)
        low = int(schema.get("minLength", 0))
        while len(text) < low:
            text += " " + phrase(self._rng, self._language, words=1).lower()
        if "maxLength" in schema:
            text = text[: int(schema["maxLength"])].rstrip()
        return text.ljust(low, "x")

    def _hinted(self, name: str) -> str | None:
        rng, words = self._rng, name_words(name)
        if "email" in words or "mail" in words:
            return _email(rng)
        if "phone" in words or "telephone" in words:
            return f"+7 70{rng.randint(0, 8)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        if words & {"iin", "bin"}:
            return "".join(str(rng.randint(0, 9)) for _ in range(12))
        if words & {"at", "datetime", "timestamp"}:
            return _date_time(rng)
        if "date" in words:
            return _date(rng)
        if "currency" in words:
            return rng.choice(("KZT", "USD", "EUR"))
        if "name" in words:
            return person_name(rng, self._language)
        if words & _FREE_TEXT:
            return sentence(rng, self._language)
        return None


def _bounds(schema: dict[str, Any], name: str, *, integer: bool) -> tuple[float, float]:
    low = _limit(schema, "minimum", "exclusiveMinimum")
    high = _limit(schema, "maximum", "exclusiveMaximum")
    if any(word in name.lower() for word in ("confidence", "score", "probability", "ratio")):
        default = (0.0, 100.0) if integer else (0.0, 1.0)
    elif any(word in name.lower() for word in ("amount", "sum", "price", "total")):
        default = (1000.0, 500000.0)
    else:
        default = (0.0, 100.0) if integer else (0.0, 1000.0)
    span = default[1] - default[0]
    if low is None and high is None:
        return default
    if low is None:
        assert high is not None
        return min(default[0], high - span), high
    if high is None:
        return low, max(default[1], low + span)
    return low, max(low, high)


def _limit(schema: dict[str, Any], inclusive: str, exclusive: str) -> float | None:
    value = schema.get(exclusive)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    value = schema.get(inclusive)
    return float(value) if isinstance(value, int | float) else None


def _exclusive(schema: dict[str, Any], keyword: str) -> bool:
    """True for a numeric bound (draft 6+) or ``true`` (draft 4)."""
    return schema.get(keyword) not in (None, False)


def _merge_all(schema: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in schema["allOf"]:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _is_null_schema(schema: object) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    return f"{rng.randint(8, 19):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"


def _date_time(rng: random.Random) -> str:
    return f"{_date(rng)}T{_time(rng)}+05:00"


def _email(rng: random.Random) -> str:
    return f"client{rng.randint(100, 999)}@example.kz"


def _uuid(rng: random.Random) -> str:
    digits = f"{rng.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-a{digits[17:20]}-{digits[20:]}"


_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date": _date,
    "date-time": _date_time,
    "time": _time,
    "email": _email,
    "uuid": _uuid,
    "uri": lambda rng: f"https://example.kz/documents/{rng.randint(1000, 9999)}",
}
