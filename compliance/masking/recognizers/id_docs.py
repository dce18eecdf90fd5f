"""Identity documents: Kazakh ID-card numbers (9 digits) and passport numbers, in context.

"удостоверение личности № 045678912", "жеке куәлік № 045678912", "ID card No. 045678912",
"паспорт N12345678", "төлқұжат N12345678". A Kazakh passport number (a letter N and 8 digits)
has a shape of its own and is taken without context; bare digit runs need a document word
before them (after the last number), because 9 digits alone could be anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.masking.entities import ID_DOC, SCORE_IN_CONTEXT, SCORE_PATTERN
from compliance.masking.recognizers.base import Context, Found, context_before, has_word_like

KZ_PASSPORT = re.compile(r"(?<![\w])N\d{8}(?![\w])")
DOCUMENT_NUMBER = re.compile(
    r"(?<![\w])(?:\d{9}|[A-Z]{1,2}\d{7,8}|\d{2}[ ]?\d{2}[ ]?\d{6}|\d{4}[ ]?\d{6})(?![\w])"
    r"(?![ \-]\d)"
)
DOCUMENT_CUE = re.compile(
    r"удостовер|уд\.\s*личн|паспорт|passport|id[\s-]*card|identity|жеке\s*куәл|куәлі"
    r"|төлқұжат|\bид\b|документ|document",
    re.IGNORECASE,
)


#: Cue words, also found with one typo ("паспрот", "pasport").
DOCUMENT_WORDS = frozenset(
    {
        "удостоверение",
        "удостоверения",
        "личности",
        "паспорт",
        "паспорта",
        "passport",
        "identity",
        "куәлік",
        "куәлігі",
        "төлқұжат",
        "төлқұжаты",
    }
)
#: A Kazakh ID card number (9 digits, starting with 0) right after a number sign.
_NUMBERED_ID_CARD = re.compile(r"(?:№|\bno\.?|#)\s*$", re.IGNORECASE)


def _is_document_context(cue: Context, value: str) -> bool:
    if cue.has(DOCUMENT_CUE) or has_word_like(cue, DOCUMENT_WORDS):
        return True
    return len(value) == 9 and value[0] == "0" and _NUMBERED_ID_CARD.search(cue.raw) is not None


def find_id_documents(text: str) -> Iterator[Found]:
    """ID-card and passport numbers in ``text``."""
    for match in DOCUMENT_NUMBER.finditer(text):
        cue = context_before(text, match.start(), 48, since_number=True)
        if _is_document_context(cue, match.group()):
            yield Found(ID_DOC, match.start(), match.end(), SCORE_IN_CONTEXT)
        elif KZ_PASSPORT.fullmatch(match.group()):
            yield Found(ID_DOC, match.start(), match.end(), SCORE_PATTERN)
