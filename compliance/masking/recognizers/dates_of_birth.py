"""Dates of birth — only where the words before the date say so.

"дата рождения 12.03.1988", "родилась 3 мая 1990 года", "born 3 May 1990", "Date of birth:
12/03/1988", "туған күнім — 1988 жылғы 12 наурыз". Every other date (transactions, periods,
deadlines) stays: extraction needs the deadline. The cue must follow the last number before the
date, so "дата рождения 12.03.1988, до 30.11.2026" masks the first date only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from compliance.masking.entities import DATE_OF_BIRTH, SCORE_IN_CONTEXT
from compliance.masking.recognizers.base import (
    Found,
    context_before,
    has_word_like,
    ocr_digits,
)

_RU_MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_KK_MONTHS = "қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан"
_EN_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_YEAR = r"(?:19|20)\d{2}"
DATE = re.compile(
    r"(?<![\w.])(?:"
    rf"\d{{1,2}}[./-]\d{{1,2}}[./-]{_YEAR}"
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}\s+(?:{_RU_MONTHS})\s+{_YEAR}(?:\s*г\.|\s+года)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_EN_MONTHS})\.?,?\s+{_YEAR}"
    rf"|(?:{_EN_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|{_YEAR}\s+ж(?:ылғы|\.)\s+\d{{1,2}}\s+(?:{_KK_MONTHS})[а-яәғқңөұүһі]*"
    rf"|\d{{1,2}}\s+(?:{_KK_MONTHS})[а-яәғқңөұүһі]*\s+{_YEAR}(?:\s*ж\.|\s+жыл\w*)?"
    r")(?![\w])",
    re.IGNORECASE,
)
#: Cue words, also found with one typo ("bonr", "туғн").
BIRTH_WORDS = frozenset(
    {"рождения", "родился", "родилась", "рождён", "рождена", "born", "birth", "туған", "туылған"}
)
BIRTH_CUE = re.compile(
    r"дат\w*\s*рожд|д\.\s*р\b|родил|рожд[её]н|born|birth|\bdob\b|d\.o\.b|туған|туыл",
    re.IGNORECASE,
)
#: A cue after the date (or the year alone): "1951 г.р.", "12 апреля 1949 года рождения",
#: "1944 жылы туған", "1951 ж.т.".
BIRTH_CUE_AFTER = re.compile(
    r"[ \t]*(?:г\.?[ \t]*р\.?|года[ \t]+рождения|г\.?[ \t]+рождения|ж\.?[ \t]*т\."
    r"|жылы[ \t]+туған|y\.?o\.?b)",
    re.IGNORECASE,
)
#: A date right after a full name with its patronymic, in brackets or after a comma ("Оразалин
#: Нұрислам Бекзатұлы (2019 жылғы 11 наурыз)", "Иванова Анна Петровна, 03.05.1961"): that is how
#: a birth date is written beside a name.
AFTER_PATRONYMIC = re.compile(
    r"(?:ұлы|қызы|улы|кызы|ович|евич|ьич|овна|евна|ична|оглы|угли|qizi|ugli|uly|kyzy)"
    r"[ \t]*[(,][ \t]*$",
    re.IGNORECASE,
)
_YEAR_ALONE = re.compile(rf"(?<![\w.\-/]){_YEAR}(?![\w.\-/]\d)")


def _is_past_year(value: str) -> bool:
    year = int(re.findall(r"(?:19|20)\d{2}", value)[0])
    return 1900 <= year <= dt.datetime.now(dt.UTC).year


def find_dates_of_birth(text: str) -> Iterator[Found]:
    """Dates introduced as someone's date of birth (OCR'd digits read: "2З/09/1999")."""
    digits = ocr_digits(text)
    taken: list[tuple[int, int]] = []
    for match in DATE.finditer(digits):
        cue = context_before(text, match.start(), 40, since_number=True)
        before = (
            cue.has(BIRTH_CUE)
            or has_word_like(cue, BIRTH_WORDS)
            or AFTER_PATRONYMIC.search(cue.raw) is not None
        )
        after = BIRTH_CUE_AFTER.match(digits, match.end())
        if (before or after) and _is_past_year(match.group()):
            end = after.end() if after else match.end()  # "17.04.2013 г.р." masked whole
            taken.append((match.start(), end))
            yield Found(DATE_OF_BIRTH, match.start(), end, SCORE_IN_CONTEXT)
    for match in _YEAR_ALONE.finditer(digits):  # "1951 г.р.": the year is the date of birth
        inside = any(s <= match.start() < e for s, e in taken)
        after = BIRTH_CUE_AFTER.match(digits, match.end())
        if not inside and after and _is_past_year(match.group()):
            yield Found(DATE_OF_BIRTH, match.start(), after.end(), SCORE_IN_CONTEXT)
