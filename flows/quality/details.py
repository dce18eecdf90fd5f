"""The checkable details of a text: numbers, dates, amounts, e-mail addresses, placeholders, names.

:func:`details` reads a text once into a :class:`Details`; :meth:`Details.unknown_in` lists the
kinds of details a reply has that its source has not. Normalization makes the same fact
compare equal however it is written:

- **numbers**: ``150 000`` = ``150000``; ``12 500,00`` = ``12500.00`` = ``12500``; an ambiguous
  single separator (``1,500``, ``12.500``) stands for both readings; identifiers with letters
  (``KZ06``, ``SR877862``) compare case-insensitively with Cyrillic look-alike letters folded;
  a long digit run (phone, card, account: 7+ digits) also matches when the source has the same
  digits in another grouping (``+7 777 333 30 83`` = ``+77773333083``);
- **dates**: ``02.12.2026``, ``2026-12-02``, ``2 декабря 2026``, ``2026 жылғы 2 желтоқсан``,
  ``December 2, 2026`` and ``2 Dec`` are the same day; a date without a year matches any year;
- **amounts**: a number next to a currency (``₸ тг тенге теңге KZT``, ``$ USD``, ``€ EUR``,
  ``₽ руб RUB``) must exist in the source, and not only with another currency;
- **e-mail addresses** compare case-insensitively; **placeholders** (``[PERSON_1]``) exactly —
  a bracketed look-alike (``[PERSON 1]``, ``[person_1]``) in a reply is a new placeholder;
- **names** (best effort): two or more capitalized words in a row, greeting and courtesy words
  left out, none of whose stems (first letters, so declension does not matter) occurs in the
  source. Single unknown capitalized words are not flagged: they are too often ordinary words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_\d+\]")
_LOOSE_PLACEHOLDER = re.compile(r"\[\s*[^\W\d_][^\[\]\n]{0,38}?\d+\s*\]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|www\.\S+")

_MONTHS: tuple[str, ...] = (
    r"январ\w*|jan(?:uary)?|қаңтар\w*",
    r"феврал\w*|feb(?:ruary)?|ақпан\w*",
    r"март\w*|mar(?:ch)?|наурыз\w*",
    r"апрел\w*|apr(?:il)?|сәуір\w*",
    r"ма[йя]|may|мамыр\w*",
    r"июн[ьяе]|june?|маусым\w*",
    r"июл[ьяе]|july?|шілде\w*",
    r"август\w*|aug(?:ust)?|тамыз\w*",
    r"сентябр\w*|sep(?:t|tember)?|қыркүйек\w*",
    r"октябр\w*|oct(?:ober)?|қазан\w*",
    r"ноябр\w*|nov(?:ember)?|қараша\w*",
    r"декабр\w*|dec(?:ember)?|желтоқсан\w*",
)
_MONTH_PATTERNS = tuple(re.compile(rf"(?:{month})\.?", re.I) for month in _MONTHS)
_MONTH = r"((?:" + "|".join(_MONTHS) + r")(?![^\W\d_])\.?)"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?![\d])"), "dmy"),
    (re.compile(rf"(?<!\d)(\d{{4}})\s+жылғы\s+(\d{{1,2}})\s*{_MONTH}", re.I), "ydM"),
    (re.compile(rf"(?<!\d)(\d{{1,2}})\s*{_MONTH}(?:\s+(\d{{4}}))?", re.I), "dMy"),
    (
        re.compile(
            rf"(?<![^\W\d_]){_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", re.I
        ),
        "Mdy",
    ),
)
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("KZT", r"₸|тг\b\.?|тенге|теңге|kzt\b|tenge\b"),
    ("USD", r"\$|usd\b|долл[^\W\d_]*|dollars?\b"),
    ("EUR", r"€|eur\b|евро\b|euros?\b"),
    ("RUB", r"₽|rub\b|руб[^\W\d_]*|r[ou]?ubles?\b"),
)
_CURRENCY = "|".join(f"(?P<{code}>{pattern})" for code, pattern in _CURRENCIES)
_AFTER = re.compile(rf"\s?(?:{_CURRENCY})", re.I)
_BEFORE = re.compile(rf"(?:{_CURRENCY})\s?$", re.I)
_GROUPED = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?![\w])")
_SEPARATED = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)+(?![\w])")
_ALNUM_WITH_DIGIT = re.compile(r"[^\W_]*\d[^\W_]*")
_DIGIT_RUN = re.compile(r"\+?\d[\d \u00a0\-()]*\d")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.M)
_CAPITALIZED = r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+(?:-[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+)?"
_NAME_RUN = re.compile(rf"{_CAPITALIZED}(?:[ \u00a0]+{_CAPITALIZED})+")
_WORD = re.compile(r"[^\W\d_]+")
_LOOKALIKES = str.maketrans("авекмнорстухі", "abekmhopctyxi")
#: Capitalized words that are not names: greetings, courtesy, the bank, the calendar.
COMMON_CAPITALIZED = _words(
    """уважаемый уважаемая уважаемые здравствуйте добрый доброе добрая дорогой дорогая спасибо
    благодарим с спасибо вы вам вас ваш ваша ваше вашего вашей вашу служба поддержки поддержка
    клиентов банк банка команда отдел менеджер с уважением искренне
    құрметті сәлеметсіз сәлем қайырлы күн рақмет сіз сізге сіздің сізді банк банкі қызметі
    қолдау құрметпен dear hello hi good morning afternoon evening thank thanks you your we
    kind best regards sincerely yours team support customer service bank mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday"""
)


def fold(text: str) -> str:
    """Case and Cyrillic look-alike letters folded: ``КZ`` (Cyrillic К) = ``kz``."""
    return text.lower().translate(_LOOKALIKES)


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_values(token: str) -> frozenset[str]:
    """Every reading of a written number, canonical (``12 500,00`` → ``{"12500"}``)."""
    digits = re.sub(r"[ \u00a0\u202f]", "", token)
    separators = [char for char in digits if char in ".,"]
    readings: list[str] = []
    if not separators:
        readings.append(digits)
    elif len(set(separators)) == 2:  # 1,500.75 or 1.500,75: the last one is the decimal point
        decimal_point = separators[-1]
        whole, _, frac = digits.rpartition(decimal_point)
        readings.append(re.sub(r"[.,]", "", whole) + "." + frac)
    elif len(separators) > 1:  # 1,500,000
        readings.append(re.sub(r"[.,]", "", digits))
    else:
        whole, _, frac = re.split(r"([.,])", digits)
        readings.append(f"{whole}.{frac}")
        if len(frac) == 3:  # 1,500 or 12.500: maybe a thousands separator
            readings.append(whole + frac)
    values: set[str] = set()
    for reading in readings:
        try:
            values.add(_canonical(Decimal(reading)))
        except InvalidOperation:
            continue
    return frozenset(values)


@dataclass
class Details:
    """What :func:`details` found in one text (values normalized for comparison)."""

    placeholders: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    dates: set[tuple[int | None, int, int]] = field(default_factory=set)
    #: (value, currency) of each amount.
    amounts: set[tuple[str, str]] = field(default_factory=set)
    #: Canonical numbers and folded identifiers.
    numbers: set[str] = field(default_factory=set)
    #: Day, month and year numbers of the dates.
    date_parts: set[str] = field(default_factory=set)
    #: Digits of long digit runs (phones, cards, accounts).
    digit_runs: set[str] = field(default_factory=set)
    #: Each written number: its readings and the currency next to it (None: a plain number).
    tokens: list[tuple[frozenset[str], str | None]] = field(default_factory=list)
    #: The numbers read inside each long digit run, by the run's digits.
    run_numbers: dict[str, set[str]] = field(default_factory=dict)
    #: Name-like runs of capitalized words, as tuples of stems.
    names: set[tuple[str, ...]] = field(default_factory=set)
    #: Stems of every word.
    stems: set[str] = field(default_factory=set)

    def unknown_in(self, reply: Details) -> list[str]:
        """Kinds of details ``reply`` has that this source does not, in a fixed order."""
        kinds = {
            "placeholder": bool(reply.placeholders - self.placeholders),
            "email": bool(reply.emails - self.emails),
            "date": any(not self._knows_date(date) for date in reply.dates),
            "amount": any(
                not any(self._knows_amount((value, currency)) for value in values)
                for values, currency in reply.tokens
                if currency is not None
            ),
            "number": self._has_unknown_number(reply),
            "name": any(not (set(name) & self.stems) for name in reply.names),
        }
        return [kind for kind, unknown in kinds.items() if unknown]

    def _has_unknown_number(self, reply: Details) -> bool:
        """A plain number of ``reply`` none of whose readings this source has; a long digit
        run the source has (in any grouping) vouches for every number read inside it."""
        vouched: set[str] = set().union(
            *(numbers for run, numbers in reply.run_numbers.items() if self._knows_run(run))
        )
        return any(
            not (values & vouched) and not any(self._knows_number(v) for v in values)
            for values, currency in reply.tokens
            if currency is None
        )

    def _knows_run(self, run: str) -> bool:
        variants = {run, "7" + run[1:]} if len(run) == 11 and run.startswith("8") else {run}
        return any(variant in known for variant in variants for known in self.digit_runs)

    def _knows_date(self, date: tuple[int | None, int, int]) -> bool:
        year, month, day = date
        return any(
            (m, d) == (month, day) and (y is None or year is None or y == year)
            for y, m, d in self.dates
        )

    def _knows_amount(self, amount: tuple[str, str]) -> bool:
        value, currency = amount
        if not self._knows_number(value):
            return False
        currencies = {c for v, c in self.amounts if v == value}
        return not currencies or currency in currencies

    def _knows_number(self, number: str) -> bool:
        if number in self.numbers or number in self.date_parts:
            return True
        return number.isdigit() and len(number) >= 7 and any(number in r for r in self.digit_runs)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _dates(text: str) -> tuple[set[tuple[int | None, int, int]], str]:
    found: set[tuple[int | None, int, int]] = set()
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = _date_of(match.groups(), order)
            if date is not None:
                found.add(date)
                text = _blank(text, match.start(), match.end())
    return found, text


def _date_of(groups: tuple[str | None, ...], order: str) -> tuple[int | None, int, int] | None:
    parts = dict(zip(order, groups, strict=True))
    month_text = parts.get("M")
    month = _month_number(month_text) if month_text else int(parts.get("m") or 0)
    day = int(parts.get("d") or 0)
    year_text = parts.get("y")
    year = int(year_text) if year_text else None
    if year is not None and year < 100:
        year += 2000
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year, month, day


def _month_number(text: str) -> int:
    for number, pattern in enumerate(_MONTH_PATTERNS, 1):
        if pattern.fullmatch(text):
            return number
    return 0


def _currency_near(text: str, start: int, end: int) -> str | None:
    for match in (_AFTER.match(text, end), _BEFORE.search(text[max(0, start - 6) : start])):
        if match is not None:
            return next(code for code, value in match.groupdict().items() if value)
    return None


def _numbers(text: str, found: Details) -> list[tuple[set[str], int, int]]:
    """Read the numbers of ``text`` into ``found``; return each one's values and span."""
    spans: list[tuple[set[str], int, int]] = []
    for pattern in (_GROUPED, _SEPARATED, _ALNUM_WITH_DIGIT):
        for match in list(pattern.finditer(text)):
            token = match.group()
            values = number_values(token) if pattern is not _ALNUM_WITH_DIGIT else set()
            if not values:
                values = {_canonical(Decimal(token))} if token.isdigit() else {fold(token)}
            currency = _currency_near(text, match.start(), match.end())
            found.tokens.append((frozenset(values), currency))
            for value in values:
                found.numbers.add(value)
                if currency is not None:
                    found.amounts.add((value, currency))
            spans.append((set(values), match.start(), match.end()))
            text = _blank(text, match.start(), match.end())
    return spans


