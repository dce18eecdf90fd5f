"""Facts a model may copy from a text: identifiers, an amount and its currency, dates, names.

Pure functions over the user's text; nothing here is random or invented.

- **identifiers** (:func:`identifier`): tokens of letters and digits, joined by ``-`` or ``/``,
  with at least 3 digits (``REQ-2026-004512``, ``KZ-77/2025-114``, ``SR123456``); a number after
  ``№``, ``#`` or ``No.`` (``№ 4512345`` → ``4512345``); a plain digit run of 5+ digits right
  after a request or contract word. Dates, phone-number pieces, e-mail addresses and URLs are
  not identifiers. Each one is *claimed* by the nearest keyword before it (or just after it,
  as in Kazakh ``… шарты бойынша``): a request word (заявка, request, өтінім …), a contract word
  (договор, contract, шарт …) or another kind (card, account, IIN, phone, passport …).
- **money** (:func:`money`): the first number next to a currency (тенге, теңге, тг, ₸, KZT, USD,
  $, доллар, EUR, €, евро, руб, RUB, ₽) → ``(150000.0, "KZT")``; ``150 000``, ``12 500,00``,
  ``$1,250.00`` and ``KZT 150,000`` are all read.
- **dates** (:func:`first_date`): ``30.11.2026``, ``2026-11-30``, ``2 December 2026``,
  ``December 2, 2026``, ``2 декабря 2026``, ``2026 жылғы 2 желтоқсан`` → ``2026-11-30``;
  dates of birth are skipped. :func:`deadline_date` takes only a date written as a deadline:
  after "до", "by", "until", "не позднее", "срок", "today" … or before "дейін".
- **person placeholders** (:func:`person_placeholder`): the first ``[PERSON_1]``-style one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_LETTER = "A-Za-z\u0400-\u04ff"
_TOKEN = re.compile(rf"(?<![\w/-])[0-9{_LETTER}]+(?:[-/][0-9{_LETTER}]+)*(?![\w@])")
_MARK = re.compile(r"(?:№|#|\bNo\.|\bN)\s*$")
_PHONE_PIECE = re.compile(r"(?:[\d)+]|\d[ \t])[ \t]?$")
_NOISE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+|\[[^\[\]\n]{1,40}\]")
_KEYWORDS: dict[str, re.Pattern[str]] = {
    "request": re.compile(
        r"(?<!\w)(?:заявк|заявлени|обращени|тикет|ticket|request|reference|application|"
        r"case\b|id\b|өтінім|өтініш|сұраныс)",
        re.IGNORECASE,
    ),
    "contract": re.compile(r"(?<!\w)(?:договор|contract|agreement|шарт|келісім)", re.IGNORECASE),
    "other": re.compile(
        r"(?<!\w)(?:иин|iin|жсн|бин\b|bin\b|карт|card|сч[её]т|account|шот|iban|тел|phone|"
        r"паспорт|passport|төлқұжат|куәлік|удостоверени|адрес|address|мекенжай|ул\.|пр\.|"
        r"улиц|street|st\b|ave\b|apt\b|кв\.|даңғыл|көше|мкр)",
        re.IGNORECASE,
    ),
}
#: Kazakh puts the noun after the number: "KZ-77/2025-114 шарты бойынша", "SR123 өтінішіңіз".
_KEYWORDS_AFTER: dict[str, re.Pattern[str]] = {
    "request": re.compile(r"^\W{0,3}(?:өтінім|өтініш|сұраныс)", re.IGNORECASE),
    "contract": re.compile(r"^\W{0,3}(?:шарт|келісім)", re.IGNORECASE),
}
_OWN_PREFIX = {"request": ("REQ", "SR", "TKT"), "contract": ("ДБЗ", "CL-", "ДОГ")}
_BEFORE, _AFTER, _PLAIN_REACH = 40, 15, 25


@dataclass(frozen=True)
class _Candidate:
    token: str
    kind: str | None  # request, contract, other, or None (no keyword near it)
    strong: bool  # shaped like an identifier on its own (separator, № mark or known prefix)


def identifier(text: str, kind: str | None) -> str | None:
    """The first identifier of ``kind`` (``request``/``contract``/None: any) in ``text``."""
    candidates = list(_candidates(text))
    if kind is not None:
        for candidate in candidates:
            if candidate.kind == kind:
                return candidate.token
    for candidate in candidates:
        if candidate.kind is None and candidate.strong:
            return candidate.token
    if kind is None:
        return next((c.token for c in candidates if c.kind != "other"), None)
    return None


def _candidates(text: str) -> Iterator[_Candidate]:
    clean = _NOISE.sub(lambda match: " " * len(match.group()), text)
    for match in _TOKEN.finditer(clean):
        candidate = _candidate(clean, match)
        if candidate is not None:
            yield candidate


def _candidate(text: str, match: re.Match[str]) -> _Candidate | None:
    token = match.group()
    before = text[max(0, match.start() - _BEFORE) : match.start()]
    marked = bool(_MARK.search(before))
    if not _identifier_shaped(token) or (_PHONE_PIECE.search(before) and not marked):
        return None
    kind, distance = _claim(before, text[match.end() : match.end() + _AFTER])
    kind = kind or _own_kind(token)
    if token.isdigit() and not marked:
        near = kind in ("request", "contract") and distance <= _PLAIN_REACH
        if not near or len(token) < 5:
            return None
    strong = marked or "-" in token or "/" in token or _own_kind(token) is not None
    return _Candidate(token, kind, strong)


def _identifier_shaped(token: str) -> bool:
    """3+ digits, upper-case letters only, more digits than letters unless separated."""
    digits = sum(char.isdigit() for char in token)
    if digits < 3 or _is_date(token) or _is_phone_shaped(token):
        return False
    if any(char.islower() for char in token):
        return False
    return "-" in token or "/" in token or digits > len(token) - digits


def _claim(before: str, after: str) -> tuple[str | None, int]:
    """The kind of the keyword nearest to a token, and its distance in characters."""
    best: tuple[str | None, int] = (None, _BEFORE + 1)
    for kind, pattern in _KEYWORDS.items():
        for found in pattern.finditer(before):
            distance = len(before) - found.end()
            if distance < best[1]:
                best = (kind, distance)
    for kind, pattern in _KEYWORDS_AFTER.items():
        found_after = pattern.search(after)
        if found_after is not None and found_after.end() < best[1]:
            best = (kind, found_after.end())
    return best


def _own_kind(token: str) -> str | None:
    upper = token.upper()
    for kind, prefixes in _OWN_PREFIX.items():
        if upper.startswith(prefixes):
            return kind
    return None


def _is_phone_shaped(token: str) -> bool:
    groups = re.split(r"[-/]", token)
    return len(groups) >= 4 and all(group.isdigit() for group in groups)


def _is_date(token: str) -> bool:
    return any(_parse_date(match) for _, match in _date_matches(token))


# --- money -------------------------------------------------------------------------------

_NUMBER = (
    r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?"
)
_CURRENCY_AFTER = (
    r"тенге|теңге|тг\.?|₸|kzt|tenge|usd|\$|доллар\w*|dollars?|eur|€|евро|euros?"
    r"|rub|₽|руб\w*|рубл\w*"
)
_CODE_FIRST = rf"(?P<code>KZT|USD|EUR|RUB|\$|€|₸|₽)[ \u00a0]?(?P<number2>{_NUMBER})(?![\d])"
_MONEY = re.compile(
    rf"(?<![\w.,])(?P<number>{_NUMBER})(?![\d])[ \u00a0]{{0,2}}"
    rf"(?P<currency>{_CURRENCY_AFTER})(?!\w)|(?<!\w){_CODE_FIRST}",
    re.IGNORECASE,
)
_CODE_THEN_NUMBER = re.compile(_CODE_FIRST, re.IGNORECASE)
_CURRENCIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("KZT", ("kzt", "₸", "тенге", "теңге", "tenge", "тг")),
    ("USD", ("usd", "$", "доллар", "dollar")),
    ("EUR", ("eur", "€", "евро")),
    ("RUB", ("rub", "₽", "руб")),
)


def money(text: str) -> tuple[float, str] | None:
    """The first amount written next to a currency, as ``(number, ISO code)``."""
    for match in _MONEY.finditer(text):
        raw, word = match.group("number"), match.group("currency")
        if raw is not None:
            # "On 16 November 2026 KZT 830,190": the code belongs to the number after it.
            after = _CODE_THEN_NUMBER.match(text, match.start("currency"))
            raw, word = (after.group("number2"), after.group("code")) if after else (raw, word)
        else:
            raw, word = match.group("number2"), match.group("code")
        currency = currency_code(word)
        if currency is not None:
            return parse_number(raw), currency
    return None


def currency_code(word: str) -> str | None:
    """``тг`` → ``KZT``, ``$`` → ``USD``, ``евро`` → ``EUR`` …; None for no currency."""
    lowered = word.lower()
    for code, prefixes in _CURRENCIES:
        if lowered.startswith(prefixes):
            return code
    return None


def parse_number(raw: str) -> float:
    """``150 000`` → 150000.0, ``12 500,00`` → 12500.0, ``1,250.00`` → 1250.0."""
    text = re.sub(r"[ \u00a0\u202f]", "", raw)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(text.replace(thousands, "").replace(decimal, "."))
    for separator in (",", "."):
        if separator in text:
            head, _, tail = text.rpartition(separator)
            if len(tail) == 3:
                return float(text.replace(separator, ""))
            return float(head.replace(separator, "") + "." + tail)
    return float(text)


# --- dates -------------------------------------------------------------------------------

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
_MONTH = r"(?P<month>(?:" + "|".join(_MONTHS) + r")(?![^\W\d_]))\.?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\d.])(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})[./-](?P<mon>\d{1,2})[./-](?P<year>\d{4})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<year>\d{{4}})\s+жылғы\s+(?P<day>\d{{1,2}})\s+{_MONTH}", re.I),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>\d{{4}})(?!\d)", re.I),
    re.compile(rf"(?<![^\W\d_]){_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})(?!\d)", re.I),
)
_BIRTH = re.compile(r"(?:birth|born|рождени|туған)\w*\W{0,3}\w*\W*$", re.IGNORECASE)
_DEADLINE_BEFORE = re.compile(
    r"(?:\bдо|\bby|\buntil|\bbefore|\bне позднее|\bсрок\w*|\bdeadline|мерзім\w*|\btoday|"
    r"сегодня|бүгін|к)\W{0,3}$",
    re.IGNORECASE,
)
_DEADLINE_AFTER = re.compile(r"^\W{0,2}(?:дейін|дейин|deadline)", re.IGNORECASE)


def first_date(text: str) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD`` (dates of birth skipped)."""
    dates = _dates(text)
    return min(dates)[1] if dates else None


