"""Payment card numbers: 13-19 digits that pass Luhn, plain, spaced or dashed.

Partially masked cards (``**** **** **** 1234``, ``4400 43** **** 1234``, ``*1234``) are left
alone: extraction needs them, and they identify no one. A run of digits glued to letters or to
a ``*`` is never a card (it is part of an IBAN, an account or a masked number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.checksums import is_luhn_valid
from compliance.masking.entities import CREDIT_CARD, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found

CARD_NUMBER = re.compile(
    r"(?<![\w*#])(?<![\d*][ \-])"
    r"(?:"
    r"\d{4}(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{4}(?:(?P=sep)\d{1,3})?"  # 16-19
    r"|\d{4}[ \-]\d{6}[ \-]\d{4,5}"  # 14-15: Diners, Amex
    r"|\d{13,19}"
    r")"
    r"(?![\w*])(?![ \-][\d*])"
)


def find_cards(text: str) -> Iterator[Found]:
    """Luhn-valid card numbers in ``text``."""
    for match in CARD_NUMBER.finditer(text):
        if is_luhn_valid(match.group()):
            yield Found(CREDIT_CARD, match.start(), match.end(), SCORE_VALIDATED)
