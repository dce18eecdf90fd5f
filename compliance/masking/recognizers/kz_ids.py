"""Kazakh individual and business identification numbers (IIN, BIN).

Both are 12 digits with the same mod-11 check digit (:mod:`compliance.checksums`). An IIN starts
with the birth date YYMMDD and its 7th digit (1-6) gives century and sex; a BIN starts with the
registration YYMM and its 5th digit (4-6) is the entity type, so no number is both. A 12-digit
number that fails its check digit — a request number shaped like an IIN — is left alone, and so
is an IIN whose birth date lies in the future, unless it directly follows its label: "ИИН
880412300123", "ЖСН: …", "IIN …", "БИН № …", OCR's "NИН" — a typo in an identifier is normal in
mail, and the label says what it is (``KZ_IIN`` after ИИН/ЖСН/IIN, ``KZ_BIN`` after БИН/BIN/БСН).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from compliance.checksums import is_valid_kz_bin, is_valid_kz_iin
from compliance.masking.entities import KZ_BIN, KZ_IIN, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found, ocr_repaired, only_digits

# 12 digits, plain or in groups of 6, 4 or 3; never a slice of a longer run of digits.
TWELVE_DIGITS = re.compile(
    r"(?<![\d])(?<!\d[ \-])"
    r"(?:\d{12}|\d{6}[ \-]\d{6}|\d{4}[ \-]\d{4}[ \-]\d{4}|\d{3}[ \-]\d{3}[ \-]\d{3}[ \-]\d{3})"
    r"(?![ \-]?\d)"
)
_IIN_LABELS = frozenset({"иин", "жсн", "iin"})
#: A label right before the number: "ИИН", "ИИН:", "ИИН №", "IIN is", "ИИН/БИН", and a form's
#: "ИИН клиента:" (one word, then a colon).
_LABEL = re.compile(
    r"(?<![^\W\d_])(иин|жсн|iin|бин|bin|бсн|bsn)(?:\s*/\s*(?:иин|жсн|iin|бин|bin|бсн))?"
    r"(?:\s+[^\W\d_]{2,20}\s*:)?[\s:№#=.\-–—]*(?:(?:no|nr|is)\.?[\s:№#]*)?$"
)
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def birth_date_of_iin(iin: str) -> dt.date | None:
    """The birth date an IIN encodes (None unless it is a valid IIN)."""
    if not is_valid_kz_iin(iin):
        return None
    return dt.date(_CENTURY[iin[6]] + int(iin[:2]), int(iin[2:4]), int(iin[4:6]))


def kz_id_type(digits: str, today: dt.date | None = None) -> str | None:
    """``KZ_IIN``, ``KZ_BIN`` or None for 12 digits."""
    born = birth_date_of_iin(digits)
    if born is not None:
        return KZ_IIN if born <= (today or _today()) else None
    return KZ_BIN if is_valid_kz_bin(digits) else None


def labelled_kz_id_type(text: str, start: int) -> str | None:
    """``KZ_IIN`` or ``KZ_BIN`` if the label of one ends right before ``start``, else None."""
    window = text[max(0, start - 40) : start]
    label = _LABEL.search(window.lower()) or _LABEL.search(ocr_repaired(window))
    if label is None:
        return None
    return KZ_IIN if label.group(1) in _IIN_LABELS else KZ_BIN


def find_kz_ids(text: str) -> Iterator[Found]:
    """Valid IINs and BINs in ``text``, and any 12 digits right after an IIN or BIN label."""
    today = _today()
    for match in TWELVE_DIGITS.finditer(text):
        kind = kz_id_type(only_digits(match.group()), today)
        if kind is None:
            kind = labelled_kz_id_type(text, match.start())
        if kind is not None:
            yield Found(kind, match.start(), match.end(), SCORE_VALIDATED)
