"""Names found without a model: by the words around them and by the shape of the name itself.

A *run* is one to three capitalized words (and initials) on one line: ``Ахметова Жанар
Болатовна``, ``Ахметова Ж.Қ.``, ``A. Smith``, ``Yerzhan Akhmetov``. A run is a name when

- the context says so: a greeting ("Здравствуйте, …!", "Құрметті …", "Dear …,"), an
  introduction ("Меня зовут …", "My name is …"), a sign-off ("С уважением,\\n…", "Regards, …"),
  a mail header (``… <someone@example.kz>``, "От: …", "To: …"), a form label ("ФИО: …",
  "Cardholder: …"), a title ("Mr …", "г-жа …") or a signature between slashes ("/ Ахметова Ж.Қ. /");
- or the name carries its own evidence: a known first name next to a surname- or
  patronymic-shaped word or another capitalized word ("John Smith", "Ержан Ахметов"), a
  surname-shaped word with initials ("Ахметова Ж.Қ.", "Y. Akhmetov"), or a line that holds
  nothing but such a name (a signature).

Words that are not names (greetings, "Bank", "Support", months, company words — see
:data:`.name_data.NOT_NAMES`) are trimmed from both ends of a run first. A lone first name is a
name only in context; a run next to a company form ("LLP", "ТОО", «…») never is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from compliance.masking.entities import PERSON, SCORE_NAME
from compliance.masking.recognizers.base import Found, within_one_edit
from compliance.masking.recognizers.morphology import (
    is_common_word,
    is_function_word,
    is_place_word,
    name_kind,
)
from compliance.masking.recognizers.name_context import (
    CONTEXT_RULES,
    INITIALED_SURNAME,
    INITIALS,
    NAME_WORD,
    PARTICLE_AFTER,
    RUN,
    TITLE_BEFORE,
    UPPER,
    find_listed_names,
    find_mrz_names,
)

__all__ = [
    "CONTEXT_RULES",
    "INITIALS",
    "NAME_WORD",
    "RUN",
    "UPPER",
    "find_names_by_rules",
    "has_own_evidence",
    "is_name_word",
    "is_not_a_name",
    "name_view",
    "tokens_of",
    "trimmed_span",
]
from compliance.masking.recognizers.name_data import (
    CYRILLIC_FIRST_NAMES,
    KAZAKH_WORD_NAMES,
    LATIN_FIRST_NAMES,
    LATIN_SURNAMES,
    NOT_NAMES,
    TRANSLITERATED_FIRST_NAMES,
)
from compliance.masking.view import WordJudge, detection_view

_TOKEN = re.compile(rf"{INITIALS}|{NAME_WORD}")

_CYR_SURNAME = re.compile(
    r"(?:(?:ов|ев|ёв|ин)(?:а|у|ым|ой|е)?|(?:ск|цк)(?:ий|ая|ого|ой|ому|им|ую)|енко|чук|юк"
    r"|ұлы|улы|қызы|кызы|оглы)$"
)
_CYR_PATRONYMIC = re.compile(
    r"(?:(?:ович|евич|ьич)(?:а|у|ем|е)?|(?:овн|евн|ичн)(?:а|ы|е|у|ой)|ұлы|улы|қызы|кызы)$"
)
_LAT_SURNAME = re.compile(
    r"(?:ov|ova|ev|eva|yev|yeva|kin|kina|nin|nina|shin|shina|sky|skaya|skiy|enko|chuk|yuk"
    r"|uly|uli|kyzy|kizi|bayev|bayeva|bekov|bekova|aliyev|aliyeva)$"
)
_LAT_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna)$")

_FIRST_NAMES = CYRILLIC_FIRST_NAMES | TRANSLITERATED_FIRST_NAMES
_LONE_WORD = re.compile(rf"(?<![\w.\-@]){NAME_WORD}(?![\w@]|\.\w)")
ANY_RUN = re.compile(rf"(?<![\w.]){RUN}(?![\w])")
_LATIN_WORD = r"[A-Z][a-z]{2,}(?:['’\-][A-Z]?[a-z]+)?"
#: Two or three capitalized Latin words after a lower-case word (any script), a digit, a comma
#: or a dash: "send $50 to Tamsin Cartwright", "Әжем Torquil Ravensworth", "ТОО — Ambrose Fenwick".
LATIN_PAIR = re.compile(
    rf"(?<=[a-z0-9,;:)\-—–а-яёәғқңөұүһі] )(?:{_LATIN_WORD})(?: {_LATIN_WORD}){{1,2}}"
    r"(?![\w@\-]|\.\w)"
)
#: English endings of common nouns and adjectives, which names rarely have.
_COMMON_NOUN = re.compile(
    r"(?:tion|sion|ment|ness|ing|ance|ence|ity|ery|ics|ism|ist|able|ible|ful|less|ive|ous"
    r"|ional|ship|ware|ed)$"
)
#: A noun after a capitalized pair that makes it a business or a building: "Nurly Tau business
#: centre", "Fenwick Coffee Roasters", "Hollybank Crescent".
_ORGANISATION_WORDS = (
    r"(?i:business|centre|center|mall|plaza|hotel|university|college|school|broker"
    r"|bank|coffee|roasters|design|studio|group|holding|partners|capital|invest|consulting"
    r"|logistics|market|shop|store|cafe|restaurant|clinic|hospital|branch|office|tower"
    r"|residence|park|crescent|road|close|drive|lane|terrace|court|street|avenue|square"
    r"|academy|institute|foundation|fund|insurance|finance|pharma|motors|airlines|airways)"
)
_ORGANISATION_AFTER = re.compile(rf"[ \t]+{_ORGANISATION_WORDS}\b")
_ORGANISATION_WORD = re.compile(rf"{_ORGANISATION_WORDS}")
#: A model code right before the pair ("Dyson V12 Detect Slim") or right after it, glued by a
#: slash ("Ingenico Move/5000").
_MODEL_BEFORE = re.compile(r"\b[A-Za-z]*\d[\w\-]*[ \t]+$")
_MODEL_NUMBER = re.compile(r"[ \t]+(?:[A-Z]{0,3}\d{1,4}[A-Za-z]?|Pro|Max|Plus|Ultra|Lite|Mini)\b")
_PLACE_BEFORE = re.compile(
    r"\b(?:at|in|via|near|of|the)(?:\s+(?:your|our|the|my|his|her|their))?\s$", re.IGNORECASE
)
_CAPITALIZED_BEFORE = re.compile(r"(?:^|\s)[A-Z][\w\-]*\s$")
_COMPANY_FORM = r"(?:LLP|LLC|JSC|Ltd|Inc|IE|PLC|GmbH|ТОО|АО|ИП|ЖШС|АҚ|ЖК|ООО|ОАО|ЗАО|ПАО)"
_COMPANY_BEFORE = re.compile(rf"\b{_COMPANY_FORM}[ \t]*[«\"“][ \t]*$")
_COMPANY_AFTER = re.compile(rf"[ \t]*(?:[{UPPER}][\w\-]*[ \t]+){{0,2}}{_COMPANY_FORM}\b")


def is_initials(token: str) -> bool:
    return token.endswith(".")


def tokens_of(run: str) -> list[str]:
    """The words and initials of a run: "Ахметова Ж.Қ." -> ["Ахметова", "Ж.Қ."]."""
    return [t.replace(" ", "").replace("\u00a0", "") for t in _TOKEN.findall(run)]


def is_not_a_name(token: str) -> bool:
    return token.lower() in NOT_NAMES


def is_first_name(token: str) -> bool:
    """In the first-name tables (the exact spelling)."""
    return token in CYRILLIC_FIRST_NAMES or token in LATIN_FIRST_NAMES


def is_surname_shaped(token: str) -> bool:
    if token in LATIN_SURNAMES:
        return True
    pattern = _CYR_SURNAME if token[0] >= "\u0400" else _LAT_SURNAME
    return len(token) >= 5 and pattern.search(token.lower()) is not None


def is_patronymic_shaped(token: str) -> bool:
    pattern = _CYR_PATRONYMIC if token[0] >= "\u0400" else _LAT_PATRONYMIC
    return len(token) >= 6 and pattern.search(token.lower()) is not None


def is_unambiguous_first_name(token: str) -> bool:
    """A Kazakh or Russian first name of the tables (or its Latin spelling) that is not also a
    common word: a name even alone and in lower case ("Курьер Дархан", "спросите маржан")."""
    if is_not_a_name(token) or token.lower() in KAZAKH_WORD_NAMES:
        return False
    if token in CYRILLIC_FIRST_NAMES:
        return not is_common_word(token)
    return token in TRANSLITERATED_FIRST_NAMES


def is_first_name_like(token: str) -> bool:
    """A first name by the tables or by Russian morphology (Прохор, Агния, Ерболу)."""
    return is_first_name(token) or (not is_not_a_name(token) and name_kind(token) == "first")


def is_surname_like(token: str) -> bool:
    """A surname by its shape (unless the dictionary knows it as a common word: "Банковского")
    or by Russian morphology (Шмидт, Сейтқалиевой)."""
    if is_surname_shaped(token) and not is_common_word(token):
        return True
    return not is_not_a_name(token) and name_kind(token) == "surname"


def is_patronymic_like(token: str) -> bool:
    if is_patronymic_shaped(token) and not is_common_word(token):
        return True
    return not is_not_a_name(token) and name_kind(token) == "patronymic"


def is_name_word(token: str) -> bool:
    """A word that looks like a name by itself: tables, shapes or morphology."""
    if is_not_a_name(token):
        return False
    return is_first_name_like(token) or is_surname_like(token) or is_patronymic_like(token)


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The run ``text[start:end]`` without non-name words at its ends; None if nothing is left."""
    spans = [
        (m.start() + start, m.start() + start + len(m.group().rstrip()))
        for m in _TOKEN.finditer(text[start:end])
    ]
    while spans and _is_filler(text[spans[0][0] : spans[0][1]]):
        spans.pop(0)
    while spans and _is_filler(text[spans[-1][0] : spans[-1][1]]):
        spans.pop()
    if not spans or all(is_initials(text[s:e]) for s, e in spans):
        return None
    return spans[0][0], spans[-1][1]


