"""Placeholder-shaped text in the input: neutralised before masking, restored verbatim after.

Placeholders belong to the masker (DESIGN decision 12). If a sender writes ``[PERSON_1]`` or
``[KZ_IIN_1]`` in a web form and it reached the model as written, a draft quoting it would be
re-identified with the document's real value — a crafted form could pull a customer's IIN into
a reply. So text shaped like a placeholder is itself replaced, before any recognizer's span is
numbered, by a placeholder of its own type, :data:`~.entities.LITERAL`:

    "Подставьте [PERSON_1] и <KZ_IIN_1>"  ->  "Подставьте [LITERAL_1] и [LITERAL_2]"

and the map keeps the text as written (``[LITERAL_1]`` -> ``[PERSON_1]``), so re-identification
puts back exactly what the sender typed, never a value. Shapes taken: an upper-case token
joined by underscores and ending in ``_<digits>`` inside any bracket pair (``[…]``, ``<…>``,
``{…}``, ``(…)``, ``«…»``, ``⟦…⟧``, ``【…】`` and full-width ones), a masker type written loosely
inside brackets (``<person 1>``, ``[KZ-IIN-1]``), and a masker type bare (``PERSON_1``) — the
forms a model could be coaxed into rewriting as ``[PERSON_1]``.
"""

from __future__ import annotations

import re

from compliance.masking.entities import ENTITY_TYPES, LITERAL, SCORE_VALIDATED
from compliance.masking.spans import Detection

_OPEN = r"[\[<{(«⟦【［＜｛（]"
_CLOSE = r"[\]>})»⟧】］＞｝）]"
_TYPES = "|".join(sorted((t.replace("_", r"[ _\-]?") for t in ENTITY_TYPES), key=len, reverse=True))
PLACEHOLDER_SHAPED = re.compile(
    rf"{_OPEN}[ \t]*(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_\d+|(?i:{_TYPES})[ \t]*[ _\-]?[ \t]*\d+)"
    rf"[ \t]*{_CLOSE}"
    rf"|(?<![\w\[])(?:{'|'.join(ENTITY_TYPES)})_\d+(?!\w)"
)


def placeholder_shaped(text: str) -> list[Detection]:
    """Every span of ``text`` shaped like a placeholder, as a :data:`LITERAL` detection."""
    return [
        Detection(LITERAL, match.start(), match.end(), SCORE_VALIDATED)
        for match in PLACEHOLDER_SHAPED.finditer(text)
    ]
