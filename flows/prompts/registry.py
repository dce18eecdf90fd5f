"""Versioned prompt files and their JSON Schemas, loaded and checked once.

A prompt is a TOML file in ``flows/prompts/`` (e.g. ``extract.v1.toml``)::

    step = "extract"              # extract | categorize | draft
    version = "extract.v1"        # <step>.v<N>, unique across the directory
    schema = "extract.v1.json"    # a file in flows/prompts/schemas/
    max_tokens = 400
    temperature = 0.0             # optional
    system = "..."                # static: no placeholders
    user = "... {subject} ... {body} ..."

The schema file's ``$id`` ends in its version (``urn:nightshift:schema:extract.v1``), and the
file is named after it. At load (:meth:`PromptRegistry.load`) every file is checked and a
:class:`PromptError` names the file that is wrong:

- the schema is valid JSON Schema Draft 2020-12 and fits OpenAI's strict mode: the root is an
  object, every object has ``additionalProperties: false`` and lists every property in
  ``required`` (optional values are nullable: ``"type": [..., "null"]``; a nullable ``enum``
  lists ``null``);
- templates use only :data:`PLACEHOLDERS`, plain ``{name}`` fields (no ``{0}``, ``{a.b}``,
  ``{a!r}``, ``{a:>4}``); the system message has none, so document text only ever travels in
  the user message;
- versions are unique, and a pinned version exists.

The active prompt of a step is its highest version unless one is pinned.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from compliance.gateway.calls import OutputSchema
from flows.config import STEPS
from flows.prompts.render import PLACEHOLDERS, render_values
from storage.errors import NightshiftError

if TYPE_CHECKING:  # flows.steps imports this package: no import cycle at run time
    from flows.steps.base import DocumentView

DEFAULT_DIRECTORY = Path(__file__).parent
_VERSION = re.compile(r"^(?P<step>[a-z_]+)\.v(?P<number>[1-9]\d*)$")
_SCHEMA_ID = re.compile(r"^urn:nightshift:schema:(?P<version>[a-z_]+\.v[1-9]\d*)$")
_KEYS = {"step", "version", "schema", "max_tokens", "temperature", "system", "user"}
_REQUIRED_KEYS = _KEYS - {"temperature"}
#: Keys of the schema file that are not sent to the model.
_METADATA_KEYS = ("$schema", "$id")


class PromptError(NightshiftError):
    """A prompt or schema file is wrong; the message names the file and what to fix."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Prompt:
    """One checked prompt version with its schema."""

    step: str
    version: str
    schema_version: str
    schema: Mapping[str, Any]
    max_tokens: int
    temperature: float
    system: str
    user: str
    path: Path

    @property
    def number(self) -> int:
        return int(self.version.rsplit(".v", 1)[1])

    @property
    def output_schema(self) -> OutputSchema:
        """The schema as sent: ``$schema``/``$id`` left out, named ``<step>_v<N>``."""
        wire = {k: v for k, v in self.schema.items() if k not in _METADATA_KEYS}
        return OutputSchema(self.schema_version.replace(".", "_"), self.schema_version, wire)

    def render(
        self, view: DocumentView, previous: Mapping[str, Mapping[str, Any]] | None = None
    ) -> tuple[dict[str, str], ...]:
        """The messages for one document: the static system message, then the user message."""
        values = render_values(view, previous or {})
        return (
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format_map(values)},
        )


class PromptRegistry:
    """Every prompt version in a directory; :meth:`active` picks the one a step uses."""

    def __init__(self, prompts: Mapping[str, Prompt], pinned: Mapping[str, str]) -> None:
        self._prompts = dict(prompts)
        self._pinned = dict(pinned)

    @classmethod
    def load(
        cls, directory: Path | None = None, pinned: Mapping[str, str] | None = None
    ) -> PromptRegistry:
        """Load and check every ``*.toml`` in ``directory`` (schemas in ``schemas/``)."""
        directory = directory or DEFAULT_DIRECTORY
        schemas: dict[str, tuple[str, dict[str, Any]]] = {}
        prompts: dict[str, Prompt] = {}
        for path in sorted(directory.glob("*.toml")):
            prompt = _load_prompt(path, directory / "schemas", schemas)
            if prompt.version in prompts:
                raise PromptError(
                    path,
                    f"version {prompt.version!r} is also declared by "
                    f"{prompts[prompt.version].path.name}; give each file its own version",
                )
            prompts[prompt.version] = prompt
        pinned = dict(pinned or {})
        for step, version in pinned.items():
            if version not in prompts or prompts[version].step != step:
                raise PromptError(
                    directory, f"pinned version {version!r} for step {step!r} does not exist"
                )
        return cls(prompts, pinned)

    def active(self, step: str) -> Prompt:
        """The pinned version of ``step``, else its highest version."""
        if step in self._pinned:
            return self._prompts[self._pinned[step]]
        candidates = [p for p in self._prompts.values() if p.step == step]
        if not candidates:
            raise KeyError(f"no prompt for step {step!r}; add flows/prompts/{step}.v1.toml")
        return max(candidates, key=lambda prompt: prompt.number)

    def get(self, version: str) -> Prompt:
        return self._prompts[version]

    def versions(self, step: str | None = None) -> list[str]:
        """Every loaded version (of one step), oldest first."""
        chosen = [p for p in self._prompts.values() if step is None or p.step == step]
        return [p.version for p in sorted(chosen, key=lambda p: (p.step, p.number))]


