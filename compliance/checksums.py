"""Check digits of the identifiers nightshift masks, validates and generates.

Pure functions, no I/O. They serve the masking recognisers (a 12-digit number is an IIN only if
its check digit holds) and the synthetic sample generator (every planted IIN, card and IBAN is
valid; every look-alike is not).

- Kazakh IIN / BIN: 12 digits; the 12th is a mod-11 check digit over the first 11 with weights
  1..11, and a second pass with weights 3..11, 1, 2 when the first gives 10. A second 10 means
  the number cannot be valid. python-stdnum has no Kazakh module, so this check is ours.
- Luhn (ISO/IEC 7812): payment card numbers; the arithmetic is python-stdnum's ``stdnum.luhn``.
- IBAN (ISO 13616): mod-97 over the rearranged number (python-stdnum's
  ``stdnum.iso7064.mod_97_10``). Which strings count as an IBAN is ours: the general shape, the
  lengths of the countries below, and for ``KZ`` (20 characters) ``KZ`` + 2 check digits + a
  3-digit bank code + 13 alphanumeric account characters. ``stdnum.iban.is_valid`` is stricter
  (every country's registered structure, unknown countries refused): the gateway's check for
  identifiers left in a text (:mod:`compliance.masking.residual`) must not become looser.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum import luhn
from stdnum.iso7064 import mod_97_10

__all__ = [
    "iban_check_digits",
    "is_luhn_valid",
    "is_valid_iban",
    "is_valid_kz_bin",
    "is_valid_kz_iin",
    "kz_check_digit",
    "luhn_check_digit",
]

_KZ_WEIGHTS_FIRST = tuple(range(1, 12))
_KZ_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_IIN_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
_BIN_ENTITY_TYPES = frozenset("456")
_SEPARATORS = re.compile(r"[\s-]")
_IBAN_LENGTHS = {
    "KZ": 20,
    "DE": 22,
    "GB": 22,
    "FR": 27,
    "NL": 18,
    "CH": 21,
    "RU": 33,
    "TR": 26,
    "AE": 23,
}
_KZ_BBAN = re.compile(r"[0-9]{3}[0-9A-Z]{13}")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[0-9A-Z]{11,30}")


def _is_digits(s: str, length: int) -> bool:
    return len(s) == length and s.isascii() and s.isdigit()


def kz_check_digit(first11: str) -> int | None:
    """Return the IIN/BIN check digit for the first 11 digits, or None if no digit can be valid.

    Raises ValueError unless ``first11`` is exactly 11 ASCII digits.
    """
    if not _is_digits(first11, 11):
        raise ValueError(f"expected 11 digits, got {first11!r}")
    digits = [int(c) for c in first11]
    for weights in (_KZ_WEIGHTS_FIRST, _KZ_WEIGHTS_SECOND):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def _has_kz_check_digit(s: str) -> bool:
    return kz_check_digit(s[:11]) == int(s[11])


def is_valid_kz_iin(s: str) -> bool:
    """True for a 12-digit individual identification number with a real birth date and check digit.

    Positions 1-6 are the birth date YYMMDD, the 7th digit (1-6) gives century and sex.
    """
    if not _is_digits(s, 12) or s[6] not in _IIN_CENTURY:
        return False
    year = _IIN_CENTURY[s[6]] + int(s[0:2])
    try:
        dt.date(year, int(s[2:4]), int(s[4:6]))
    except ValueError:
        return False
    return _has_kz_check_digit(s)


def is_valid_kz_bin(s: str) -> bool:
    """True for a 12-digit business identification number.

    Positions 1-4 are the registration YYMM (month 01-12), the 5th digit (4, 5 or 6) is the
    legal-entity type, the 12th the check digit.
    """
    if not _is_digits(s, 12):
        return False
    if not 1 <= int(s[2:4]) <= 12 or s[4] not in _BIN_ENTITY_TYPES:
        return False
    return _has_kz_check_digit(s)


def luhn_check_digit(partial: str) -> int:
    """Return the Luhn digit to append to ``partial`` (digits only)."""
    if not partial or not partial.isascii() or not partial.isdigit():
        raise ValueError(f"expected digits, got {partial!r}")
    return int(luhn.calc_check_digit(partial))


def is_luhn_valid(s: str) -> bool:
    """True if ``s`` (spaces and dashes ignored) is at least two digits and passes Luhn."""
    digits = _SEPARATORS.sub("", s)
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    return luhn.checksum(digits) == 0


def iban_check_digits(country: str, bban: str) -> str:
    """Return the two ISO 13616 check digits for ``country`` + ``bban`` (e.g. ``"86"``)."""
    country = country.upper()
    bban = bban.upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise ValueError(f"expected a two-letter country code, got {country!r}")
    if not bban or not bban.isascii() or not bban.isalnum():
        raise ValueError(f"expected an alphanumeric BBAN, got {bban!r}")
    return mod_97_10.calc_check_digits(bban + country)


def is_valid_iban(s: str) -> bool:
    """True for an IBAN (spaces ignored) with valid check digits and the country's length.

    Kazakh IBANs must also have the shape KZ + 2 digits + 3-digit bank code + 13 alphanumerics.
    """
    iban = re.sub(r"\s", "", s).upper()
    if not iban.isascii() or not _IBAN_SHAPE.fullmatch(iban):
        return False
    country = iban[:2]
    expected = _IBAN_LENGTHS.get(country)
    if expected is not None and len(iban) != expected:
        return False
    if country == "KZ" and not _KZ_BBAN.fullmatch(iban[4:]):
        return False
    return mod_97_10.checksum(iban[4:] + iban[:4]) == 1
