"""Hard-case transformations: typos, HTML remnants, quoting and OCR noise.

Each one rewrites literal segments only (see :mod:`.segments`), so labelled values and their
spans survive untouched. The wrappers that add text (forwarded chains, quoted replies, long
signatures, near-empty bodies) are composed in :mod:`.generator` from the language frames.
"""

from __future__ import annotations

import random
import re

from sampledata.segments import Seg, lit, map_literals

HARD_CASES = (
    "forwarded_chain",
    "quoted_reply",
    "long_signature",
    "html_remnants",
    "ocr_noise",
    "typos",
    "near_empty_body",
)

_WORD = re.compile(r"[^\W\d_]{4,}")
# Kazakh letters typed on a Russian layout, and Latin letters that look like Cyrillic ones
_KK_TO_RU = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноууhиАГКНОУУHИ")
_OCR_SWAPS = {"О": "0", "о": "o", "З": "3", "е": "e", "а": "a", "р": "p", "с": "c", "l": "1",
              "Б": "6", "В": "B", "И": "N", "I": "1", "S": "5"}  # fmt: skip


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 3 and word.translate(_KK_TO_RU) != word:
        return word.translate(_KK_TO_RU)
    if kind == 1 or word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def add_typos(segs: list[Seg], rng: random.Random, rate: float = 0.05) -> list[Seg]:
    """Misspell about ``rate`` of the longer words in literal text, and at least one."""
    total = sum(len(_WORD.findall(seg.text)) for seg in segs if not seg.kind)
    if not total:
        return segs
    chosen = set(rng.sample(range(total), max(1, round(total * rate))))
    seen = 0

    def misspell(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return _typo(match.group(), rng) if seen - 1 in chosen else match.group()

    return map_literals(segs, lambda text: _WORD.sub(misspell, text))


def add_html_remnants(segs: list[Seg], rng: random.Random) -> list[Seg]:
    """Leftovers of an HTML-to-text conversion: ``<br>``, ``&nbsp;``, ``<div>`` wrappers."""
    br = rng.choice(("<br>\n", "<br>", "<br />\n"))

    def htmlify(text: str) -> str:
        text = text.replace("\n", br)
        return re.sub(r"(?<=[.,:!?]) ", lambda _: "&nbsp;" if rng.random() < 0.3 else " ", text)

    opening = rng.choice(("<div>", '<div dir="ltr">', "<html><body><div>"))
    closing = "</div></body></html>" if opening.startswith("<html>") else "</div>"
    return [lit(opening), *map_literals(segs, htmlify), lit(closing)]


def quote(segs: list[Seg]) -> list[Seg]:
    """Prefix every line with "> ", as mail clients quote the message replied to."""
    return [lit("> "), *map_literals(segs, lambda text: text.replace("\n", "\n> "))]


def _ocr_word(word: str, rng: random.Random) -> str:
    if word.isupper() and len(word) >= 5:
        roll = rng.random()
        if roll < 0.4:
            return " ".join(word)
        if roll < 0.8:
            return word.replace("О", "0").replace("O", "0").replace("З", "3")
    if rng.random() < 0.15:
        return "".join(_OCR_SWAPS.get(ch, ch) if rng.random() < 0.5 else ch for ch in word)
    if rng.random() < 0.06:
        cut = rng.randrange(1, len(word))
        return word[:cut] + " " + word[cut:]
    return word


def add_ocr_noise(segs: list[Seg], rng: random.Random) -> list[Seg]:
    """Scan-and-OCR damage: Д0Г0В0Р, broken spacing ("Д О Г О В О Р", "дого вор"), lost spaces."""

    def damage(text: str) -> str:
        text = _WORD.sub(lambda m: _ocr_word(m.group(), rng), text)
        return re.sub(r"(?<=\w) (?=\w)", lambda _: "" if rng.random() < 0.04 else " ", text)

    return map_literals(segs, damage)