def _load_prompt(
    path: Path, schema_dir: Path, schemas: dict[str, tuple[str, dict[str, Any]]]
) -> Prompt:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PromptError(path, f"not valid TOML ({exc})") from None
    _check_keys(path, data)
    step, version = data["step"], data["version"]
    _check_template(path, "system", data["system"], allowed=frozenset())
    _check_template(path, "user", data["user"], allowed=PLACEHOLDERS)
    schema_file = data["schema"]
    if schema_file not in schemas:
        schemas[schema_file] = _load_schema(schema_dir / schema_file)
    schema_version, schema = schemas[schema_file]
    if schema_version.split(".")[0] != step:
        raise PromptError(path, f"schema {schema_file} belongs to another step than {step!r}")
    return Prompt(
        step=step,
        version=version,
        schema_version=schema_version,
        schema=schema,
        max_tokens=data["max_tokens"],
        temperature=float(data.get("temperature", 0.0)),
        system=data["system"],
        user=data["user"],
        path=path,
    )


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    """Keys, types and ranges of a prompt file."""
    missing = sorted(_REQUIRED_KEYS - data.keys())
    unknown = sorted(data.keys() - _KEYS)
    if missing or unknown:
        raise PromptError(path, f"missing keys {missing}, unknown keys {unknown}")
    for key in ("step", "version", "schema", "system", "user"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise PromptError(path, f"{key} must be a non-empty string")
    step, version, schema = data["step"], data["version"], data["schema"]
    match = _VERSION.match(version)
    if step not in STEPS or match is None or match["step"] != step:
        raise PromptError(
            path,
            f"step must be one of {', '.join(STEPS)} and version '<step>.v<N>'; "
            f"got step {step!r}, version {version!r}",
        )
    if Path(schema).name != schema or schema.startswith("."):
        raise PromptError(path, f"schema must be a file name in schemas/, got {schema!r}")
    max_tokens = data["max_tokens"]
    if (
        not isinstance(max_tokens, int)
        or isinstance(max_tokens, bool)
        or not 1 <= max_tokens <= 32_768
    ):
        raise PromptError(path, "max_tokens must be an integer between 1 and 32768")
    temperature = data.get("temperature", 0.0)
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        raise PromptError(path, "temperature must be a number between 0 and 2")


def _check_template(path: Path, key: str, template: str, *, allowed: frozenset[str]) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptError(
            path, f"{key} template is malformed ({exc}); write literal braces as {{{{ and }}}}"
        ) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            raise PromptError(
                path, f"{key} template uses unknown placeholder {{{name}}}; {_allowed(allowed)}"
            )


def _allowed(allowed: frozenset[str]) -> str:
    if not allowed:
        return "the system message takes no placeholders (document text goes in the user message)"
    return "known placeholders: " + ", ".join("{" + name + "}" for name in sorted(allowed))


def _load_schema(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(path, "schema file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PromptError(path, f"not valid JSON ({exc})") from None
    if not isinstance(schema, dict):
        raise PromptError(path, "a schema must be a JSON object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        at = "/".join(str(p) for p in exc.path) or "(root)"
        raise PromptError(
            path, f"not a valid Draft 2020-12 schema at {at}: {exc.message}"
        ) from None
    match = _SCHEMA_ID.match(str(schema.get("$id", "")))
    if match is None or path.name != f"{match['version']}.json":
        raise PromptError(
            path,
            "$id must be 'urn:nightshift:schema:<step>.v<N>' and the file named '<step>.v<N>.json'",
        )
    if schema.get("type") != "object":
        raise PromptError(path, "the root of a schema must be an object (strict mode)")
    problem = strict_mode_problem(schema)
    if problem is not None:
        raise PromptError(path, problem)
    return match["version"], schema


def strict_mode_problem(schema: Any, at: str = "") -> str | None:
    """The first place where ``schema`` breaks OpenAI strict mode, or None."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            problem = strict_mode_problem(item, f"{at}/{index}")
            if problem:
                return problem
        return None
    if not isinstance(schema, dict):
        return None
    problem = _object_problem(schema, at) or _nullable_enum_problem(schema, at)
    if problem:
        return problem
    for key in ("properties", "$defs", "definitions"):
        for name, sub in (schema.get(key) or {}).items():
            problem = strict_mode_problem(sub, f"{at}/{key}/{name}")
            if problem:
                return problem
    for key in ("items", "prefixItems", "anyOf", "allOf", "oneOf"):
        if key in schema:
            problem = strict_mode_problem(schema[key], f"{at}/{key}")
            if problem:
                return problem
    return None


def _object_problem(schema: dict[str, Any], at: str) -> str | None:
    types = schema.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    if not is_object and "properties" not in schema:
        return None
    where = at or "(root)"
    if schema.get("additionalProperties") is not False:
        return f"object at {where} must set additionalProperties: false (strict mode)"
    properties = set(schema.get("properties") or {})
    required = set(schema.get("required") or [])
    if properties != required:
        missing = ", ".join(sorted(properties - required)) or "-"
        return (
            f"object at {where} must list every property in required (strict mode); "
            f"not required: {missing}; make optional values nullable instead"
        )
    return None


def _nullable_enum_problem(schema: dict[str, Any], at: str) -> str | None:
    types = schema.get("type")
    if (
        isinstance(types, list)
        and "null" in types
        and "enum" in schema
        and None not in schema["enum"]
    ):
        return f"nullable enum at {at or '(root)'} must list null among its values"
    return None