def _is_filler(token: str) -> bool:
    if is_initials(token):
        return False  # "С." is an initial, not the preposition "с"
    return is_not_a_name(token.rstrip(". "))


def _is_strong_name(token: str) -> bool:
    return not is_not_a_name(token) and (is_first_name_like(token) or is_patronymic_like(token))


_JUDGE = WordJudge(
    looks_like_name=is_name_word,
    is_common_word=is_common_word,
    is_strong_name=_is_strong_name,
    is_lower_name=is_unambiguous_first_name,
    is_function_word=is_function_word,
    is_surname=lambda token: name_kind(token, guessed=True) == "surname",
    lower_names=frozenset(name.lower() for name in _FIRST_NAMES if len(name) >= 4),
)


@lru_cache(maxsize=256)
def name_view(text: str) -> str:
    """``text`` as the name finders read it (:mod:`compliance.masking.view`): look-alike
    letters in one script, ALL CAPS re-cased; same length, same offsets."""
    return detection_view(text, _JUDGE)


def has_own_evidence(tokens: list[str]) -> bool:
    """A run that is a name by itself: a first name or a patronymic with another word, a
    surname-shaped word with initials or with another word ("Громов Мирон")."""
    words = [t for t in tokens if not is_initials(t)]
    if len(tokens) < 2 or not words:
        return False
    first = any(is_first_name_like(w) for w in words)
    surname = any(is_surname_like(w) for w in words)
    if len(words) < len(tokens):  # initials: "Ахметова Ж.Қ.", "A. Smith", "J. Wilde", "Иминов Д."
        shaped = any(is_surname_shaped(w) for w in words)
        return surname or shaped or first or all(len(w) >= 3 and w.isascii() for w in words)
    if first or any(is_patronymic_like(w) for w in words):
        return True
    return surname and all(len(w) >= 3 for w in words)


