"""Street addresses in Kazakhstan, written in Russian, Kazakh or English transliteration.

An address is read as a chain of parts separated by commas, spaces or one line break:

- ``place``: a city, village, district, region or the country — ``г. Актау``, ``Қостанай
  қаласы``, ``Almaly district``, ``Республика Казахстан``, or a known city (:data:`CITIES`);
- ``post``: a six-digit postcode next to a place (``050000, г. Алматы``);
- ``street``: a street or micro-district with its type word before or after the name —
  ``ул. Абая``, ``Мұқанов көшесі``, ``Rozybakiev St``, ``мкр. 5``, ``Stepnoy-2 microdistrict``;
- ``house``: a marked house number — ``д. 120А``, ``bld 137/1``, ``97/2-үй``;
- ``number``: a bare house number, only right after a street or right before an English one
  (``Абая 150-12``, ``45 Kunayev St``);
- ``flat`` (``кв. 116``, ``56 пәтер``, ``office 96``) and ``extra`` (``корп. 2``, ``эт. 3``).

A chain is an address when it holds a street with a house, number or flat, a house with a
flat, or a place with a house; a city alone, a street alone ("отделение на ул. Абая") or a
number alone ("Order 150-12") is not. Street and place names are any capitalized words, so
streets, villages and cities in no list are found by their structure. An unknown city written
before the street ("Жанатас, ул. Абая 5") or last ("…, apt 5, Zhanatas.") joins the span.

Latin look-alike letters inside a Cyrillic word (``yл.`` for ``ул.``, OCR's ``Aбая``) are read
as Cyrillic, and the other way round; the span is that of the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import NamedTuple

from compliance.masking.entities import ADDRESS, SCORE_IN_CONTEXT
from compliance.masking.recognizers import address_words as w
from compliance.masking.recognizers.base import Found, ocr_digits
from compliance.masking.view import fold_scripts

__all__ = ["CITIES", "find_addresses"]

CITIES = w.CITIES

_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_H = r"[ \t\u00a0]"
_S = rf"{_H}*(?:\n{_H}*)?"  # optional space, at most one line break
_S1 = rf"(?:{_H}+(?:\n{_H}*)?|\n{_H}*)"  # some space, at most one line break
_B = r"(?<![\w-])"  # a keyword starts a word
_E = r"(?![\w])"  # and ends one


def _words(*fragments: str) -> str:
    """The alternatives of ``fragments`` without their full stops, for the keyword guard."""
    return "|".join(f.replace(r"\.", "") for f in fragments)


_KEYWORD = _words(
    w.STREET_BEFORE, w.STREET_BEFORE_DOT, w.HOUSE_BEFORE, w.FLAT_BEFORE, w.EXTRA_BEFORE
)
_WORD = rf"(?=[{_UP}])(?!(?i:{_KEYWORD})(?![\w-]))[{_UP}][\w'’]*(?:-\w+)*"
_NAME = rf"{_WORD}(?:{_H}+(?:{_WORD}|(?:{w.LINK}){_E})){{0,3}}"
_INITIAL = rf"(?:[{_UP}]\.{_H}*)?"  # "Қ.Сәтбаев көшесі", "ул. Р. Қошқарбаева"
_ORDINAL = r"\d{1,3}(?:-?(?:й|ый|ий|ші|шы|th|st|nd|rd))?"
_NUMBER = w.HOUSE_NUMBER
_NO = rf"(?:(?:№|(?i:no)\.?){_H}*)?"

_STREET = (
    rf"{_B}(?i:(?:{w.STREET_BEFORE})\.?|(?:{w.STREET_BEFORE_DOT})\.)"
    rf"{_S}(?:им\.{_S}|имени{_H}+)?(?:\d{{1,3}}{_H}+(?:лет|жыл\w*){_H}+)?(?:\d{{1,2}}{_H}+)?"
    rf"{_INITIAL}(?:{_NAME}|[{_UP}][\w'’]+(?:-\w+)*)"
    rf"|{_B}(?i:(?:{w.STREET_BEFORE}|{w.MICRO})\.?|(?:{w.STREET_BEFORE_DOT})\.)"
    rf"{_S}{_NO}\d{{1,3}}[A-ZА-ЯЁ]?{_E}"
    rf"|{_B}{_ORDINAL}(?:{_S1}|-)(?i:{w.MICRO})\.?{_E}"
    rf"|{_INITIAL}{_NAME}(?:{_H}+[^\W\d_]+)?(?:{_H}+\d{{1,2}})?{_H}+(?i:{w.STREET_AFTER}){_E}"
)
_PLACE = (
    rf"{_B}(?i:{w.PLACE_BEFORE}){_S}(?:им\.{_S}|имени{_H}+)?{_WORD}(?:{_H}+(?:{w.LINK}){_E})?"
    rf"|{_WORD}(?:{_H}+(?:{_WORD}|(?:{w.LINK}){_E}))?{_S1}(?i:{w.PLACE_AFTER})(?![\w-])"
    rf"|{_B}{w.COUNTRY}{_E}|{_B}(?i:{CITIES})(?![\w-])"
    rf"|{_WORD}(?=,?{_H}+\d{{6}}{_E})"  # a town in no list, known by its postcode
)
_HOUSE = (
    rf"{_B}(?i:{w.HOUSE_BEFORE}){_S}{_NO}{_NUMBER}"
    rf"|{_B}{_NUMBER}{_H}*-?{_H}*(?i:{w.HOUSE_AFTER}){_E}"
)
_FLAT = (
    rf"{_B}(?i:{w.FLAT_BEFORE})\.?{_S}-?{_NO}\d{{1,4}}[A-Za-zА-Яа-яЁё]?(?:[/-]\d{{1,4}})?{_E}"
    rf"|{_B}\d{{1,4}}{_H}*-?{_H}*(?i:{w.FLAT_AFTER}){_E}"
)
_EXTRA = (
    rf"{_B}(?i:{w.EXTRA_BEFORE}){_S}{_NO}(?:\d{{1,3}}[A-Za-zА-Яа-яЁё]?|[A-ZА-ЯЁ]){_E}"
    rf"|{_B}{_ORDINAL}{_H}*-?{_H}*(?i:{w.EXTRA_AFTER}){_E}"
    rf"|{_B}(?i:{w.EXTRA_ALONE})(?:{_H}+{_ORDINAL}{_H}*-?{_H}*(?i:{w.EXTRA_AFTER}))?{_E}"
)
_COMPLEX = (
    rf"{_B}(?:{w.COMPLEX_BEFORE}){_H}*[«\"“][^»\"”\n]{{1,40}}[»\"”]"
    rf"|{_NAME}{_H}+(?:{w.COMPLEX_AFTER}){_E}"
)
_TOKEN = re.compile(  # every part starts a word: inside one, nothing more is tried
    rf"(?<![\w])(?=[\w№])(?:(?P<flat>{_FLAT})|(?P<house>{_HOUSE})|(?P<extra>{_EXTRA})"
    rf"|(?P<complex>{_COMPLEX})"
    rf"|(?P<street>{_STREET})|(?P<place>{_PLACE})|(?P<post>\d{{6}}{_E})"
    rf"|(?P<number>(?<![/.-]){_NO}{_NUMBER}(?![\w]|[.,:/]\d)))"
)
#: Any word an address is built around (searched in lower case); only text near one is read.
_ANCHOR = re.compile(
    rf"\b(?:{w.STREET_BEFORE}|{w.STREET_BEFORE_DOT}|{w.STREET_AFTER}|{w.MICRO}"
    rf"|{w.HOUSE_BEFORE}|{w.HOUSE_AFTER}|{w.VILLAGE_ANCHOR})(?![^\W\d_])"
    rf"|\b(?:{CITIES.lower()}),{_H}*[^\W\d_]+(?:{_H}+[^\W\d_]+){{0,2}}(?:-\d{{1,2}},?)?{_H}+\d"
)
#: How far before and after such a word an address can reach.
_REACH = 120
#: After a place, a street written without its type: "Алматы, Абая 150-12".
_UNTYPED_STREET = re.compile(  # "Алматы, Ақсай-4, 81-12": a numbered name may take a comma
    rf"[,;]{_H}*({_NAME})(?:{_H}+|(?<=\d),{_H}*)(?=\d{{1,3}}[A-Za-zА-Яа-яЁё]?(?:[-/]\d{{1,4}})?(?![\w]|[.,:/]\d))"
)
_GAP = re.compile(rf"{_H}*[,;]?{_S}")
_SPACE_ONLY = re.compile(rf"{_H}+")
_PLACE_BEFORE = re.compile(rf"(?<![\w-])({_WORD}),{_H}*$")
_PLACE_AFTER = re.compile(rf",{_H}*({_WORD})(?={_H}*(?:[.,;)\n]|$))")
_POSTCODE_BEFORE = re.compile(rf"(?<![\w])\d{{6}},?{_H}*$")
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,4}\.$")
_OPENS_ADDRESS = re.compile(
    r"(?:^|[:(\n—–-]|\d{6},?|\b(?:in|at|to|from|в|во|по|на|адрес\w*|address|мекенжай\w*)\b)\s*$",
    re.I,
)

#: A bank's own place named just before the address, in the same clause (no comma between).
_BRANCH = re.compile(
    r"(?i:отделени|филиал|branch|цон|бөлімше|банкомат|atm|терминал|офис\s+банка|bank\s+office)"
    r"[^.!?\n,;]{0,40}$"
)
#: The pairs of neighbouring parts that make a chain an address.
_CORE = frozenset(
    {
        ("street", "number"),
        ("street", "house"),
        ("street", "flat"),
        ("number", "street"),
        ("house", "flat"),
        ("house", "extra"),
        ("place", "house"),
        ("street", "street"),  # "ул. Гульдер, мкр. Юго-Восток"
    }
)
_VILLAGE = re.compile(w.VILLAGE, re.IGNORECASE)


class _Part(NamedTuple):
    kind: str
    start: int
    end: int


def find_addresses(text: str) -> Iterator[Found]:
    """Street addresses in ``text``, with the place and postcode written next to them."""
    seen = fold_scripts(ocr_digits(text))  # "д. 1З9, кв. 1ОЗ" from a scan
    parts = _parts(seen)
    places = {part.end: part.start for part in parts if part.kind in ("place", "post")}
    for chain in _chains(seen, parts):
        if _is_address(seen, chain):
            start, end = _widened(seen, chain[0].start, chain[-1].end, places)
            yield Found(ADDRESS, start, end, SCORE_IN_CONTEXT)


def _is_address(text: str, chain: list[_Part]) -> bool:
    """A street with its house, number or flat (…); a bank's branch or ATM is no one's home."""
    if not any((a.kind, b.kind) in _CORE for a, b in pairwise(chain)) and not _is_rural(
        text, chain
    ):
        return False
    if any(part.kind == "flat" for part in chain):
        return True
    start = chain[0].start
    return _BRANCH.search(text, max(0, start - 60), start) is None


def _is_rural(text: str, chain: list[_Part]) -> bool:
    """A village with its district or its street: in a village that is the address."""
    villages = sum(
        part.kind == "place" and _VILLAGE.search(text[part.start : part.end].strip()) is not None
        for part in chain
    )
    others = sum(part.kind in ("place", "street") for part in chain) - villages
    return villages >= 1 and others >= 1


def _parts(text: str) -> list[_Part]:
    """The parts of addresses in ``text``, read only around the words addresses are built on."""
    parts: list[_Part] = []
    done = 0
    for low, high in _windows(text):
        for match in _TOKEN.finditer(text, max(low, done), high + _REACH):
            if match.start() >= high:
                break
            parts.append(_Part(str(match.lastgroup), match.start(), match.end()))
            done = match.end()
    return _with_untyped_streets(text, parts)


def _with_untyped_streets(text: str, parts: list[_Part]) -> list[_Part]:
    """``parts`` with a street named right after a place and followed by a house number."""
    streets = []
    for part in parts:
        street = _UNTYPED_STREET.match(text, part.end) if part.kind == "place" else None
        if street is not None:
            streets.append(_Part("street", street.start(1), street.end(1)))
    if not streets:
        return parts
    starts = {part.start for part in parts}
    extra = [street for street in streets if street.start not in starts]
    return sorted([*parts, *extra], key=lambda part: part.start)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged stretches of ``text`` within :data:`_REACH` of an address word."""
    windows: list[tuple[int, int]] = []
    for anchor in _ANCHOR.finditer(text.lower()):
        low = text.rfind(" ", 0, max(0, anchor.start() - _REACH)) + 1
        high = anchor.end() + _REACH
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _chains(text: str, parts: Sequence[_Part]) -> Iterator[list[_Part]]:
    """Runs of neighbouring parts, split where a part cannot belong to an address there."""
    chain: list[_Part] = []
    for index, part in enumerate(parts):
        joins = bool(chain) and _GAP.fullmatch(text, chain[-1].end, part.start) is not None
        if not joins and chain:
            yield chain
            chain = []
        if _belongs(text, parts, index, chain):
            chain.append(part)
        elif chain:
            yield chain
            chain = []
    if chain:
        yield chain


