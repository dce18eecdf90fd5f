"""Payment card numbers: 13-19 digits that pass Luhn, plain, spaced or dashed.

Right after a card label ("карта", "картой", "№ карты", "карточка", "card", "card no",
"картасы") the number is a card whatever its check digit: a mistyped card number is still one.

Partially masked cards (``**** **** **** 1234``, ``4400 43** **** 1234``, ``*1234``) are left
alone: extraction needs them, and they identify no one. A run of digits glued to letters or to
a ``*`` is never a card (it is part of an IBAN, an account or a masked number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.checksums import is_luhn_valid
from compliance.masking.entities import CREDIT_CARD, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found, ocr_repaired

CARD_NUMBER = re.compile(
    r"(?<![\w*#])(?<![\d*][ \-])"
    r"(?:"
    r"\d{4}(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{4}(?:(?P=sep)\d{1,3})?"  # 16-19
    r"|\d{4}[ \-]\d{6}[ \-]\d{4,5}"  # 14-15: Diners, Amex
    r"|\d{13,19}"
    r")"
    r"(?![\w*])(?![ \-][\d*])"
)


#: A card label right before the number: "карта", "картой №", "card no.", "картасы:".
CARD_LABEL = re.compile(
    r"(?<![^\W\d_])(?:карт[аыуеоя]\w{0,3}|карточк\w{0,3}|card|кредитк\w{0,3})"
    r"[\s:№#=.\-–—]*(?:(?:no|nr|number|номер|нөмірі)\.?[\s:№#]*)?$"
)


def is_labelled_card(text: str, start: int) -> bool:
    """True if a card label ends right before ``start`` (also with OCR look-alikes undone)."""
    window = text[max(0, start - 24) : start]
    return CARD_LABEL.search(window.lower()) is not None or (
        CARD_LABEL.search(ocr_repaired(window)) is not None
    )


def find_cards(text: str) -> Iterator[Found]:
    """Luhn-valid card numbers in ``text``, and any card-shaped number after a card label."""
    for match in CARD_NUMBER.finditer(text):
        if is_luhn_valid(match.group()) or is_labelled_card(text, match.start()):
            yield Found(CREDIT_CARD, match.start(), match.end(), SCORE_VALIDATED)
