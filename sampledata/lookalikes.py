"""Values that look like personal data but are not: request and contract numbers, amounts,
deadlines, the bank's hotlines and masked card numbers.

A masker that redacts these destroys exactly the fields the extract step needs, so the sample
data labels them with spans too. Twelve-digit request numbers are checked to be invalid both as
an IIN and as a BIN.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from compliance.checksums import is_valid_kz_bin, is_valid_kz_iin, kz_check_digit
from sampledata.identifiers import EN_MONTHS, RU_MONTHS_GEN
from sampledata.segments import Seg, lit, look

HOTLINES = ("1414", "7111", "8 800 080 88 88", "+7 727 244 44 44", "505")


@dataclass(frozen=True, slots=True)
class Amount:
    segs: list[Seg]
    value: int | float
    currency: str


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def invalid_12_digit(rng: random.Random, today: dt.date) -> str:
    """A 12-digit number shaped like an IIN (date + century digit) whose check digit fails."""
    while True:
        first11 = today.strftime("%y%m%d") + rng.choice("3456") + _digits(rng, 4)
        check = kz_check_digit(first11)
        wrong = (check + rng.randint(1, 9)) % 10 if check is not None else rng.randint(0, 9)
        number = first11 + str(wrong)
        if not is_valid_kz_iin(number) and not is_valid_kz_bin(number):
            return number


def request_number(rng: random.Random, lang: str, today: dt.date) -> list[Seg]:
    """A request number with the words around it that belong to its format ("№ 4512345")."""
    style = rng.randrange(5)
    if style == 0:
        return [look("REQUEST_NUMBER", f"REQ-{today.year}-{rng.randint(1, 999999):06d}")]
    if style == 1:
        prefix = "No. " if lang == "en" else "№ "
        return [lit(prefix), look("REQUEST_NUMBER", str(rng.randint(1_000_000, 9_999_999)))]
    if style == 2:
        return [look("REQUEST_NUMBER", f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}")]
    if style == 3:
        return [look("REQUEST_NUMBER", invalid_12_digit(rng, today))]
    return [lit("#"), look("REQUEST_NUMBER", f"SR{rng.randint(100000, 999999)}")]


def contract_number(rng: random.Random, lang: str, today: dt.date) -> list[Seg]:
    year = today.year - rng.randint(0, 4)
    style = rng.randrange(4)
    if style == 0:
        value = f"KZ-{rng.randint(10, 99)}/{year}-{rng.randint(1, 999)}"
    elif style == 1 and lang != "en":
        value = f"ДБЗ-{year}-{rng.randint(1, 999999):06d}"
    elif style == 2 and lang != "en":
        return [lit("№ "), look("CONTRACT_NUMBER", f"{rng.randint(1, 99)}/{year}-КР")]
    else:
        value = f"CL-{year}-{rng.randint(1, 99999):05d}"
    return [look("CONTRACT_NUMBER", value)]


def _group_thousands(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def amount(rng: random.Random, lang: str) -> Amount:
    """An amount as written in a complaint, with the number a model should extract."""
    if lang == "en" and rng.random() < 0.35:
        return _foreign_amount(rng)
    whole = rng.choice((rng.randint(1, 999) * 500, rng.randint(1000, 99999) * 10))
    cents = rng.random() < 0.3
    number = _group_thousands(whole, "," if lang == "en" else " ")
    if cents:
        number += ".00" if lang == "en" else ",00"
    word = {"ru": ("тенге", "₸", "тг", "KZT"), "kk": ("теңге", "₸", "KZT"), "en": ("KZT", "tenge")}
    unit = rng.choice(word.get(lang, word["ru"]))
    text = f"KZT {number}" if lang == "en" and rng.random() < 0.3 else f"{number} {unit}"
    return Amount([look("AMOUNT", text)], float(whole) if cents else whole, "KZT")


def _foreign_amount(rng: random.Random) -> Amount:
    whole = rng.randint(5, 4000)
    cents = rng.choice((0, 0, 50, 99))
    value: int | float = whole + cents / 100 if cents else whole
    if rng.random() < 0.6:
        return Amount([look("AMOUNT", f"${whole:,}.{cents:02d}")], value, "USD")
    return Amount([look("AMOUNT", f"{whole:,}.{cents:02d} EUR")], value, "EUR")


def deadline(rng: random.Random, lang: str, day: dt.date) -> list[Seg]:
    """The date part of "до 30.11.2026", "by 2 December 2026", "02.12.2026 дейін"."""
    if lang == "kk" or rng.random() < 0.6:
        return [look("DEADLINE", day.strftime("%d.%m.%Y"))]
    if lang == "en":
        return [look("DEADLINE", f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}")]
    return [look("DEADLINE", f"{day.day} {RU_MONTHS_GEN[day.month - 1]} {day.year}")]


def hotline(rng: random.Random) -> list[Seg]:
    return [look("HOTLINE", rng.choice(HOTLINES))]


def partial_card(rng: random.Random) -> list[Seg]:
    last4 = _digits(rng, 4)
    style = rng.randrange(3)
    if style == 0:
        return [look("PARTIAL_CARD", f"**** **** **** {last4}")]
    if style == 1:
        return [look("PARTIAL_CARD", f"{rng.choice(('4400 43', '5169 49'))}** **** {last4}")]
    return [look("PARTIAL_CARD", f"*{last4}")]
