"""Russian morphology as evidence for names: pymorphy3 tags first names, surnames, patronymics.

pymorphy3 (its OpenCorpora dictionaries ship in the ``pymorphy3-dicts-ru`` wheel; nothing is
downloaded) tags a word ``Name``, ``Surn`` or ``Patr`` from its dictionary, and guesses unknown
words by their endings — so it knows names no table of ours holds (Прохор, Агния, Шмидт) and
reads case forms (Ерболу, Сейтқалиевой, Жакупову). It is evidence, never a verdict on its own:
a word counts as a name when the parses tagged so carry most of the weight
(:data:`NAME_WEIGHT`), and never when the word is a place (``Geox``: Шымкент is also guessed a
surname) or one of the words that are not names. A word outside the dictionary is guessed by
its ending; that guess counts only for a word ending like a Kazakh name (Нұрмағамбет,
Мейіржан), because the guesser reads Kazakh common words as Russian ones ("Тіркелген" would be
a surname). The tables and the context rules cover the other names.

Loaded once per process (about 0.3 s); about 0.2 ms per new word, cached per word.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

#: Share of the parses' weight that must be a name tag.
NAME_WEIGHT = 0.5
_NAME_TAGS = {"Name": "first", "Surn": "surname", "Patr": "patronymic"}
#: The endings of Kazakh names (name elements: Мейір-жан, Нұрмағам-бет, Ақ-бота, Гүл-нар …).
#: A word outside the dictionary counts only with one: pymorphy3 guesses unknown words by
#: Russian endings, and Kazakh common words ("Тіркелген", "Жүйе") would pass as names.
_KAZAKH_NAME_ENDING = re.compile(
    r"(?:жан|бек|гүл|гул|гуль|бай|бол|нұр|нур|сұлу|сулу|ғали|гали|қали|хан|мұрат|мурат|тай"
    r"|бике|зада|дос|бет|берді|берген|құл|гер|қожа|ара|бота|нәз|наз|ай)$"
)


@cache
def _analyzer() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def load_morphology() -> None:
    """Load the dictionaries now (once per process), not on the first document."""
    _analyzer()


@lru_cache(maxsize=65536)
def name_kind(word: str, *, guessed: bool = False) -> str | None:
    """``first``, ``surname`` or ``patronymic`` if pymorphy3 reads the Cyrillic ``word`` as
    one, else None. ``word`` is compared in lower case. A word outside the dictionary counts
    only with a Kazakh name's ending, unless ``guessed`` (the caller has other evidence: a
    lower-case pair "ламия хасанова")."""
    low = word.lower()
    if len(low) < 3 or not ("\u0400" <= low[0] <= "\u04ff"):
        return None
    weights: dict[str, float] = {}
    place = 0.0
    parses = _analyzer().parse(low)
    known = any(parse.is_known for parse in parses)
    if not (known or guessed or _KAZAKH_NAME_ENDING.search(low)):
        return None
    for parse in parses:
        grammemes = parse.tag.grammemes
        if "Geox" in grammemes:
            place += parse.score
        for tag, kind in _NAME_TAGS.items():
            if tag in grammemes:
                weights[kind] = weights.get(kind, 0.0) + parse.score
    if place > 0.0 or not weights:
        return None
    kind, weight = max(weights.items(), key=lambda item: item[1])
    return kind if sum(weights.values()) >= NAME_WEIGHT and weight > 0 else None


_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """True for a Cyrillic word of pymorphy3's dictionary that is mostly not a proper noun
    ("ДОГОВОР", "БАНКОВСКОГО", "машина"): a heading word, not a name."""
    low = word.lower()
    if len(low) < 2 or not ("\u0400" <= low[0] <= "\u04ff"):
        return False
    parses = _analyzer().parse(low)
    if not parses or not bool(parses[0].is_known):
        return False
    proper = sum(float(p.score) for p in parses if _PROPER & set(p.tag.grammemes))
    return proper < NAME_WEIGHT


@lru_cache(maxsize=65536)
def is_place_word(word: str) -> bool:
    """True for a Cyrillic word pymorphy3 reads mostly as a place name ("Испании", "Шымкента")."""
    low = word.lower()
    if len(low) < 3 or not ("\u0400" <= low[0] <= "\u04ff"):
        return False
    parses = _analyzer().parse(low)
    place = sum(float(parse.score) for parse in parses if "Geox" in parse.tag.grammemes)
    return place >= NAME_WEIGHT


_NOT_NOUNS = frozenset(
    {"PREP", "CONJ", "PRCL", "NPRO", "VERB", "INFN", "ADVB", "PRED", "INTJ", "GRND", "PRTF"}
    | {"PRTS", "NUMR", "COMP"}
)


@lru_cache(maxsize=65536)
def is_function_word(word: str) -> bool:
    """True for a Cyrillic word pymorphy3 reads first as a verb, pronoun, preposition, adverb
    and the like: never the first name before a surname ("писала Хасанова")."""
    low = word.lower()
    if not low or not ("\u0400" <= low[0] <= "\u04ff"):
        return False
    parses = _analyzer().parse(low)
    return bool(parses) and parses[0].tag.POS in _NOT_NOUNS
