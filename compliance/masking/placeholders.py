"""Stable placeholders for one document: the same value gets the same placeholder everywhere.

Values are compared by what they denote, not by how they are written: an IIN, card or ID number
by its digits, a phone by its ten national digits (``+7 701 …`` = ``8(701)…``), an IBAN without
spaces, an e-mail case-folded, a person by the :class:`~compliance.masking.names.NameBook`
index (so "Ахметова Жанар" and "Жанар" in a greeting share ``[PERSON_1]``). The map keeps the
first spelling seen for each placeholder (for a person, the fullest name).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from compliance.masking.entities import (
    CREDIT_CARD,
    IBAN_CODE,
    ID_DOC,
    KZ_BIN,
    KZ_IIN,
    LITERAL,
    PHONE_NUMBER,
    placeholder,
)

_DIGIT_TYPES = frozenset({KZ_IIN, KZ_BIN, CREDIT_CARD})
_NOT_ALNUM = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def value_key(entity_type: str, value: str) -> str:
    """What two spellings of the same value have in common."""
    if entity_type in _DIGIT_TYPES:
        return "".join(ch for ch in value if ch.isdigit())
    if entity_type == PHONE_NUMBER:
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits[-10:] if len(digits) == 11 and digits[0] in "78" else digits
    if entity_type == LITERAL:
        return value  # restored verbatim: "[PERSON_1]" and "[person_1]" stay two values
    if entity_type in (IBAN_CODE, ID_DOC):
        return _NOT_ALNUM.sub("", value).upper()
    return _SPACES.sub(" ", value).strip().casefold()


@dataclass
class PlaceholderBook:
    """Hands out ``[TYPE_n]`` placeholders for one document and remembers what they stand for."""

    mapping: dict[str, str] = field(default_factory=dict)
    _by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    _numbers: Counter[str] = field(default_factory=Counter)

    def placeholder_for(self, entity_type: str, key: str, value: str) -> str:
        """The placeholder for ``value`` (compared by ``key``), new if not seen before."""
        found = self._by_key.get((entity_type, key))
        if found is not None:
            return found
        self._numbers[entity_type] += 1
        made = placeholder(entity_type, self._numbers[entity_type])
        self._by_key[(entity_type, key)] = made
        self.mapping[made] = value
        return made

    def counts(self) -> dict[str, int]:
        """Entity type -> number of distinct values (placeholders) in the document."""
        return dict(self._numbers)
