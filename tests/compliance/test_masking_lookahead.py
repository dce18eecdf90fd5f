"""A first-letter lookahead changes only speed: the rules with one match what they matched."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from compliance.masking.recognizers import name_context
from compliance.masking.recognizers.lookahead import first_letters_lookahead, with_first_letters
from compliance.masking.recognizers.name_rules import name_view

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pii_sets"))
from independent import independent_records
from scoring import items_of


@pytest.mark.parametrize(
    ("pattern", "lookahead"),
    [
        (r"abc|de", "(?=[ad])"),
        (r"(?i:abc|de)", "(?=(?i:[ad]))"),
        (r"(?<![\w-])(?i:\bг-н|мырза)x", "(?=(?i:[гм]))"),
        (r"(?:Mr|Dr)\.?|(?i:ханым)", "(?=[DM]|(?i:[х]))"),
        (r"(?:со)?за[её]мщик", "(?=[зс])"),
        (r"(?:a\s+)?(?:called|named)", "(?=[acn])"),
        (r"[ \t]*,?x", "(?=[\\\t\\ ,x])"),
        (r"(?:^|\n)Y", "(?=[\\\nY])"),
    ],
)
def test_the_lookahead_holds_every_first_letter(pattern: str, lookahead: str) -> None:
    assert first_letters_lookahead(pattern) == lookahead


@pytest.mark.parametrize("pattern", [r"\w+", r"[^x]y", r".z", r"a?", r"(?:x|)", r"\dy"])
def test_a_pattern_whose_first_letters_are_unsure_is_compiled_as_written(pattern: str) -> None:
    assert with_first_letters(pattern).pattern == pattern


#: Letters that match other letters case-insensitively (Latin i/ı/İ, s/ſ, Cyrillic в/ᲀ, т/ᲄ),
#: in keywords of the rules, written the unusual way.
ODD_CASES = [
    "Мeня зoвут Жанар Ахметова.",
    "ᲀРАЧ Ахметова Ж.Қ. пришла",
    "КурьерГЕ Дархан\nMR Smith, Mr. Smith, mr Smith, ſincerely,\nRoman Ivanov",
    "THANKS TO Alistair Whitlock; thankſ to Alistair Whitlock; thanks tᲄ Ерлан",
    "С УВАЖЕНИЕМ,\n—\nЖанар Ахметова\nHİ Jane, hı Jane, Dear Jane,",
    "сестра Айгүл, СЕСТРА Айгүл, ſister Айгүл, МЕНЕДЖЕР — Ерлан Кусаинов",
    "Ерлан Кусаинов <erlan@mail.kz>, Е. Кусаинов <e@x.kz>",
]


def _texts() -> list[str]:
    texts = list(ODD_CASES)
    for name in ("varied", "handwritten"):
        for parts, _ in items_of(independent_records(name)):
            texts += [name_view(text) for text in parts.values() if text.strip()]
    return texts


def _without_lookahead(pattern: str) -> str | None:
    """The rule as written, if ``pattern`` is it with its first-letter lookahead in front."""
    for end in range(len(pattern)):
        if pattern.startswith("(?=") and pattern[end] == ")":
            try:
                if first_letters_lookahead(pattern[end + 1 :]) == pattern[: end + 1]:
                    return pattern[end + 1 :]
            except Exception:  # not a split point: the rest is no whole pattern
                continue
    return None


def test_the_context_rules_match_what_they_match_without_their_lookaheads() -> None:
    checked = 0
    texts = _texts()
    for rule in name_context.CONTEXT_RULES:
        written = _without_lookahead(rule.pattern)
        if written is None:
            continue
        without = re.compile(written)
        checked += 1
        for text in texts:
            expected = [(m.span(), m.span("name")) for m in without.finditer(text)]
            assert [(m.span(), m.span("name")) for m in rule.finditer(text)] == expected
    assert checked >= 4