def _stem(word: str) -> str:
    folded = fold(word)
    return folded[: max(3, min(5, len(folded) - 1))]


def _names(text: str) -> Iterator[tuple[str, ...]]:
    for match in _NAME_RUN.finditer(text):
        words = [
            w for w in re.split(r"[ \u00a0]+", match.group()) if w.lower() not in COMMON_CAPITALIZED
        ]
        if words:
            yield tuple(_stem(word) for word in words)


def _digit_runs(text: str) -> list[tuple[str, int, int]]:
    """Runs of 7+ digits (phones, cards, accounts): their digits and spans."""
    runs = [(re.sub(r"\D", "", m.group()), m.start(), m.end()) for m in _DIGIT_RUN.finditer(text)]
    return [run for run in runs if len(run[0]) >= 7]


def details(text: str) -> Details:
    """Read the checkable details of ``text``."""
    found = Details()
    found.placeholders = set(PLACEHOLDER.findall(text)) | set(_LOOSE_PLACEHOLDER.findall(text))
    text = _LOOSE_PLACEHOLDER.sub(" ", text)
    found.emails = {email.lower() for email in EMAIL.findall(text)}
    text = _URL.sub(" ", EMAIL.sub(" ", text))
    runs = _digit_runs(text)
    found.digit_runs = {digits for digits, _, _ in runs}
    found.digit_runs |= {"7" + d[1:] for d in found.digit_runs if len(d) == 11 and d[0] == "8"}
    found.dates, text = _dates(text)
    for year, month, day in found.dates:
        found.date_parts.update(str(part) for part in (year, month, day) if part is not None)
    text = _LIST_MARKER.sub(lambda m: " " * len(m.group()), text)
    numbers = _numbers(text, found)
    for digits, start, end in runs:
        inside = [values for values, s, e in numbers if start <= s and e <= end]
        found.run_numbers.setdefault(digits, set()).update(*inside)
    found.names = set(_names(text))
    found.stems = {_stem(word) for word in _WORD.findall(text)}
    return found
