"""Names used for places: streets, microdistricts, villages and cities named after people.

Kazakh streets carry people's names ("Абай даңғылы", "пр. Абая", "ул. Кунаева", "Санкибай батыр
даңғылы", "Қ.Сәтбаев к-сі"), and so do cities ("г. Сатпаев", "Сәтбаев қаласы"). Such a name is
part of an address (masked as one when the street has a house number) or a look-alike (a branch
"на Абая", a city alone) — not a person. :func:`is_place_name` tells from the words around it.
"""

from __future__ import annotations

import re

_BEFORE = re.compile(
    r"(?:\b(?:г|гор|ул|пр|просп|мкр|пос|с|көш|даңғ|д|обл)\.[ \t]*|\b(?:город\w*|улиц\w*"
    r"|проспект\w*|микрорайон\w*|city|town|street|avenue)[ \t]+|№[ \t]*)$",
    re.IGNORECASE,
)
#: Before a single word only: "на Абая" (a branch), "по Сейфуллина".
_BEFORE_ONE_WORD = re.compile(r"\b(?:на|по)[ \t]+$", re.IGNORECASE)
_AFTER = re.compile(
    r"[ \t]*(?:(?:хан|батыр|би|ата|ана|ақын|жырау)[ \t]+)?"
    r"(?:\b(?:қ|көш|даңғ|мкр|ул|обл|пр)\.|к-сі|ш/а|\b(?:қала\w*|көше\w*|даңғыл\w*|шағын\w*"
    r"|ықшам\w*|аудан\w*|ауыл\w*|облыс\w*|street|st|str|ave|avenue|prospect|district"
    r"|microdistrict|mkr|city|region|village)\b)",
    re.IGNORECASE,
)


def is_place_name(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` names a street, a microdistrict, a village or a city here."""
    before = text[max(0, start - 16) : start]
    if _BEFORE.search(before) is not None or _AFTER.match(text, end) is not None:
        return True
    one_word = " " not in text[start:end].strip()
    return one_word and _BEFORE_ONE_WORD.search(before) is not None