def deadline_date(text: str) -> str | None:
    """The first date written as a deadline ("до 30.11.2026", "by 2 December 2026" …)."""
    dates = [(start, iso) for start, iso, marked in _dates(text) if marked]
    return min(dates)[1] if dates else None


def _dates(text: str) -> list[tuple[int, str, bool]]:
    """Every date in ``text``: ``(position, ISO date, written as a deadline)``."""
    dates: list[tuple[int, str, bool]] = []
    for start, match in _date_matches(text):
        iso = _parse_date(match)
        before = text[max(0, start - 30) : start]
        if iso is None or _BIRTH.search(before):
            continue
        after = text[match.end() : match.end() + 12]
        marked = bool(_DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.search(after))
        dates.append((start, iso, marked))
    return dates


def _date_matches(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            yield match.start(), match


def _parse_date(match: re.Match[str]) -> str | None:
    parts = match.groupdict()
    month = _month_number(parts["month"]) if parts.get("month") else int(parts["mon"])
    try:
        day = dt.date(int(parts["year"]), month, int(parts["day"]))
    except ValueError:
        return None
    return day.isoformat() if 1900 <= day.year <= 2100 else None


def _month_number(word: str) -> int:
    for number, pattern in enumerate(_MONTHS, 1):
        if re.fullmatch(rf"(?:{pattern})\.?", word, re.IGNORECASE):
            return number
    return 0


# --- placeholders ------------------------------------------------------------------------

_PERSON = re.compile(r"\[(?:PERSON|NAME|CUSTOMER)_\d+\]")


def person_placeholder(text: str) -> str | None:
    """The first ``[PERSON_1]``-style placeholder in ``text``."""
    found = _PERSON.search(text)
    return found.group() if found else None
