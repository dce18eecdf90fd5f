"""The text the name finders read: look-alike letters and ALL CAPS undone, offsets unchanged.

Real mail writes names in ways the name rules (which expect ``Title`` case in one script) do not
read: ``ЖАҚСЫЛЫҚОВ ДАРХАН`` in a form dump or an ID-card scan, ``ZHUMABAYEVA SHYNAR`` embossed
on a card, ``АЙГYЛ`` typed on a Russian keyboard (a Latin Y for Ү), ``Дaрхан`` from OCR.
:func:`detection_view` returns a copy of the text, **of the same length, character for
character**, in which

1. a word mixing Cyrillic and Latin letters is written in one script: the Latin look-alikes of a
   word with Cyrillic letters become Cyrillic (``АЙГYЛ`` -> ``АЙГҮЛ``) and the other way round
   (``Dаrkhan`` with a Cyrillic а -> ``Darkhan``);
2. ALL-CAPS words are re-cased: in an ordinary line every run of ALL-CAPS words becomes Title
   case (``WETHERBY LACHLAN`` -> ``Wetherby Lachlan``), so the context and shape rules read it;
   in a line that shouts (mostly capitals), only the words that look like names become Title
   case and the others lower case (``МЕНЯ ЗОВУТ ДАРХАН`` -> ``меня зовут Дархан``), so a
   shouted sentence does not turn into a row of capitalized "names". Abbreviations and
   company forms (``ИИН``, ``ТОО``, ``LLP``) stay as written.

A span found in the view is the same span of the original text, so the value masked (and kept in
the vault) is the original spelling. Only the name finders and the document's book of people
read the view; identifiers, addresses and the rest read the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
#: Letter runs (no digits, no underscore); a name with a hyphen is two runs.
_LETTERS = re.compile(r"[^\W\d_]+")
_LINE = re.compile(r"[^\n]*")

#: Latin letters and the Cyrillic letters they are typed or recognised for, and back.
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYaceopxyikI", "АВСЕНКМОРТХҮасеорхуікІ")
_CYRILLIC_TO_LATIN = str.maketrans("АВСЕНКМОРТХҮУасеорхуіІ", "ABCEHKMOPTXYYaceopxyiI")
_AMBIGUOUS_LATIN = frozenset("ABCEHKMOPTXYaceopxyikI")
_AMBIGUOUS_CYRILLIC = frozenset("АВСЕНКМОРТХҮУасеорхуіІ")

#: ALL-CAPS words that are abbreviations or company forms, never names: left as written.
_KEEP_AS_WRITTEN = """
    ИИН ЖСН БИН БСН ИНН ФИО ТАӘ ТОО АО ИП ЖШС АҚ ЖК ООО ОАО ЗАО ПАО РК РФ КЗ ЦОН ХҚКО ЕНПФ БЦК
    СМС ПИН КНП КБЕ БИК ЭЦП НДС ЖКХ ГЦВП МВД ПДД КПП СНГ ЕАЭС ЧСИ ТЖК АЗС ТРЦ ИС НБ АФН IIN BIN
    IBAN SWIFT BIC LLP LLC JSC LTD INC PLC GMBH KZ KZT USD EUR RUB SMS PIN CVV CVC OTP ID PDF
    JPG PNG URL HTTP HTTPS WWW FAQ ATM POS VIP NB FYI ASAP PS NB CEO CFO HR IT QR EDS
