"""Identity documents: Kazakh ID-card numbers (9 digits) and passport numbers, in context.

"удостоверение личности № 045678912", "жеке куәлік № 045678912", "ID card No. 045678912",
"паспорт N12345678", "төлқұжат N12345678". A Kazakh passport number (a letter N and 8 digits)
has a shape of its own and is taken without context; bare digit runs need a document word
before them (after the last number), because 9 digits alone could be anything.

Right after a document label ("удостоверение №", "паспорт", "ID", "жеке куәлік", "ID card
No.") a mistyped number is still taken: 7-10 digits, spaced or not ("045 678 912"), or one or two
letters and 7-9 digits ("N 1234567"). "ID" alone counts only at the start of a phrase or after
"my"/"мой"/"менің", so "Transfer ID …" and "order ID …" stay. Residence permits ("вид на
жительство", "ықтиярхат", "residence permit") are documents too, and so is the number in the
machine-readable zone of a scanned card or passport ("IDKAZ045678912<<<", a passport's second
line "N12345678<4KAZ…").

OCR and hurried typing put letters for digits inside these numbers ("O51 772 З08", "N1l293387",
"F0O381104"): a one- or two-letter prefix is kept as written and the rest read as digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.masking.entities import ID_DOC, SCORE_IN_CONTEXT, SCORE_PATTERN
from compliance.masking.recognizers.base import (
    DIGIT_LOOKALIKES,
    Context,
    Found,
    context_before,
    has_word_like,
    ocr_digits,
)

KZ_PASSPORT = re.compile(r"(?<![\w])N\d{8}(?![\w])")
DOCUMENT_NUMBER = re.compile(
    r"(?<![\w])(?:\d{9}|[A-Z]{1,2}\d{7,8}|\d{2}[ ]?\d{2}[ ]?\d{6}|\d{4}[ ]?\d{6})(?![\w])"
    r"(?![ \-]\d)"
)
DOCUMENT_CUE = re.compile(
    r"удостовер|уд\.\s*личн|(?<!тех)паспорт|passport|id[\s-]*card|identity|жеке\s*куәл|куәлі"
    r"|төлқұжат|\bид\b|(?<!платёжный )(?<!платежный )(?<!платёжный)(?<!платежный)документ"
    r"|document|жительств|ықтиярхат|residen\w*\s+(?:permit|card)",
    re.IGNORECASE,
)


#: Cue words, also found with one typo ("паспрот", "pasport").
DOCUMENT_WORDS = frozenset(
    {
        "удостоверение",
        "удостоверения",
        "личности",
        "паспорт",
        "паспорта",
        "passport",
        "identity",
        "куәлік",
        "куәлігі",
        "төлқұжат",
        "төлқұжаты",
        "жительство",
        "жительства",
        "ықтиярхат",
        "ықтиярхаты",
        "permit",
    }
)
#: A Kazakh ID card number (9 digits, starting with 0) right after a number sign.
_NUMBERED_ID_CARD = re.compile(r"(?:№|\bno\.?|#)\s*$", re.IGNORECASE)
#: What else a number after "№" is: an application, order, request or contract number.
_OTHER_NUMBERED = re.compile(
    r"өтінім|нөмір|заявк|заказ|обращени|договор|шарт|квитанц|счет|счёт|order|request"
    r"|application|ticket|contract|invoice",
    re.IGNORECASE,
)


def _is_document_context(cue: Context, value: str) -> bool:
    if cue.has(DOCUMENT_CUE) or has_word_like(cue, DOCUMENT_WORDS):
        return True
    return (
        len(value) == 9
        and value[0] == "0"
        and _NUMBERED_ID_CARD.search(cue.raw) is not None
        and _OTHER_NUMBERED.search(cue.raw) is None
    )


#: Any number a mistyped document number can be, taken only right after a document label.
LABELLED_NUMBER = re.compile(
    r"(?<![\w])(?:[A-Za-z][ ]?\d(?:[ ]?\d){5,9}|[A-Za-z]{2,3}\d(?:[ ]?\d){5,8}|\d(?:[ ]?\d){6,9})"
    r"(?![\w])(?![ \-]\d)"
)
_AFTER_LABEL = r"[\s:№#=.\-–—]*(?:(?:no|nr|number|номер|нөмірі)\.?[\s:№#]*)?$"
#: A document label ending right before the number (spaces optional: OCR splits words).
DOCUMENT_LABEL = re.compile(
    r"(?:удостоверени\w{0,2}(?:\s*личности)?|уд\.?\s*личн\w{0,4}\.?|(?<!тех)паспорт\w{0,2}"
    r"|passport|id\s*card|жеке\s*куәлі\w{0,3}|куәлі\w{0,3}|төлқұжат\w{0,2}"
    r"|вид\s*на\s*жительств\w|внж|ықтиярхат\w{0,2}|residen\w*\s*(?:permit|card)"
    r"|(?:^|[\s(,;:])уд\.?(?:\s*л\.?)?)" + _AFTER_LABEL
)
#: "ID" alone: at the start of a phrase or after a possessive, never after "Transfer"/"order".
ID_LABEL = re.compile(
    r"(?:^|[^\w\s]|\b(?:my|мой|моё|мое|менің|his|her|your)\s)\s*id(?:-?карта)?" + _AFTER_LABEL
)


def is_directly_labelled(text: str, start: int) -> bool:
    """True if a document label ends right before ``start``."""
    cue = context_before(text, start, 40)
    return cue.has(DOCUMENT_LABEL) or ID_LABEL.search(cue.raw) is not None


def _labelled_numbers(text: str, numbers: str, taken: list[Found]) -> Iterator[Found]:
    for match in LABELLED_NUMBER.finditer(numbers):
        if any(f.start < match.end() and match.start() < f.end for f in taken):
            continue
        if is_directly_labelled(text, match.start()):
            yield Found(ID_DOC, match.start(), match.end(), SCORE_IN_CONTEXT)


#: A document number with OCR letters in it: an optional one- or two-letter Latin prefix, then
#: 7-9 characters of which at least six are real digits and the rest digit look-alikes.
_PREFIXED_OCR_NUMBER = re.compile(r"(?<![\w])([A-Z]{1,2})?([0-9OОoоЗзIlІі]{7,9})(?![\w])")


def _prefix_digits(text: str) -> str:
    """``text`` with the look-alikes in prefixed document numbers read as digits ("N1l293387"
    -> "N11293387", "F0O381104" -> "F00381104"); same length. :func:`ocr_digits` leaves runs
    glued to a letter alone, which is right for words and wrong for these."""
    chars: list[str] | None = None
    for match in _PREFIXED_OCR_NUMBER.finditer(text):
        run = match.group(2)
        if run.isdigit() or sum(ch.isdigit() for ch in run) < 6:
            continue
        chars = chars if chars is not None else list(text)
        chars[match.start(2) : match.end(2)] = run.translate(DIGIT_LOOKALIKES)
    return text if chars is None else "".join(chars)


#: The document number in a machine-readable zone: an ID card's first line ("IDKAZ" + 9
#: characters) and a passport's second line (9 characters, a check digit, the nationality).
MRZ_NUMBER = re.compile(
    r"(?:(?<![A-Z0-9<])[IAC][A-Z<][A-Z<]{3}(?P<card>[A-Z0-9]{8,9})(?=[0-9<])"
    r"|(?:^|(?<=\s))(?P<passport>[A-Z0-9]{8,9})<*\d[A-Z<]{3}\d{6})",
    re.MULTILINE,
)


def _mrz_numbers(text: str) -> Iterator[Found]:
    if "<" not in text:
        return
    for match in MRZ_NUMBER.finditer(text):
        group = "card" if match.group("card") else "passport"
        value = match.group(group)
        if sum(ch.isdigit() for ch in value) >= 6 and "<<" in text[match.end() : match.end() + 40]:
            yield Found(ID_DOC, match.start(group), match.end(group), SCORE_IN_CONTEXT)


def find_id_documents(text: str) -> Iterator[Found]:
    """ID-card and passport numbers in ``text`` (digits OCR read as letters too: "О51 772 З08")."""
    found: list[Found] = list(_mrz_numbers(text))
    numbers = _prefix_digits(ocr_digits(text))
    for match in DOCUMENT_NUMBER.finditer(numbers):
        cue = context_before(text, match.start(), 48, since_number=True)
        if _is_document_context(cue, match.group()):
            found.append(Found(ID_DOC, match.start(), match.end(), SCORE_IN_CONTEXT))
        elif KZ_PASSPORT.fullmatch(match.group()):
            found.append(Found(ID_DOC, match.start(), match.end(), SCORE_PATTERN))
    yield from found
    yield from _labelled_numbers(text, numbers, found)