def _belongs(text: str, parts: Sequence[_Part], index: int, chain: list[_Part]) -> bool:
    """A bare number only next to a street, a postcode only next to a place."""
    part = parts[index]
    previous = chain[-1] if chain else None
    following = parts[index + 1] if index + 1 < len(parts) else None
    if part.kind == "number":
        if previous is not None and previous.kind == "street":
            return True
        return (
            following is not None
            and following.kind == "street"
            and _SPACE_ONLY.fullmatch(text, part.end, following.start) is not None
        )
    if part.kind == "post":  # after any part, or before a place or street
        return previous is not None or (
            following is not None and following.kind in ("place", "street")
        )
    if part.kind == "extra":
        return previous is not None
    if part.kind == "complex":  # a building by name joins what is next to it
        return previous is not None or (
            following is not None and following.kind in ("street", "house", "number")
        )
    return True


def _widened(text: str, start: int, end: int, places: dict[int, int]) -> tuple[int, int]:
    """The span with an unknown city before or after it, without a sentence's full stop;
    places written before that city join too ("KAZAKHSTAN, ALMATY REGION, TALGAR, UL. …")."""
    before = _PLACE_BEFORE.search(text, max(0, start - 40), start)
    if before is not None and (
        _opens_address(text, before.start()) or _place_ends_before(text, before.start(), places)
    ):
        start = before.start()
        while (place := _place_ends_before(text, start, places)) is not None:
            start = place
    postcode = _POSTCODE_BEFORE.search(text, max(0, start - 12), start)
    if postcode is not None:
        start = postcode.start()
    after = _PLACE_AFTER.match(text, end)
    if after is not None and after.group(1).lower() not in w.NOT_PLACES:
        end = after.end(1)
    ends_sentence = text[end : end + 1] in ("", " ", "\n")
    if text[end - 1] == "." and ends_sentence and not _ABBREVIATION.search(text, 0, end):
        end -= 1  # the sentence's full stop; "Ave." keeps its own
    return start, end


def _place_ends_before(text: str, at: int, places: dict[int, int]) -> int | None:
    """Where a place (or postcode) starts that ends right before ``at``, a comma between."""
    gap = text.rfind(",", max(0, at - 4), at)
    if gap < 0 or text[gap + 1 : at].strip():
        return None
    return places.get(len(text[:gap].rstrip()))


def _opens_address(text: str, at: int) -> bool:
    """True if what comes before ``at`` introduces an address (a label, a line, "in", "в")."""
    return _OPENS_ADDRESS.search(text, max(0, at - 24), at) is not None
