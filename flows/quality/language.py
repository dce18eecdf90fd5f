"""Which language a text is written in: Russian, Kazakh or English, with shares for mixed text.

No model and no dictionary: the text is cut into sentences (and lines), each sentence is
classified by its letters and a few function words, and a language's *share* is the part of all
letters written in sentences of that language.

- more Latin than Cyrillic letters → ``en``;
- Cyrillic with Kazakh-specific letters (``әғқңөұүһі``) in at least
  :data:`KAZAKH_WORD_SHARE` of its words, or more Kazakh than Russian function words → ``kk``;
- other Cyrillic → ``ru``.

Bracket placeholders (``[PERSON_1]``), e-mail addresses and URLs are removed first: they are
Latin in every language. Kazakh names inside Russian text (``Қайрат Асқарұлы``) only tip a
sentence when they are a large part of it, so a Russian letter signed by a Kazakh name stays
Russian. A text with fewer than :data:`MIN_LETTERS` letters has no language (``primary`` None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


Language = Literal["ru", "kk", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk", "en")

#: Below this many letters a text is too short to say which language it is in.
MIN_LETTERS = 20
#: A Cyrillic sentence is Kazakh when at least this share of its words has a Kazakh letter.
KAZAKH_WORD_SHARE = 0.2
#: A language with at least this share of a mixed text counts as one of its languages.
MIXED_SHARE = 0.2

_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_NOISE = re.compile(
    r"\[[^\[\]\n]{1,40}\]"  # placeholders such as [PERSON_1]
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|https?://\S+|www\.\S+"  # URLs
)
_SENTENCE = re.compile(r"(?<=[.!?…;])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]+")
_RU_WORDS = _words(
    "и в во не на что я с со по для это как но от до за из у же вы мы он она они мне меня "
    "вас вам ваш вашего если или так уже был была было были есть нет прошу просим "
    "пожалуйста здравствуйте спасибо уважением уважаемый уважаемая"
)
_KK_WORDS = _words(
    "және мен сіз сізге сіздің біз бұл осы үшін бойынша деп туралы бар жоқ емес керек "
    "бірақ неге қашан қалай рақмет сәлеметсіз құрметті құрметпен өтінемін сұраймын "
    "маған менің еді болды"
)


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


@dataclass(frozen=True)
class LanguageProfile:
    """The languages of a text: each one's share of the letters, and the main one."""

    letters: int
    shares: Mapping[Language, float] = field(default_factory=dict)

    @property
    def primary(self) -> Language | None:
        if self.letters < MIN_LETTERS or not self.shares:
            return None
        return max(LANGUAGES, key=lambda language: self.shares.get(language, 0.0))

    @property
    def mixed(self) -> bool:
        return len(self.languages) > 1

    @property
    def languages(self) -> tuple[Language, ...]:
        """The main language and every other one with at least :data:`MIXED_SHARE`."""
        primary = self.primary
        if primary is None:
            return ()
        others = [
            language
            for language in LANGUAGES
            if language != primary and self.shares.get(language, 0.0) >= MIXED_SHARE
        ]
        return (primary, *others)

    def accepts(self, language: Language) -> bool:
        """True when a reply in ``language`` suits this text (its main or a mixed-in language)."""
        return language in self.languages


def sentence_language(text: str) -> tuple[Language | None, int]:
    """The language of one sentence and its number of letters (None without letters)."""
    latin = cyrillic = 0
    for char in text:
        if char.isalpha():
            if _is_cyrillic(char):
                cyrillic += 1
            elif char.isascii():
                latin += 1
    if latin + cyrillic == 0:
        return None, 0
    if latin > cyrillic:
        return "en", latin + cyrillic
    words = [word.lower() for word in _WORD.findall(text) if _is_cyrillic(word[0])]
    kazakh = sum(1 for word in words if _KAZAKH_LETTERS.intersection(word))
    kk_function = sum(1 for word in words if word in _KK_WORDS)
    ru_function = sum(1 for word in words if word in _RU_WORDS)
    if (words and kazakh / len(words) >= KAZAKH_WORD_SHARE) or kk_function > ru_function:
        return "kk", latin + cyrillic
    return "ru", latin + cyrillic


def language_profile(text: str) -> LanguageProfile:
    """Shares of ru / kk / en in ``text``, by letters in sentences of each language."""
    counts: dict[Language, int] = {}
    for sentence in _SENTENCE.split(_NOISE.sub(" ", text)):
        language, letters = sentence_language(sentence)
        if language is not None:
            counts[language] = counts.get(language, 0) + letters
    total = sum(counts.values())
    if total == 0:
        return LanguageProfile(0)
    return LanguageProfile(total, {language: n / total for language, n in counts.items()})


def detect_language(text: str) -> Language | None:
    """The main language of ``text``, or None when it is too short to tell."""
    return language_profile(text).primary