"""
KEEP_AS_WRITTEN = frozenset(_KEEP_AS_WRITTEN.split())
_MIN_WORDS_TO_SHOUT = 5
_SHOUTING_SHARE = 0.6
#: Characters allowed between two words of one ALL-CAPS run: spaces, a hyphen, initials' dots.
_RUN_GAP = re.compile(r"[ \t\u00a0.\-'’]{1,3}")

NameTest = Callable[[str], bool]


@dataclass(frozen=True)
class WordJudge:
    """How the view tells names from words; each test gets a word in Title case."""

    #: Looks like a name by itself (tables, shapes, morphology).
    looks_like_name: NameTest
    #: A dictionary word that is mostly not a proper noun ("Договор", "Машина").
    is_common_word: NameTest
    #: A first name or a patronymic: a run of capitals holding one is a name whole.
    is_strong_name: NameTest
    #: A name even written in lower case ("маржан", "meruert").
    is_lower_name: NameTest
    #: A verb, pronoun, preposition …: never a first name before a surname.
    is_function_word: NameTest
    #: A surname by morphology ("Хасанова"), not by its ending alone ("взаиморасчётов").
    is_surname: NameTest
    #: The first names that may be written in lower case, lower-cased: a cheap first test.
    lower_names: frozenset[str] = frozenset()


def detection_view(text: str, judge: WordJudge) -> str:
    """``text`` with mixed-script words in one script and ALL CAPS re-cased; same length.

    ``judge`` tells names from words: a run of capitals holding a name is Title-cased whole,
    unless the text shouts; any other capital word is lower-cased when it is a common word and
    Title-cased otherwise (in shouted Latin text, which has no dictionary here, only names are
    Title-cased). Lower-case words that are names all the same ("спросите маржан") are
    Title-cased too.
    """
    chars = list(text)
    for start, end in _words_to_fold(text):
        word = text[start:end]
        folded = one_script(_without_ocr_digits(word)).translate(_PLAIN_LATIN)
        if folded != word:
            chars[start:end] = folded
    folded_text = "".join(chars)
    if any(m.group() not in KEEP_AS_WRITTEN for m in _CAPS_WORD.finditer(folded_text)):
        shouting = _text_shouts(folded_text)
        for line in _LINE.finditer(folded_text):
            _recase_line(chars, folded_text, line.start(), line.end(), judge, shouting)
    _promote_lower_names(chars, folded_text, judge)
    view = "".join(chars)
    return view if len(view) == len(text) else text


def _promote_lower_names(chars: list[str], text: str, judge: WordJudge) -> None:
    """Title-case the names written in lower case: a first name of the tables ("маржан"),
    and two words that read as a first name and a surname ("кирилл зайцев", "дана кенесова",
    "ламия хасанова")."""
    words = list(_LOWER_WORD.finditer(text))
    promoted = {
        index
        for index, match in enumerate(words)
        if match.group() in judge.lower_names and judge.is_lower_name(_title(match.group()))
    }
    for pair in _LOWER_PAIR.finditer(text):
        given, family = _title(pair.group(1)), _title(pair.group(2))
        if judge.is_strong_name(given) or (
            judge.is_surname(family) and not judge.is_function_word(given)
        ):
            for start, end in (pair.span(1), pair.span(2)):
                chars[start:end] = _title(text[start:end])
    for index in promoted:
        match = words[index]
        chars[match.start() : match.end()] = _title(match.group())


_LOW = "a-zа-яёәғқңөұүһі"
#: Two lower-case words, the second ending like a surname: the pairs worth a lookup.
_LOWER_PAIR = re.compile(
    rf"(?<![\w.@\-])([{_LOW}]{{3,}}) (?=([{_LOW}]{{3,}}"
    r"(?:ов|ев|ин|ова|ева|ина|ұлы|улы|қызы|кызы|ский|ская|енко))(?![\w@]|\.\w))"
)

#: Where a word needs folding: both scripts, letters with digits ("ТЕГ1", "Ж0ЛДАСБЕК0ВА" as
#: OCR writes them), Latin letters with diacritics, a lower-case l among capitals ("WlLHELMlNA").
_FOLD_TRIGGER = re.compile(
    r"[\u0400-\u04ff][A-Za-z\u00c0-\u024f]|[A-Za-z\u00c0-\u024f][\u0400-\u04ff]"
    r"|[^\W\d_]\d|\d[^\W\d_]|[\u00c0-\u024f]|[A-Z]l|l[A-Z]"
)
_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
#: A word of two capitals or more (abbreviations among them: the caller skips those).
_CAPS_WORD = re.compile(rf"(?<![\w])[{_UP}]{{2,}}(?![\w])")


def _words_to_fold(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word holding a fold trigger; found by the trigger, then widened
    to the word (a regex that tried every word would cost more than the folding)."""
    spans: list[tuple[int, int]] = []
    for trigger in _FOLD_TRIGGER.finditer(text):
        if spans and trigger.start() < spans[-1][1]:
            continue
        start, end = trigger.start(), trigger.end()
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _is_word_char(text[end]):
            end += 1
        spans.append((start, end))
    return spans


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


_LOWER_WORD = re.compile(r"(?<![\w.@\-])[a-zа-яёәғқңөұүһі]{3,}(?![\w@]|\.\w)")
#: Digits OCR reads for letters, by the script of the word around them.
_OCR_DIGITS_CYRILLIC = str.maketrans("013", "ОІЗ")
_OCR_DIGITS_LATIN = str.maketrans("01", "OI")


