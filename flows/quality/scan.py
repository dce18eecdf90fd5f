"""Does a text look like a poor scan (bad OCR)? Counted by cheap signs, no dictionary.

Signs, counted per word (or run); a word with two odd characters or more (``Д0Г0В0Р``,
``жoғалуынa``) counts as two:

- **look-alike digits in Cyrillic words**: ``Д0Г0В0Р``, ``ҚЫ3МЕТ``, or a number glued to a word
  (``20қараша``) — Cyrillic letters and digits in one word do not happen in typed text;
- **mixed scripts in one word**: ``кaрточки`` with a Latin ``a``, ``pождeния``;
- **digits inside Latin words**: ``D0CUMENT``, ``Residentia1`` (mostly letters, a digit between
  letters or a 0/1 for a final l/o) — identifiers such as ``KZ58``, ``N4776`` or
  ``CL-2025-42102`` are not counted;
- **spaced-out letters**: four or more one-letter words in a row (``A P P L I C A T I O N``);
- **broken words**: a lowercase piece of one or two letters right after a word that is not a
  usual short word of ru / kk / en (``Docume nt``, ``ca rd``, ``байланыст ы``);
- **junk characters**: a high share of characters that are neither letters, digits, spaces nor
  usual punctuation.

A text is a poor scan when it has at least :data:`MIN_SIGNS` signs and they make at least
:data:`SIGN_SHARE` of its words, or when junk characters make :data:`JUNK_SHARE` of it.
Counts only: nothing here keeps or reports the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MIN_SIGNS = 2
SIGN_SHARE = 0.02
JUNK_SHARE = 0.05
SPACED_RUN = 4

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"\S+")
_LATIN_DIGIT_INSIDE = re.compile(r"[A-Za-z]\d+[A-Za-z]")
_LATIN_DIGIT_END = re.compile(r"^[A-Za-z]?[a-z]{3,}[01]$")
_SHORT_WORDS = _words(
    "a i an as at be by do go he if in is it me my no of on or so to up us we am id ok mr ms "
    "dr vs pm st nd rd th "
    "в во с со к ко о об у и а я не на но за из до по от же ли бы мы вы он ты их ей им ее её "
    "г д ул кв пр тг т р н ч "
    "ба бе па пе ма ме да де та те ол қ ж үй би"
)
_PIECE = re.compile(r"(?<=[^\W\d_]) ([^\W\d_]{1,2})(?=[\s.,;:!?)]|$)")
_EMAIL_OR_URL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+")
_USUAL = frozenset(".,;:!?-–—()[]{}«»\"'’“”/\\№%*_+=@#&<>|$€₸₽~`^")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


@dataclass(frozen=True)
class ScanNoise:
    """What :func:`scan_noise` counted in one text."""

    words: int
    signs: int
    junk_chars: int
    chars: int

    @property
    def sign_share(self) -> float:
        return self.signs / self.words if self.words else 0.0

    @property
    def junk_share(self) -> float:
        return self.junk_chars / self.chars if self.chars else 0.0

    @property
    def poor(self) -> bool:
        by_signs = self.signs >= MIN_SIGNS and self.sign_share >= SIGN_SHARE
        return by_signs or (self.chars >= 40 and self.junk_share >= JUNK_SHARE)


def _word_signs(word: str) -> int:
    """0, 1 or 2: how strongly one word looks misread (two odd characters or more count 2)."""
    cyrillic = sum(1 for char in word if _is_cyrillic(char))
    latin = sum(1 for char in word if char.isascii() and char.isalpha())
    digits = sum(1 for char in word if char.isdigit())
    if cyrillic and (latin or digits):
        odd = digits + (latin if latin < cyrillic else cyrillic)
        return min(2, odd)
    if latin and digits and (_LATIN_DIGIT_INSIDE.search(word) or _LATIN_DIGIT_END.search(word)):
        return 1 if latin >= 4 and latin >= 2 * digits else 0
    return 0


def _spaced_runs(text: str) -> int:
    runs = length = 0
    for token in _TOKEN.findall(text):
        if len(token) == 1 and token.isalpha():
            length += 1
            continue
        runs += length >= SPACED_RUN
        length = 0
    return runs + (length >= SPACED_RUN)


def _broken_words(text: str) -> int:
    return sum(1 for piece in _PIECE.findall(text) if piece.islower() and piece not in _SHORT_WORDS)


def scan_noise(text: str) -> ScanNoise:
    """Count the signs of bad OCR in ``text``."""
    text = _EMAIL_OR_URL.sub(" ", text)
    words = _WORD.findall(text)
    signs = sum(_word_signs(word) for word in words)
    signs += _spaced_runs(text) + _broken_words(text)
    visible = [char for char in text if not char.isspace()]
    junk = sum(1 for char in visible if not char.isalnum() and char not in _USUAL)
    return ScanNoise(words=len(words), signs=signs, junk_chars=junk, chars=len(visible))


def looks_poorly_scanned(text: str) -> bool:
    """True when ``text`` shows enough signs of bad OCR to distrust what was read from it."""
    return scan_noise(text).poor