def _has_common_noun_ending(word: str) -> bool:
    known = is_first_name(word) or word in LATIN_SURNAMES  # Ahmed, Mohammed, Reed
    return not known and _COMMON_NOUN.search(word) is not None


def find_capitalized_pairs(text: str) -> Iterator[Found]:
    """Two or three capitalized Latin words in mid-sentence ("… send $50 to Tamsin Cartwright").

    Not after "at", "in", "via" or "near" (places, shops), never next to a company form, never
    with a word of :data:`NOT_NAMES` or a word with a common-noun ending ("Transaction
    Declined", "Glovo Delivery", "Freedom Finance"). Brand names still pass ("Samsung Galaxy"):
    bench/masking.py --ablation counts them.
    """
    for match in LATIN_PAIR.finditer(text):
        before = text[max(0, match.start() - 14) : match.start()]
        if _PLACE_BEFORE.search(before) or _near_company(text, match.start(), match.end()):
            continue
        if _CAPITALIZED_BEFORE.search(before):
            continue  # "Tefal Ultimate Pure": a longer capitalized name, a brand and its line
        if _MODEL_NUMBER.match(text, match.end()) or names_a_company(text, *match.span()):
            continue
        if _ORGANISATION_AFTER.match(text, match.end()) or _MODEL_BEFORE.search(
            text, max(0, match.start() - 12), match.start()
        ):
            continue
        if text[match.end() : match.end() + 2].startswith("/") or any(
            _ORGANISATION_WORD.fullmatch(word) for word in match.group().split()
        ):
            continue  # a product and its model: "Redmi Note 13", "Samsung Galaxy A54"
        words = match.group().split()
        if not any(is_not_a_name(w) or _has_common_noun_ending(w) for w in words):
            yield Found(PERSON, match.start(), match.end(), SCORE_NAME)


