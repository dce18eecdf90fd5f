"""Kazakh and Russian phone numbers: mobiles and city numbers, in the ways people type them.

``+7 701 234 56 78``, ``8(701)2345678``, ``+77012345678``, ``8 701 234-56-78``,
``+7 (727) 250-11-22``, ``8 7172 55-66-77``, ``+7 916 123-45-67``: a ``+7`` or trunk ``8``, then
ten digits with single spaces, dashes or one pair of parentheses around the area code. A word
may touch the number (``тел+77012345678``, ``звоните87012345678``): any letter before ``+7``, a
Cyrillic one before the trunk ``8`` or after the number (a Latin one there is a code: ``ID8…``).

Left alone, because they reach an organisation and not a person: short service numbers (1414,
7111, 505 — too short to match), toll-free ``8 800 …`` lines, city numbers introduced as a
hotline ("горячая линия", "hotline", "customer service", "диспетчер", "сенім телефоны",
"звоните на …", "… нөміріне
хабарласыңыз"), and the organisation's own numbers passed as ``public_numbers``. Words never
spare a **mobile** (KZ 70x, 747, 75x–77x; Russian 9xx): it reaches a person, so "звоните +7 701
…" is a customer's own number — and the gateway's residual check refuses any KZ mobile left in a
text. A mobile hotline of the organisation belongs in ``public_numbers``.

Numbers with another country code (``+44 20 7946 0958``, ``+998 90 123 45 67``) are found by
python-phonenumbers (:func:`find_international_phones`), which knows every country's lengths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import phonenumbers

from compliance.masking.entities import PHONE_NUMBER, SCORE_IN_CONTEXT, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found, context_before, ocr_digits, only_digits

_SEP = r"[ \-\u00a0]?"
PHONE = re.compile(
    r"(?:(?<![\d_+])\+[ \u00a0]?7|(?<![\dA-Za-z_+])8)"
    rf"{_SEP}(?:\(\d{{3,5}}\){_SEP})?"
    rf"\d(?:{_SEP}\d){{4,9}}"
    r"(?![\dA-Za-z_])(?![ \-]\d)"
)
#: First digits of a national number that reach a person: KZ mobiles and cities (7),
#: Russian cities (3, 4, 8) and mobiles (9). 80x is toll-free or premium: a service.
_PERSONAL_START = re.compile(r"[3479]|8[1-9]")
_KZ_MOBILE = re.compile(r"7(?:0\d|47|5\d|6\d|7\d)")
#: Mobiles, KZ and Russian (9xx): they reach a person whatever the words around them say.
_MOBILE = re.compile(rf"{_KZ_MOBILE.pattern}|9")
_HOTLINE_BEFORE = re.compile(
    r"горяч\w*|hot\s*line|call[\s-]*(?:cent|центр)|колл-?центр|контакт-?центр|справочн"
    r"|сенім\s*телефон|(?:^|\W)(?:по)?звоните\s*(?:на|по)?\s*$|(?:^|\W)call\s*$"
    r"|(?:customer\s*(?:service|care|support)|диспетчер|единый\s*номер|бірыңғай\s*нөмір)"
    r"[^.!?\n]*$"  # in the same sentence: "…through customer support.\n\nReach me at …" is mine
)
_HOTLINE_AFTER = re.compile(r"\W{0,3}(?:сенім|нөміріне\s*хабарлас|желісі)", re.IGNORECASE)


def national_number(value: str) -> str | None:
    """The ten national digits of a +7/8 number, or None if it has not exactly ten."""
    digits = only_digits(value)
    if len(digits) != 11 or digits[0] not in "78":
        return None
    return digits[1:]


def is_kz_mobile(value: str) -> bool:
    """True for a Kazakh mobile number (+7 70x, 747, 75x-77x) in any of the usual spellings."""
    national = national_number(value)
    return national is not None and _KZ_MOBILE.match(national) is not None


def _introduced_as_hotline(text: str, start: int, end: int) -> bool:
    before = context_before(text, start, 40).raw
    return bool(_HOTLINE_BEFORE.search(before) or _HOTLINE_AFTER.match(text, end))


def _is_valid_shape(value: str) -> bool:
    return value.count("(") == value.count(")") <= 1


def find_phones(text: str, public_numbers: Iterable[str] = ()) -> Iterator[Found]:
    """Personal phone numbers in ``text``; ``public_numbers`` are the organisation's own."""
    public = {national_number(n) or only_digits(n) for n in public_numbers}
    for match in PHONE.finditer(ocr_digits(text)):  # "+7 7О7 52О 81 46" from a scan
        national = national_number(match.group())
        if national is None or not _is_valid_shape(match.group()):
            continue
        if not _PERSONAL_START.match(national) or national in public:
            continue
        if not _MOBILE.match(national) and _introduced_as_hotline(text, match.start(), match.end()):
            continue
        yield Found(PHONE_NUMBER, match.start(), match.end(), SCORE_VALIDATED)


_FOREIGN_PREFIX = re.compile(r"\+[ \u00a0]?[1-689]")


def find_international_phones(text: str) -> Iterator[Found]:
    """Phone numbers written with a country code other than +7."""
    if not _FOREIGN_PREFIX.search(text):
        return
    # POSSIBLE, not VALID: a number with a "+" and a plausible length is someone's, even in a
    # range the numbering plan reserves (+44 7700 900…) or has not allocated yet.
    matcher = phonenumbers.PhoneNumberMatcher(text, "KZ", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        if match.raw_string.startswith("+") and match.number.country_code != 7:
            yield Found(PHONE_NUMBER, match.start, match.end, SCORE_IN_CONTEXT)
