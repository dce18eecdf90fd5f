"""Words and sentences the simulator answers with, in Russian, Kazakh or English.

:func:`detect_language` reads a text's letters: English when it has at least as many Latin as
Cyrillic letters; otherwise Kazakh when Kazakh-specific letters (``әғқңөұүһі``) are in at least
:data:`KAZAKH_WORD_SHARE` of its lower-case Cyrillic words (names are capitalised) and Russian
function words (и, не, прошу …) do not outnumber Kazakh ones (және, сіз, бойынша …), or when
Kazakh function words outnumber Russian ones; Russian otherwise. Placeholders (``[PERSON_1]``),
e-mail addresses, URLs and HTML tags are left out first, so a Russian letter signed by a Kazakh
name stays Russian.

The texts are deliberately bland bank-office phrases: plausible enough for a demo, obviously
not a real model's work. Reply sentences (:func:`reply_text`) have no digits, names or time
frames, so a drafted reply never invents a detail.
"""

from __future__ import annotations

import random
import re
from typing import Literal

Language = Literal["ru", "kk", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk", "en")


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


#: Cyrillic text is Kazakh when at least this share of its words has a Kazakh-specific letter.
KAZAKH_WORD_SHARE = 0.15

_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_NOISE = re.compile(
    r"\[[^\[\]\n]{1,40}\]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+|</?\w+[^>]*>|&\w+;"
)
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_RU_FUNCTION_WORDS = frozenset(
    _split(
        "и в не на что я с по для это как но от до за из у же вы мы мне меня вас вам ваш если или "
        "уже был была было есть нет прошу просим пожалуйста здравствуйте спасибо уважением"
    )
)
_KK_FUNCTION_WORDS = frozenset(
    _split(
        "және мен сіз сізге сіздің біз бұл осы үшін бойынша деп туралы бар жоқ емес керек бірақ "
        "неге қашан қалай рақмет сәлеметсіз құрметті құрметпен өтінемін сұраймын маған менің"
    )
)

_WORDS: dict[Language, tuple[str, ...]] = {
    "ru": _split(
        "заявление клиент договор кредит карта перевод счёт платёж обращение жалоба возврат "
        "комиссия депозит справка выписка срочно повторно ошибочный банковский текущий "
        "просроченный лимит блокировка погашение остаток отделение Алматы Астана"
    ),
    "kk": _split(
        "өтініш төлем өтінім шағым қайтару анықтама үзінді шұғыл қайталама қате банктік "
        "ағымдағы мерзімді бұғаттау өтеу қалдық бөлімше қызмет қосымша құжат ақша жеткізу "
        "сұрау жауап мәлімет хабарлама өзгеріс тіркеу Қарағанды Өскемен"
    ),
    "en": _split(
        "application client contract loan card transfer account payment request complaint "
        "refund fee deposit statement certificate urgent repeated erroneous current overdue "
        "limit block repayment balance branch Almaty Astana review"
    ),
}

_NAMES: dict[Language, tuple[str, ...]] = {
    "ru": ("Айгерим Сарсенова", "Ержан Касымов", "Ольга Петрова", "Данияр Ахметов"),
    "kk": ("Айгерім Сәрсенова", "Ержан Қасымов", "Дәурен Ахметов", "Жанар Төлегенова"),
    "en": ("Aigerim Sarsenova", "Yerzhan Kassymov", "Olga Petrova", "Daniyar Akhmetov"),
}

_SENTENCES: dict[Language, tuple[str, ...]] = {
    "ru": (
        "Спасибо за обращение.",
        "Мы получили ваш запрос и передали его профильному подразделению.",
        "Срок рассмотрения составляет до пяти рабочих дней.",
        "Если у вас остались вопросы, обратитесь в ближайшее отделение банка.",
        "Для уточнения деталей специалист свяжется с вами по указанному телефону.",
        "Просим приложить копию договора и выписку по счёту.",
        "Это ответ симулятора, а не настоящей модели.",
    ),
    "kk": (
        "Хабарласқаныңызға рақмет.",
        "Өтінішіңіз қабылданды және жауапты бөлімшеге жіберілді.",
        "Қарау мерзімі бес жұмыс күніне дейін.",
        "Сұрақтарыңыз болса, банктің жақын бөлімшесіне хабарласыңыз.",
        "Маман сізге көрсетілген телефон арқылы хабарласады.",
        "Шарттың көшірмесін және шот бойынша үзіндіні тіркеуіңізді сұраймыз.",
        "Бұл жауапты нақты модель емес, симулятор берді.",
    ),
    "en": (
        "Thank you for contacting us.",
        "We have received your request and forwarded it to the responsible team.",
        "The review takes up to five business days.",
        "If you have further questions, please visit your nearest branch.",
        "A specialist will call you on the phone number you provided.",
        "Please attach a copy of the contract and an account statement.",
        "This answer comes from a simulator, not a real model.",
    ),
}

#: Reply sentences: the first thanks the customer, the others say what happens next.
_REPLY_SENTENCES: dict[Language, tuple[str, ...]] = {
    "ru": (
        "Спасибо за ваше обращение.",
        "Ваш запрос передан в ответственное подразделение.",
        "Специалист банка рассмотрит ваш запрос и свяжется с вами.",
        "Мы сообщим вам о результате рассмотрения.",
        "Приносим извинения за доставленные неудобства.",
    ),
    "kk": (
        "Хабарласқаныңызға рақмет.",
        "Өтінішіңіз қабылданды.",
        "Сұрауыңыз жауапты бөлімшеге жіберілді.",
        "Маман сізге хабарласады.",
        "Қолайсыздық үшін кешірім сұраймыз.",
    ),
    "en": (
        "Thank you for your message.",
        "Your request has been passed to the responsible team.",
        "A specialist will review your request and contact you.",
        "We will let you know the outcome.",
        "We apologise for the inconvenience.",
    ),
}


def detect_language(text: str) -> Language:
    """``en``, ``kk`` or ``ru`` by the letters of ``text`` (see the module docstring)."""
    cleaned = _NOISE.sub(" ", text)
    cyrillic = sum(1 for char in cleaned if "\u0400" <= char <= "\u04ff")
    latin = sum(1 for char in cleaned if char.isascii() and char.isalpha())
    if cyrillic <= latin:
        return "en"
    return "kk" if _looks_kazakh(_CYRILLIC_WORD.findall(cleaned)) else "ru"


def _looks_kazakh(words: list[str]) -> bool:
    """Kazakh letters in enough lower-case words (names left out), unless Russian function
    words outnumber Kazakh ones; or more Kazakh than Russian function words."""
    lowered = [word.lower() for word in words]
    kk_function = sum(1 for word in lowered if word in _KK_FUNCTION_WORDS)
    ru_function = sum(1 for word in lowered if word in _RU_FUNCTION_WORDS)
    plain = [word for word in words if word.islower()] or lowered
    kazakh = sum(1 for word in plain if _KAZAKH_LETTERS.intersection(word))
    if kazakh >= KAZAKH_WORD_SHARE * len(plain) and kk_function >= ru_function:
        return True
    return kk_function > ru_function


def phrase(rng: random.Random, language: Language, words: int | None = None) -> str:
    """A short phrase of 1–4 words (or exactly ``words``)."""
    count = words if words is not None else rng.randint(1, 4)
    chosen = [rng.choice(_WORDS[language]) for _ in range(count)]
    text = " ".join(chosen)
    return text[:1].upper() + text[1:]


def person_name(rng: random.Random, language: Language) -> str:
    return rng.choice(_NAMES[language])


def plain_reply(rng: random.Random, language: Language) -> str:
    """A reply of 2–4 sentences, ending with the note that it is simulated."""
    pool = _SENTENCES[language]
    body = rng.sample(pool[:-1], rng.randint(2, 4))
    return " ".join([*body, pool[-1]])


def sentence(rng: random.Random, language: Language) -> str:
    """One bland sentence (for free-text fields such as a summary or a comment)."""
    return rng.choice(_SENTENCES[language][:-1])


def reply_text(rng: random.Random, language: Language) -> str:
    """1–3 bland reply sentences without digits, names or time frames (a drafted reply)."""
    thanks, *others = _REPLY_SENTENCES[language]
    opening = [thanks] if rng.random() < 0.8 else []
    count = rng.randint(1, 3) - len(opening)
    chosen = sorted(rng.sample(range(len(others)), count))
    return " ".join([*opening, *(others[index] for index in chosen)])
