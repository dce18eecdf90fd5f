"""Grounded values: what an instruction-following model would put in a field, from the text.

:class:`SchemaGenerator <simulator.schemagen.SchemaGenerator>` asks
:meth:`FieldGrounder.value` first for every named property and keeps the answer when it fits
the property's schema (:func:`simulator.schemafit.fits`); otherwise it makes a value
up as before. By property name (``customerName`` = ``customer_name``) and schema:

- ``language``/``lang``/``locale`` → the request's language when the enum allows it;
- an enum holding the seven nightshift categories → the keyword-grounded category
  (:mod:`simulator.categories`), else a seeded one; ``alternative_*``/``second*`` →
  the runner-up category (score ≥ 2), else mostly null; ``department`` → the department of
  that category (null for ``no_reply_needed``);
- ``confidence``/``probability`` → mostly 0.75–0.98, a seeded ~8 % below 0.6 (half of them
  when no keyword grounds the category), ×100 for an integer or a 0–100 scale;
- booleans: ``two_topics`` → two categories match strongly; ``urgent`` → urgency words;
- ``*_number`` → an identifier copied from the text (a request or a contract one, by the name;
  :func:`simulator.textfacts.identifier`), else null: never invented when null is allowed;
- ``amount``/``sum``/``total`` → the first amount next to a currency; ``currency`` → its code;
- ``deadline``/``due*`` → a date written as a deadline; other ``*date*`` → the first date
  (ISO ``YYYY-MM-DD``); null when there is none;
- ``*name`` (a person's) → the first ``[PERSON_1]``-style placeholder, else null;
- ``problem_type`` → a snake_case label of the grounded category, else null;
- ``reply``/``draft``/``answer``/``response`` → 1–3 bland sentences in the request's language,
  without digits or names;
- any other nullable string → null 60 % of the time (the generator may still pick null).

Anything else (or a value that does not fit) is left to the generator. All randomness comes
from the request's ``rng``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from simulator.categories import CATEGORIES, DEPARTMENTS, PROBLEM_TYPES, Routing, route
from simulator.language import Language, reply_text
from simulator.schemafit import Shape
from simulator.textfacts import (
    deadline_date,
    first_date,
    identifier,
    money,
    person_placeholder,
)


class _Missing:
    """No grounded value: let the generator make one."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
LOW_CONFIDENCE_SHARE = 0.08
OPTIONAL_NULL_SHARE = 0.6
_NOT_A_PERSON = frozenset(
    {"file", "filename", "bank", "product", "merchant", "branch", "company", "organisation"}
    | {"organization", "schema", "field", "model", "step", "city", "street"}
)
_NOT_AN_IDENTIFIER = frozenset(
    ("phone", "telephone", "mobile", "card", "iin", "bin", "iban", "account")
)


@dataclass(frozen=True)
class _Field:
    words: frozenset[str]
    shape: Shape
    schema: dict[str, Any]


