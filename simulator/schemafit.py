"""What a (sub)schema allows, and whether a ready-made value fits it.

The schema generator asks :mod:`simulator.grounding` for a value taken from the user's
text before it makes one up; :func:`fits` checks that value against the property's schema
(types, ``enum``, ``const``, ``anyOf``/``oneOf``/``allOf``, string lengths, ``pattern``,
``format`` date, number bounds and ``multipleOf``), so a grounded value never breaks the schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Resolve = Callable[[dict[str, Any]], dict[str, Any]]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Shape:
    """The JSON types a schema allows and its enum values (None: no enum)."""

    types: frozenset[str]
    enum: tuple[Any, ...] | None

    @property
    def nullable(self) -> bool:
        return "null" in self.types

    def allows(self, *types: str) -> bool:
        return bool(self.types.intersection(types))


def shape(schema: dict[str, Any], resolve: Resolve) -> Shape:
    """The :class:`Shape` of a resolved schema, looking into ``anyOf``/``oneOf`` branches."""
    branches = [
        resolve(branch)
        for keyword in ("anyOf", "oneOf")
        for branch in schema.get(keyword) or []
        if isinstance(branch, dict)
    ]
    types = set(_own_types(schema))
    enum = list(schema["enum"]) if isinstance(schema.get("enum"), list) else None
    for branch in branches:
        types.update(shape(branch, resolve).types)
        if isinstance(branch.get("enum"), list):
            enum = [*(enum or []), *branch["enum"]]
    if not types and not branches:
        types.add(_default_type(schema))
    return Shape(frozenset(types), tuple(enum) if enum is not None else None)


def _own_types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(type_) for type_ in declared}
    values = schema["enum"] if isinstance(schema.get("enum"), list) else []
    if "const" in schema:
        values = [schema["const"]]
    return {_json_type(value) for value in values}


def _default_type(schema: dict[str, Any]) -> str:
    if {"properties", "additionalProperties", "required"} & schema.keys():
        return "object"
    if {"items", "prefixItems"} & schema.keys():
        return "array"
    return "string"


def fits(value: Any, schema: Any, resolve: Resolve) -> bool:
    """True when ``value`` is valid against ``schema`` (for the keywords listed above)."""
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    schema = resolve(schema)
    if "const" in schema and not _same(value, schema["const"]):
        return False
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        return False
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and not any(fits(value, b, resolve) for b in branches):
            return False
    parts = schema.get("allOf")
    if isinstance(parts, list) and not all(fits(value, part, resolve) for part in parts):
        return False
    return _type_fits(value, schema.get("type")) and _limits_fit(value, schema)


def _type_fits(value: Any, declared: Any) -> bool:
    if declared is None:
        return True
    allowed = [declared] if isinstance(declared, str) else list(declared)
    actual = _json_type(value)
    if actual == "integer" and "number" in allowed:
        return True
    if isinstance(value, float) and value.is_integer() and "integer" in allowed:
        return True
    return actual in allowed


def _limits_fit(value: Any, schema: dict[str, Any]) -> bool:
    if isinstance(value, str):
        return _string_fits(value, schema)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_fits(float(value), schema)
    return True


def _string_fits(value: str, schema: dict[str, Any]) -> bool:
    if len(value) < int(schema.get("minLength", 0)):
        return False
    if "maxLength" in schema and len(value) > int(schema["maxLength"]):
        return False
    fmt = schema.get("format")
    if fmt is not None and not (fmt == "date" and _ISO_DATE.fullmatch(value)):
        return False
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            return re.search(pattern, value) is not None
        except re.error:
            return False
    return True


def _number_fits(value: float, schema: dict[str, Any]) -> bool:
    checks: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
        ("minimum", lambda v, bound: v >= bound),
        ("maximum", lambda v, bound: v <= bound),
        ("exclusiveMinimum", lambda v, bound: v > bound),
        ("exclusiveMaximum", lambda v, bound: v < bound),
    )
    for keyword, check in checks:
        bound = _numeric(schema.get(keyword))
        if bound is not None and not check(value, bound):
            return False
    for keyword, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if schema.get(keyword) is True and _numeric(schema.get(inclusive)) == value:
            return False  # draft 4: ``true`` makes the bound exclusive
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        quotient = value / multiple
        return abs(quotient - round(quotient)) < 1e-9
    return True


def _numeric(bound: Any) -> float | None:
    numeric = isinstance(bound, int | float) and not isinstance(bound, bool)
    return float(bound) if numeric else None


def _same(value: Any, option: Any) -> bool:
    if isinstance(value, bool) or isinstance(option, bool):
        return value is option
    if isinstance(value, int | float) and isinstance(option, int | float):
        return value == option
    return type(value) is type(option) and value == option


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