def _near_company(text: str, start: int, end: int) -> bool:
    """In quotes («Нұр-Сервис», ТОО «…»), or before a company form (… Trade LLP).

    "ИП Иванов И.И." stays a name: a sole proprietor trades under their own name.
    """
    quoted = text[start - 1 : start] in ("«", '"', "“") or text[end : end + 1] in ("»", '"', "”")
    if quoted and not INITIALED_SURNAME.fullmatch(text, start, end):
        return True
    before = _COMPANY_BEFORE.search(text, max(0, start - 12), start)
    return before is not None or _COMPANY_AFTER.match(text, end) is not None


def _found(text: str, start: int, end: int, *, in_context: bool) -> Found | None:
    span = trimmed_span(text, start, end)
    if span is None or _near_company(text, *span) or names_a_company(text, start, end):
        return None
    words = [t for t in tokens_of(text[span[0] : span[1]]) if not is_initials(t)]
    if len(words) >= 2 and all(is_common_word(w) or is_place_word(w) for w in words):
        return None  # "Акт сверки", "Республика Казахстан": words, not a name
    tokens = tokens_of(text[span[0] : span[1]])
    if in_context and not any(_is_misspelt_filler(t) for t in tokens):
        return Found(PERSON, span[0], span[1], SCORE_NAME)
    if has_own_evidence(tokens):
        return Found(PERSON, span[0], span[1], SCORE_NAME)
    return None


_COMPANY_WORD = re.compile(
    r"\b(?i:bank|банк\w*|group|market|shop|store|company|компания|service|services|сервис"
    r"|web|online|support|care|center|centre|team|call)\b"
)


def names_a_company(text: str, start: int = 0, end: int | None = None) -> bool:
    """A run that ends in a company word ("Саябақ Банк", "Sayabak Web"): an organisation."""
    tail = text[start:end].split()
    if not tail:
        return False
    return _COMPANY_WORD.fullmatch(tail[-1]) is not None or any(
        _ORGANISATION_WORD.fullmatch(word) for word in tail
    )


def _is_misspelt_filler(token: str) -> bool:
    """A typo of a word that is not a name ("Dear Suport Team"), unless it is a known name."""
    if len(token) < 5 or is_initials(token) or is_first_name(token) or token in LATIN_SURNAMES:
        return False
    low = token.lower()
    candidates = {w for variant in _deletions(low) for w in _NOT_NAMES_BY_DELETION.get(variant, ())}
    return any(within_one_edit(low, word) for word in candidates)


def _deletions(word: str) -> set[str]:
    """The word and every way to drop one letter: words one typo apart share one of these."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _index_by_deletion(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word in words:
        for variant in _deletions(word):
            index.setdefault(variant, []).append(word)
    return {variant: tuple(found) for variant, found in index.items()}


_NOT_NAMES_BY_DELETION = _index_by_deletion(w for w in NOT_NAMES if len(w) >= 5)


def find_names_by_rules(text: str) -> Iterator[Found]:
    """Names in ``text`` found by context and by shape (no model)."""
    yield from _in_context(text)
    for match in ANY_RUN.finditer(text):
        found = _found(text, match.start(), match.end(), in_context=False)
        if found is not None:
            yield found
    yield from find_capitalized_pairs(text)
    for match in _LONE_WORD.finditer(text):
        start, end = match.start(), match.end()
        if match.group() not in _FIRST_NAMES:
            continue  # the cheap test first
        if is_unambiguous_first_name(match.group()) and not _near_company(text, start, end):
            yield Found(PERSON, start, end, SCORE_NAME)
    if "<<" in text:
        for start, end in find_mrz_names(text):
            yield Found(PERSON, start, end, SCORE_NAME)


def _in_context(text: str) -> Iterator[Found]:
    """Names the words around them announce: the context rules and lists after a names label."""
    spans = [
        (m.start("name"), m.end("name")) for rule in CONTEXT_RULES for m in rule.finditer(text)
    ]
    if ":" in text:
        spans.extend(find_listed_names(text))
    for start, end in spans:
        found = _found(text, start, end, in_context=True)
        if found is not None:
            yield _with_title_and_particle(text, found)


def _with_title_and_particle(text: str, found: Found) -> Found:
    """The name with the title before it ("Mr. Tursunov") and the particle after it ("… оглы")."""
    start, end = found.start, found.end
    title = TITLE_BEFORE.search(text, max(0, start - 8), start)
    if title is not None:
        start = title.start()
    particle = PARTICLE_AFTER.match(text, end)
    if particle is not None:
        end = particle.end()
    return (
        found if (start, end) == (found.start, found.end) else found._replace(start=start, end=end)
    )
