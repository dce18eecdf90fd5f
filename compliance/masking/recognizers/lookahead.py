"""Faster scans for patterns that open with a list of words: a lookahead on their first letters.

Python's ``re`` tries a pattern at every position of the text. A pattern that opens with a
case-insensitive list of words (``(?i:менеджер|специалист|курьер|…)``) makes it try every word
at every position, and a lookbehind in front (``(?<![\\w-])``) hides the pattern's first
letters from ``re``'s own skip-ahead. :func:`with_first_letters` prefixes the pattern with a
lookahead on the letters it can start with (``(?=[MD]|(?i:[гмх]))``): at most positions one
character test fails and nothing else is tried.

The lookahead is derived from the parsed pattern, not written by hand, and only when the
derivation is sure: every branch, group and repetition is followed, case-insensitive parts
keep their case-insensitivity, zero-width assertions (``\\b``, ``^``, lookarounds) let the
next item decide, and anything else (a negated class, ``\\w``, ``.``, a pattern that can match
nothing) means no lookahead: the pattern is compiled as written. Either way the pattern
matches exactly what it matched before; only positions it could never start at are skipped.
"""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

#: Wider character ranges than this are not spelled out (no pattern here has one).
_MAX_RANGE = 1000


class _Unsure(Exception):
    """The first letters cannot be told for sure."""


class _First:
    """The letters a pattern can start with, compared as written and case-insensitively, and
    whether it can match the empty string (then what follows it decides too)."""

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.any_case: set[str] = set()
        self.nullable = True

    def add(self, other: _First) -> None:
        self.exact |= other.exact
        self.any_case |= other.any_case


def with_first_letters(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with a lookahead on its first letters when they are sure."""
    try:
        lookahead = first_letters_lookahead(pattern)
    except _Unsure:
        return re.compile(pattern)
    return re.compile(lookahead + pattern)


def first_letters_lookahead(pattern: str) -> str:
    """``(?=[…]|(?i:[…]))``: the letters ``pattern`` can start with (raises if unsure)."""
    parsed = sre_parse.parse(pattern)
    first = _of_sequence(parsed.data, parsed.state.flags)
    if first.nullable or not (first.exact or first.any_case):
        raise _Unsure("the pattern can match the empty string")
    parts = []
    if first.exact:
        parts.append(f"[{_class(first.exact)}]")
    if first.any_case:
        parts.append(f"(?i:[{_class(first.any_case)}])")
    return "(?=" + "|".join(parts) + ")"


def _class(letters: set[str]) -> str:
    return "".join(re.escape(letter) for letter in sorted(letters))


def _of_sequence(items: Any, flags: int) -> _First:
    first = _First()
    for op, av in items:
        item = _of_item(op, av, flags)
        first.add(item)
        if not item.nullable:
            first.nullable = False
            return first
    return first


def _of_item(op: Any, av: Any, flags: int) -> _First:
    first = _First()
    letters = first.any_case if flags & re.IGNORECASE else first.exact
    if op is sre.LITERAL:
        letters.add(chr(av))
        first.nullable = False
    elif op is sre.IN:
        for kind, value in av:
            if kind is sre.LITERAL:
                letters.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] <= _MAX_RANGE:
                letters.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                raise _Unsure(f"class member {kind}")
        first.nullable = False
    elif op is sre.BRANCH:
        first.nullable = False
        for branch in av[1]:
            alternative = _of_sequence(branch.data, flags)
            first.add(alternative)
            first.nullable = first.nullable or alternative.nullable
    elif op is sre.SUBPATTERN:
        _, add_flags, del_flags, body = av
        return _of_sequence(body.data, (flags | add_flags) & ~del_flags)
    elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = av
        inner = _of_sequence(body.data, flags)
        first.add(inner)
        first.nullable = inner.nullable or low == 0
    elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        pass  # zero-width: the next item decides
    else:
        raise _Unsure(f"operator {op}")
    return first