def _latin_base_letters() -> dict[int, str]:
    """Latin letters with diacritics -> their base letter (Ä -> A, ş -> s, ı -> i): the Kazakh
    Latin alphabet and European names read like the ASCII spellings the rules know."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    table[ord("ı")] = "i"
    return table


_PLAIN_LATIN = _latin_base_letters()


def _without_ocr_digits(word: str) -> str:
    """Digits inside a word of letters read as the letters OCR took them for ("ТЕГ1",
    "Абен0ва"), in the case of the letters around them; a lower-case l among capitals is an I
    ("WlLHELMlNA")."""
    if word.isdigit():
        return word
    if word.isalpha():
        if "l" in word and sum(1 for c in word if c.isupper()) >= len(word) - word.count("l"):
            return word.replace("l", "I") if len(word) > 2 else word
        return word
    letters = sum(1 for c in word if c.isalpha())
    if letters < 2 or len(word) - letters >= letters:
        return word
    table = _OCR_DIGITS_CYRILLIC if _CYRILLIC_LETTER.search(word) else _OCR_DIGITS_LATIN
    chars = list(word)
    for i, ch in enumerate(chars):
        if ch.isdigit():
            letter = ch.translate(table)
            before = word[i - 1] if i > 0 else ""
            chars[i] = letter.lower() if before.islower() else letter
    return "".join(chars)


def fold_scripts(text: str) -> str:
    """``text`` with every word mixing Cyrillic and Latin letters written in one script (same
    length); the address finder reads this, the name finders the whole view."""
    if _MIXED_SCRIPTS.search(text) is None:
        return text
    return _LETTER_RUN.sub(lambda match: one_script(match.group()), text)


_MIXED_SCRIPTS = re.compile(r"[\u0400-\u04ff][A-Za-z]|[A-Za-z][\u0400-\u04ff]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def one_script(word: str) -> str:
    """A word with letters of both scripts written in the script its other letters decide."""
    has_cyrillic = _CYRILLIC_LETTER.search(word) is not None
    has_latin = _LATIN_LETTER.search(word) is not None
    if not (has_cyrillic and has_latin):
        return word
    sure_cyrillic = any(_CYRILLIC_LETTER.match(c) and c not in _AMBIGUOUS_CYRILLIC for c in word)
    sure_latin = any(_LATIN_LETTER.match(c) and c not in _AMBIGUOUS_LATIN for c in word)
    if sure_cyrillic and not sure_latin:
        return word.translate(_LATIN_TO_CYRILLIC)
    if sure_latin and not sure_cyrillic:
        return word.translate(_CYRILLIC_TO_LATIN)
    cyrillic = sum(1 for c in word if _CYRILLIC_LETTER.match(c))
    if cyrillic * 2 >= len(word):
        return word.translate(_LATIN_TO_CYRILLIC)
    return word.translate(_CYRILLIC_TO_LATIN)


def is_all_caps(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def _title(word: str) -> str:
    titled = word[0].upper() + word[1:].lower()
    return titled if len(titled) == len(word) else word


def _lower(word: str) -> str:
    low = word.lower()
    return low if len(low) == len(word) else word


def _shouts(text: str, start: int, end: int) -> bool:
    """Mostly capitals: at least five words, three in five of them ALL CAPS."""
    words = [m.group() for m in _LETTERS.finditer(text, start, end) if len(m.group()) >= 2]
    caps = sum(1 for word in words if is_all_caps(word))
    return caps >= _MIN_WORDS_TO_SHOUT and caps >= _SHOUTING_SHARE * len(words)


def _text_shouts(text: str) -> bool:
    """The prose of the text is mostly capitals (lines of five words or more; short lines are
    form fields and signatures, written in capitals without shouting)."""
    caps = total = 0
    for line in _LINE.finditer(text):
        words = [m.group() for m in _LETTERS.finditer(line.group()) if len(m.group()) >= 2]
        if len(words) >= _MIN_WORDS_TO_SHOUT:
            total += len(words)
            caps += sum(1 for word in words if is_all_caps(word))
    return caps >= _MIN_WORDS_TO_SHOUT and caps >= _SHOUTING_SHARE * total


def _recase_line(
    chars: list[str],
    text: str,
    start: int,
    end: int,
    judge: WordJudge,
    text_shouts: bool,
) -> None:
    words = [m for m in _LETTERS.finditer(text, start, end) if len(m.group()) >= 2]
    caps = [m for m in words if is_all_caps(m.group())]
    if not caps:
        return
    prose = len(words) >= _MIN_WORDS_TO_SHOUT
    shouting = (text_shouts and prose) or _shouts(text, start, end)
    for run in _caps_runs(text, caps):
        _recase_run(chars, run, shouting, judge)


def _caps_runs(text: str, caps: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """ALL-CAPS words next to each other (spaces, a hyphen or initials' dots between)."""
    runs: list[list[re.Match[str]]] = []
    for match in caps:
        if runs and _RUN_GAP.fullmatch(text[runs[-1][-1].end() : match.start()]):
            runs[-1].append(match)
        else:
            runs.append([match])
    return runs


def _recase_run(
    chars: list[str],
    run: list[re.Match[str]],
    shouting: bool,
    judge: WordJudge,
) -> None:
    """Re-case one run of ALL-CAPS words. A run holding a first name or a patronymic is a
    name whole ("ПОЛОЗОВ ВЕНЕДИКТ": Полозов is also a word); one holding only a word shaped
    like a surname keeps its common words lower case ("АКТ СВЕРКИ ВЗАИМОРАСЧЁТОВ")."""
    looks_like_name, is_common_word = judge.looks_like_name, judge.is_common_word
    words = [m for m in run if m.group() not in KEEP_AS_WRITTEN]
    if not words or (len(words) == 1 and len(words[0].group()) <= 3 and len(run) == 1):
        return  # an abbreviation we do not know ("КБК", "AML")
    named = not shouting and any(looks_like_name(_title(m.group())) for m in words)
    strong = named and any(judge.is_strong_name(_title(m.group())) for m in words)
    for match in words:
        word = match.group()
        titled = _title(word)
        common = is_common_word(titled)
        unknown = not common and not (shouting and word.isascii())
        if (
            strong
            or (named and (len(word) <= 3 or not common))
            or looks_like_name(titled)
            or unknown
        ):
            chars[match.start() : match.end()] = titled
        else:
            chars[match.start() : match.end()] = _lower(word)
