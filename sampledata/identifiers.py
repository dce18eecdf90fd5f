"""Synthetic personal identifiers: IIN, BIN, phones, e-mails, cards, IBANs, addresses, documents.

Every checksummed value is valid (verified with :mod:`compliance.checksums`), every date is a
real date, and every e-mail lives on a reserved example domain. Functions take the record's
``random.Random`` so the output is a pure function of the seed.
"""

from __future__ import annotations

import datetime as dt
import random

from compliance.checksums import iban_check_digits, kz_check_digit, luhn_check_digit
from sampledata.names import Person

EMAIL_DOMAINS = ("example.kz", "example.com", "mail.example", "corp.example.kz", "inbox.example")

_MOBILE_CODES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777")
_CARD_PREFIXES = ("440043", "440563", "516949", "426343", "552204", "400303", "539545")
_IBAN_BANKS = ("125", "722", "601", "998", "914", "949", "551", "826", "070", "856")

# (Russian, Kazakh, English) spellings
_CITIES = (
    ("Алматы", "Алматы", "Almaty"),
    ("Астана", "Астана", "Astana"),
    ("Шымкент", "Шымкент", "Shymkent"),
    ("Караганда", "Қарағанды", "Karaganda"),
    ("Актобе", "Ақтөбе", "Aktobe"),
    ("Павлодар", "Павлодар", "Pavlodar"),
    ("Усть-Каменогорск", "Өскемен", "Oskemen"),
)
_STREETS = (
    ("пр. Абая", "Абай даңғылы", "Abay Ave"),
    ("пр. Достык", "Достық даңғылы", "Dostyk Ave"),
    ("ул. Толе би", "Төле би көшесі", "Tole Bi St"),
    ("ул. Сатпаева", "Сәтбаев көшесі", "Satpayev St"),
    ("пр. Кабанбай батыра", "Қабанбай батыр даңғылы", "Kabanbay Batyr Ave"),
    ("ул. Ауэзова", "Әуезов көшесі", "Auezov St"),
    ("ул. Жибек жолы", "Жібек жолы көшесі", "Zhibek Zholy St"),
    ("пр. Республики", "Республика даңғылы", "Respublika Ave"),
    ("мкр. Самал-2", "Самал-2 ықшам ауданы", "Samal-2 Microdistrict"),
)

RU_MONTHS_GEN = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
KK_MONTHS = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def birth_date(rng: random.Random, today: dt.date) -> dt.date:
    """An adult's birth date, 19 to 75 years before ``today``."""
    return today - dt.timedelta(days=rng.randint(19 * 365, 75 * 365))


def iin(rng: random.Random, born: dt.date, female: bool) -> str:
    """A valid individual identification number for someone born on ``born``."""
    century = 3 if born.year < 2000 else 5
    head = born.strftime("%y%m%d") + str(century + int(female))
    while True:
        first11 = head + _digits(rng, 4)
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)


def bin_number(rng: random.Random, today: dt.date) -> str:
    """A valid business identification number registered 1 to 25 years before ``today``."""
    registered = today - dt.timedelta(days=rng.randint(365, 25 * 365))
    head = registered.strftime("%y%m") + rng.choice("456") + rng.choice("0123")
    while True:
        first11 = head + _digits(rng, 5)
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)


def phone(rng: random.Random) -> str:
    """A Kazakh (sometimes Russian) phone number in one of the formats people type."""
    code = rng.choice(_MOBILE_CODES)
    a, b, c = _digits(rng, 3), _digits(rng, 2), _digits(rng, 2)
    style = rng.randrange(9)
    if style == 0:
        return f"+7 {code} {a} {b} {c}"
    if style == 1:
        return f"8({code}){a}{b}{c}"
    if style == 2:
        return f"+7{code}{a}{b}{c}"
    if style == 3:
        return f"8 {code} {a}-{b}-{c}"
    if style == 4:
        return f"+7 ({code}) {a}-{b}-{c}"
    if style == 5:
        return f"+7 (727) {rng.randint(200, 399)}-{b}-{c}"
    if style == 6:
        return f"8 7172 {_digits(rng, 2)}-{b}-{c}"
    if style == 7:
        return f"+7 9{_digits(rng, 2)} {a}-{b}-{c}"
    return f"8{code}{a}{b}{c}"


def email(rng: random.Random, person: Person) -> str:
    latin = person.to_latin()
    first, last = latin.first.lower(), latin.surname.lower().replace("'", "")
    style = rng.randrange(5)
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first[0]}.{last}"
    elif style == 2:
        local = f"{last}{rng.randint(70, 99)}"
    elif style == 3:
        local = f"{first}_{last[:4]}"
    else:
        local = f"{first}{last[0]}{rng.randint(1, 9)}"
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def card_number(rng: random.Random) -> str:
    """A Luhn-valid 16-digit card number, spaced, dashed or plain."""
    partial = rng.choice(_CARD_PREFIXES) + _digits(rng, 9)
    number = partial + str(luhn_check_digit(partial))
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice((" ".join(groups), "-".join(groups), number, " ".join(groups)))


def iban(rng: random.Random) -> str:
    """A mod-97-valid Kazakh IBAN (20 characters), grouped by four or not."""
    account = ("KZT" + _digits(rng, 10)) if rng.random() < 0.6 else _digits(rng, 13)
    bban = rng.choice(_IBAN_BANKS) + account
    number = "KZ" + iban_check_digits("KZ", bban) + bban
    if rng.random() < 0.5:
        return " ".join(number[i : i + 4] for i in range(0, 20, 4))
    return number


def address(rng: random.Random, lang: str) -> str:
    """A street address in a Kazakh city, written the way a ``lang`` speaker writes it."""
    city = rng.choice(_CITIES)
    street = rng.choice(_STREETS)
    house, flat = rng.randint(1, 240), rng.randint(1, 180)
    with_flat = rng.random() < 0.7
    if lang == "kk":
        text = f"{city[1]} қ., {street[1]}, {house}-үй"
        return text + (f", {flat}-пәтер" if with_flat else "")
    if lang == "en":
        flat_part = f", apt {flat}" if with_flat else ""
        return f"{house} {street[2]}{flat_part}, {city[2]}"
    if rng.random() < 0.3:
        return f"{city[0]}, {street[0]} {house}-{flat}"
    return f"г. {city[0]}, {street[0]}, д. {house}" + (f", кв. {flat}" if with_flat else "")


def format_date(day: dt.date, lang: str, rng: random.Random) -> str:
    """A date as people write it: 12.03.1988, 12 марта 1988 года, 3 May 1990."""
    if rng.random() < 0.6:
        return day.strftime("%d.%m.%Y")
    if lang == "en":
        return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    if lang == "kk":
        return f"{day.year} жылғы {day.day} {KK_MONTHS[day.month - 1]}"
    return f"{day.day} {RU_MONTHS_GEN[day.month - 1]} {day.year} года"


def id_card_number(rng: random.Random) -> str:
    """A 9-digit Kazakh ID-card number."""
    return "0" + _digits(rng, 8)


def passport_number(rng: random.Random) -> str:
    """A Kazakh passport number: N + 8 digits."""
    return "N" + _digits(rng, 8)
