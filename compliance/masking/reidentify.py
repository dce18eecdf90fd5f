"""Putting the real values back into a model's answer, for a person allowed to see them.

Only placeholders written exactly as the masker wrote them (``[PERSON_1]``) and present in the
document's map are restored. Anything else that looks like a placeholder — one the model
invented (``[PERSON_7]`` when the document had one person), or mangled (``[PERSON 1]``,
``PERSON_1]``, ``[person_1]``, ``[PERSON_1``, a bare ``PERSON_1``) — stays visible as written and
is listed in :attr:`Reidentified.unknown`, so the reader sees that something is off. Nothing is
ever guessed: ``[PERSON 1]`` is not silently taken for ``[PERSON_1]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from compliance.masking.entities import ENTITY_TYPES

_EXACT = re.compile(r"\[([A-Z][A-Z_]*_\d+)\]")


def _candidates(types: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(sorted(types, key=len, reverse=True))
    loose = rf"(?:{names})[ \t]*[_\- ]?[ \t]*\d+"
    return re.compile(
        rf"\[[ \t]*(?i:{loose})(?:[ \t]*\])?"  # opened: [PERSON_1] [PERSON 1] [person_1] [PERSON_1
        rf"|(?<![\w\[])(?i:{loose})[ \t]*\]"  # closed only: PERSON_1]
        rf"|(?<![\w\[])(?:{names})_\d+(?![\w\]])"  # bare: PERSON_1
    )


_KNOWN = _candidates(ENTITY_TYPES)


@dataclass(frozen=True)
class Reidentified:
    """A text with known placeholders restored; ``unknown`` lists the ones left as written."""

    text: str
    unknown: tuple[str, ...]

    def __repr__(self) -> str:  # the text holds personal data again
        return f"Reidentified(unknown={self.unknown!r}, chars={len(self.text)})"


def reidentify(text: str, mapping: Mapping[str, str]) -> Reidentified:
    """Restore the placeholders of ``mapping`` in ``text``; flag invented or mangled ones."""
    extra = {m.group(1).rsplit("_", 1)[0] for key in mapping if (m := _EXACT.fullmatch(key))}
    pattern = _KNOWN if extra <= set(ENTITY_TYPES) else _candidates((*ENTITY_TYPES, *extra))
    unknown: dict[str, None] = {}

    def restore(match: re.Match[str]) -> str:
        written = match.group()
        if written in mapping:
            return mapping[written]
        unknown[written] = None
        return written

    return Reidentified(pattern.sub(restore, text), tuple(unknown))