def name_words(name: str) -> frozenset[str]:
    """``clientEmail`` / ``client_email`` → ``{"client", "email"}``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return frozenset(word for word in re.split(r"[\W_]+", spaced.lower()) if word)


class FieldGrounder:
    """Grounded values for one request: ``text`` for facts, ``document`` for routing."""

    def __init__(self, rng: random.Random, language: Language, text: str, document: str) -> None:
        self._rng = rng
        self._language = language
        self._text = text
        self._document = document
        self._rules: tuple[Callable[[_Field], Any], ...] = (
            self._language_rule,
            self._category_rule,
            self._department_rule,
            self._confidence_rule,
            self._flag_rule,
            self._identifier_rule,
            self._money_rule,
            self._date_rule,
            self._person_rule,
            self._problem_rule,
            self._reply_rule,
            self._optional_rule,
        )

    def value(self, name: str, shape: Shape, schema: dict[str, Any]) -> Any:
        """A grounded value for property ``name``, or :data:`MISSING`."""
        words = name_words(name)
        if not words:
            return MISSING
        field = _Field(words, shape, schema)
        for rule in self._rules:
            found = rule(field)
            if found is not MISSING:
                return found
        return MISSING

    @cached_property
    def routing(self) -> Routing:
        return route(self._document)

    @cached_property
    def category(self) -> str:
        """The category of this request: keyword-grounded, else seeded."""
        return self.routing.category or self._rng.choice(CATEGORIES)

    def _language_rule(self, field: _Field) -> Any:
        if not field.words & {"language", "lang", "locale"}:
            return MISSING
        if field.shape.enum is not None:
            return self._language if self._language in field.shape.enum else MISSING
        return self._language if field.shape.allows("string") else MISSING

    def _category_rule(self, field: _Field) -> Any:
        enum = field.shape.enum
        if enum is None or not set(CATEGORIES) <= set(enum):
            return MISSING
        if not field.words & {"alternative", "second", "secondary", "other", "additional"}:
            return self.category
        runner_up = self.routing.runner_up
        if runner_up and runner_up != self.category and self.routing.scores[runner_up] >= 2:
            return runner_up
        if field.shape.nullable and self._rng.random() < 0.85:
            return None
        return self._rng.choice([name for name in CATEGORIES if name != self.category])

    def _department_rule(self, field: _Field) -> Any:
        known = {value for value in DEPARTMENTS.values() if value}
        enum = field.shape.enum
        if not field.words & {"department", "team", "queue"} or enum is None:
            return MISSING
        if len(known.intersection(enum)) < 3:
            return MISSING
        return DEPARTMENTS[self.category]

    def _confidence_rule(self, field: _Field) -> Any:
        if not field.words & {"confidence", "probability", "certainty"}:
            return MISSING
        if not field.shape.allows("number", "integer"):
            return MISSING
        low = LOW_CONFIDENCE_SHARE if self.routing.category else 0.5
        draw = self._rng.uniform(0.3, 0.59) if self._rng.random() < low else None
        value = round(draw if draw is not None else self._rng.uniform(0.75, 0.98), 2)
        maximum = field.schema.get("maximum")
        percent = not field.shape.allows("number") or (
            isinstance(maximum, int | float) and maximum > 1
        )
        return round(value * 100) if percent else value

    def _flag_rule(self, field: _Field) -> Any:
        if not field.shape.allows("boolean"):
            return MISSING
        if field.words & {"topics", "multitopic"}:
            return self.routing.two_topics
        if field.words & {"urgent", "urgency"}:
            return self.routing.urgent
        return MISSING

    def _identifier_rule(self, field: _Field) -> Any:
        if "number" not in field.words or field.words & _NOT_AN_IDENTIFIER:
            return MISSING
        if not field.shape.allows("string"):
            return MISSING
        kind = None
        if field.words & {"request", "ticket", "application", "reference", "case"}:
            kind = "request"
        elif field.words & {"contract", "agreement"}:
            kind = "contract"
        return identifier(self._text, kind)

    @cached_property
    def _money(self) -> tuple[float, str] | None:
        return money(self._text)

    def _money_rule(self, field: _Field) -> Any:
        found = self._money
        if "currency" in field.words and field.shape.allows("string"):
            return found[1] if found else None
        if not field.words & {"amount", "sum", "total"}:
            return MISSING
        if not field.shape.allows("number", "integer"):
            return MISSING
        if found is None:
            return None
        amount = found[0]
        return int(amount) if amount.is_integer() and not field.shape.allows("number") else amount

    def _date_rule(self, field: _Field) -> Any:
        if not field.words & {"deadline", "date", "due"} or not field.shape.allows("string"):
            return MISSING
        if field.schema.get("format") in ("date-time", "time"):
            return MISSING
        if field.words & {"deadline", "due"}:
            found = deadline_date(self._text)
            return found if found or field.shape.nullable else first_date(self._text)
        return first_date(self._text)

    def _person_rule(self, field: _Field) -> Any:
        if "name" not in field.words or field.words & _NOT_A_PERSON:
            return MISSING
        if not field.shape.allows("string") or field.shape.enum is not None:
            return MISSING
        return person_placeholder(self._text)

    def _problem_rule(self, field: _Field) -> Any:
        if not {"problem", "issue"} & field.words or not {"type", "kind"} & field.words:
            return MISSING
        labels = PROBLEM_TYPES.get(self.routing.category or "", ())
        enum = field.shape.enum
        choices = [label for label in labels if enum is None or label in enum]
        return self._rng.choice(choices) if choices else None

    def _reply_rule(self, field: _Field) -> Any:
        if not field.words & {"reply", "draft", "answer", "response"}:
            return MISSING
        if not field.shape.allows("string") or field.shape.enum is not None:
            return MISSING
        return reply_text(self._rng, self._language)

    def _optional_rule(self, field: _Field) -> Any:
        if field.shape.types != {"string", "null"} or field.shape.enum is not None:
            return MISSING
        return None if self._rng.random() < OPTIONAL_NULL_SHARE else MISSING
