"""What every recognizer shares: a found span, a thin Presidio adapter, context windows.

Each recognizer family is a plain function ``find_xxx(text) -> Iterator[Found]`` — testable
without Presidio and reused by :func:`compliance.masking.residual_identifiers` — wrapped for the
analyzer by :class:`FinderRecognizer`. Presidio's no-op NLP engine gives no tokens, so its own
context enhancement sees nothing: recognizers that need context read the words before a match
themselves (:func:`context_before`), after undoing the usual OCR look-alike damage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts


class Found(NamedTuple):
    """One detected value: ``text[start:end]`` is of ``entity_type``."""

    entity_type: str
    start: int
    end: int
    score: float


Finder = Callable[[str], Iterable[Found]]

# Latin letters and digits an OCR engine puts in place of Cyrillic ones (and back).
_OCR_TO_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTXN0346", "асеорхуАВСЕНКМОРТХИОЗЧБ")
_SPACES = re.compile(r"[\s\u00a0]+")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"(?<![^\W\d_])\d+(?![^\W\d_])")


class FinderRecognizer(EntityRecognizer):
    """A Presidio recognizer around one finder function, for one language."""

    def __init__(self, name: str, entity_types: list[str], finder: Finder, language: str) -> None:
        self._finder = finder
        super().__init__(supported_entities=entity_types, name=name, supported_language=language)

    def load(self) -> None:
        """Nothing to load: patterns compile when their module is imported."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else set(self.supported_entities)
        return [
            RecognizerResult(found.entity_type, found.start, found.end, found.score)
            for found in self._finder(text)
            if found.entity_type in wanted
        ]


class Context(NamedTuple):
    """The words before a match: as written (lower-cased) and repaired for OCR damage."""

    raw: str
    repaired: str

    def has(self, cue: re.Pattern[str]) -> bool:
        return cue.search(self.raw) is not None or cue.search(self.repaired) is not None


def context_before(text: str, start: int, size: int = 48, *, since_number: bool = False) -> Context:
    """The ``size`` characters before ``start``, lower-cased, with OCR look-alikes undone.

    ``repaired`` turns Latin look-alikes Cyrillic and drops spaces, so "удосто верение" and
    "NИН" still read as "удостоверение" and "иин". With ``since_number`` the window starts
    after the last digit, so a cue that belongs to an earlier number ("дата рождения
    12.03.1988, до …") does not reach the next one.
    """
    window = text[max(0, start - size) : start]
    if since_number:
        window = window[_after_last_digit(window) :]
    repaired = _SPACES.sub("", window.translate(_OCR_TO_CYRILLIC)).lower()
    return Context(window.lower(), repaired)


def ocr_repaired(text: str) -> str:
    """``text`` lower-cased with Latin look-alikes read as Cyrillic ("NИН" -> "иин"); unlike
    :attr:`Context.repaired` it keeps the spaces, so word boundaries still hold."""
    return text.translate(_OCR_TO_CYRILLIC).lower()


def has_word_like(context: Context, words: frozenset[str]) -> bool:
    """True if a word of the context is one of ``words`` or one typo away from one.

    A typo is one letter changed, dropped, added or two neighbours swapped ("bonr", "туғн",
    "brn"); cue words shorter than four letters must match exactly.
    """
    for token in _WORD.findall(context.raw):
        if token in words:
            return True
        if len(token) >= 3 and any(within_one_edit(token, w) for w in words if len(w) >= 4):
            return True
    return False


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of at most one."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _after_last_digit(window: str) -> int:
    """Where the window continues after its last number (digits inside a word, as OCR writes
    "Р0ЖДЕНИЯ", do not count)."""
    ends = [number.end() for number in _NUMBER.finditer(window)]
    return ends[-1] if ends else 0


def only_digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


#: Letters OCR and hurried typing put in place of digits: O and О for 0, З for 3, I, l and І
#: for 1.
DIGIT_LOOKALIKES = str.maketrans("OОoоЗзIlІі|", "00003311111")
_DIGITISH = re.compile(r"[0-9OОoоЗзIlІі|]+")
_LOOKALIKE_BY_DIGIT = re.compile(r"\d[OОoоЗзIlІі|]|[OОoоЗзIlІі|]\d")


@lru_cache(maxsize=64)
def ocr_digits(text: str) -> str:
    """``text`` with digit look-alikes inside numbers read as digits ("+7 7О7 52О 81 46",
    "2З/09/1999", "О51 772 З08"); same length, so offsets hold. A look-alike counts only in a
    run of digit-like characters that holds at least one real digit, so words stay words.

    Four finders read each text this way (phones, dates, documents, addresses); the last few
    texts' answers are kept, so a text is read once."""
    if not _LOOKALIKE_BY_DIGIT.search(text):
        return text
    chars = list(text)
    for match in _DIGITISH.finditer(text):
        run = match.group()
        if run.isdigit() or not any(ch.isdigit() for ch in run):
            continue
        if _glued_to_letters(text, match.start(), match.end()):
            continue
        chars[match.start() : match.end()] = run.translate(DIGIT_LOOKALIKES)
    return "".join(chars)


def _glued_to_letters(text: str, start: int, end: int) -> bool:
    before = text[start - 1 : start]
    after = text[end : end + 1]
    return before.isalpha() or after.isalpha()
