"""The people of one document: every mention of a name found anywhere is masked everywhere.

The sender's display name and each name the recognizers found (in any part) go into a
:class:`NameBook`. Mentions that fit a person already in the book — the same words in another
grammatical case ("Иванову Петру" ~ "Иванов Пётр"), a subset ("Жанар Болатовна" ~ "Ахметова
Жанар Болатовна"), initials ("Ахметова Ж.Б.", "A. Smith") — join that person; others start a new
one. :meth:`NameBook.find` then marks every run of words in a text that belongs to one person,
so a surname the model missed in the third paragraph is masked because the signature named it.

Words are compared by a *base*: lower-cased, ё as е, with up to two trailing vowels or soft
signs dropped (Сергей -> серг, Ахметова -> ахметов). A word in the text matches a base when it
is the base plus a Russian or Kazakh case ending (Сергею, Ахметовой, Жанарға). Latin words
match exactly (or with 's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from compliance.masking.recognizers.name_data import KAZAKH_WORD_NAMES
from compliance.masking.recognizers.name_rules import (
    INITIALS,
    NAME_WORD,
    is_initials,
    is_name_word,
    is_not_a_name,
    names_a_company,
    tokens_of,
)

_TOKEN = re.compile(rf"(?P<initials>{INITIALS})|(?P<word>{NAME_WORD})(?P<lower>(?!))?")
#: The same, with words in lower case as tokens of their own ("спросите маржан").
_TOKEN_OR_LOWER = re.compile(
    rf"(?P<initials>{INITIALS})|(?P<word>{NAME_WORD})"
    rf"|(?<![\w.@\-])(?P<lower>[a-zа-яёәғқңөұүһі]{{4,}})(?![\w@])"
)
_COMPANY = re.compile(r"\b(?:LLP|LLC|JSC|Ltd|Inc|PLC|GmbH|ТОО|АО|ИП|ЖШС|АҚ|ЖК|ООО)\b|[@\d«»]")
_SOFT = set("аяуюеыиоёйь")
_MIN_BASE = 3
_ENDING_WORDS = """
    а я у ю е ы и о й ь ой ей ом ем ым им ою ею ую юю ая яя ого его ому ему ых их ами ями ах ях
    ый ий ье ья ью ьи ием ии ия ию ею ем
    ға ге қа ке на не ның нің дың дің тың тің ды ді ты ті ны ні да де та те нда нде дан ден
    тан тен нан нен мен бен пен ға
    's ’s
    """
_ENDINGS = frozenset(_ENDING_WORDS.split())


def _folded(word: str) -> str:
    return word.lower().replace("ё", "е")


def base_of(word: str) -> str:
    """The comparable core of a name word: "Сергею" -> "серг", "Smith" -> "smith"."""
    low = _folded(word)
    if not low[:1] or low[0] < "\u0400":
        return low
    stripped = 0
    while stripped < 2 and len(low) > _MIN_BASE and low[-1] in _SOFT:
        low = low[:-1]
        stripped += 1
    return low


def word_matches(word: str, base: str) -> bool:
    """True if ``word`` is ``base`` plus nothing or a case ending."""
    return _folded_matches(_folded(word), base)


def _folded_matches(low: str, base: str) -> bool:
    return low.startswith(base) and (len(low) == len(base) or low[len(base) :] in _ENDINGS)


@dataclass
class Person:
    """One person of the document; ``display`` is the value a placeholder maps back to."""

    display: str
    forms: set[str] = field(default_factory=set)
    bases: set[str] = field(default_factory=set)
    letters: set[str] = field(default_factory=set)

    def owns_word(self, word: str) -> bool:
        low = _folded(word)
        if low in self.forms:
            return True
        return any(_folded_matches(low, base) for base in self.bases)

    def owns_initials(self, initials: str) -> bool:
        """The first initial is this person's (the patronymic's may be unknown: "Жақып Ғ.А.")."""
        return initials[:1].upper() in self.letters

    def owns(self, tokens: list[str]) -> bool:
        return all(self.owns_initials(t) if is_initials(t) else self.owns_word(t) for t in tokens)

    def shared_words(self, tokens: list[str]) -> int:
        return sum(1 for t in tokens if not is_initials(t) and self.owns_word(t))

    def learn(self, tokens: list[str]) -> None:
        for token in tokens:
            if not is_initials(token):
                self.forms.add(_folded(token))
                self.bases.add(base_of(token))
                self.letters.add(token[0].upper())


@dataclass
class NameBook:
    """The people named in one document, and where they are mentioned."""

    people: list[Person] = field(default_factory=list)
    _heads_cache: tuple[int, frozenset[str]] | None = field(default=None, repr=False)

    def add(self, mention: str, display: str | None = None) -> int | None:
        """Record a mention; returns the person's index (None if it holds no name words).

        ``mention`` is read for its words (as the name finders see it, Title case);
        ``display`` is how it is written in the document, kept for a new person's value.
        """
        tokens = [t for t in tokens_of(mention) if is_initials(t) or not is_not_a_name(t)]
        if not any(not is_initials(t) for t in tokens):
            return None
        for index, person in enumerate(self.people):
            if person.owns(tokens) or person.shared_words(tokens) >= 2:
                person.learn(tokens)
                return index
        person = Person(display=(display or mention).strip())
        person.learn(tokens)
        self.people.append(person)
        return len(self.people) - 1

    def person_of(self, mention: str) -> int | None:
        """The index of the person a mention belongs to (the one sharing most words), or None."""
        tokens = [t for t in tokens_of(mention) if not is_not_a_name(t)]
        best: tuple[int | None, int] = (None, 0)
        for index, person in enumerate(self.people):
            shared = person.shared_words(tokens)
            if (shared >= 2 or (tokens and person.owns(tokens))) and shared > best[1]:
                best = (index, shared)
        return best[0]

    def find(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(start, end, person index) of every run of one person's words in ``text``.

        Adjacent name words are read as groups; within a group the person who owns the longest
        stretch from the current word wins, so "Әбдіқадыр Талғату" goes to the person named
        "Әбдіқадыр Талғат", not to another person who shares the surname.
        """
        if not self.people:
            return
        for group in _groups(text, self._owns_lower_case):
            index = 0
            while index < len(group):
                person, length = self._longest_owner(group, index)
                if person is None:
                    index += 1
                    continue
                yield group[index][0], group[index + length - 1][1], person
                index += length

    def learn_neighbours(self, text: str) -> None:
        """Learn the capitalized word next to a known name: the surname a greeting left out.

        "Hi Alistair, … my manager, Alistair Whitlock" — the greeting gave "Alistair"; the word
        right after it joins that person, so "Whitlock" is masked here and wherever else it
        stands. A word before a known name joins only in mid-sentence ("менеджер Құрманғали
        Үміт Қуатовна"), not at the start of a sentence.
        """
        for group in _groups(text):
            index = 0
            while index < len(group):
                person, length = self._longest_owner(group, index)
                if person is None:
                    index += 1
                    continue
                after = index + length
                if after < len(group) and self._is_unowned_word(group[after]):
                    self.people[person].learn([group[after][2]])
                    length += 1
                before = group[index - 1] if index > 0 else None
                if before and self._is_unowned_word(before) and _in_mid_sentence(text, before[0]):
                    self.people[person].learn([before[2]])
                index += length

    def _owns_lower_case(self, word: str) -> bool:
        """A word in lower case that is a mention of someone here ("спросите маржан")."""
        if _folded(word)[:_MIN_BASE] not in self._heads():
            return False  # the cheap test first: no one's name starts so
        if not any(person.owns_word(word) for person in self.people):
            return False
        return _looks_like_a_name(word[0].upper() + word[1:])

    def _heads(self) -> frozenset[str]:
        """The first letters of every form and base of every person (folded)."""
        key = sum(len(p.forms) + len(p.bases) for p in self.people)
        if self._heads_cache is None or self._heads_cache[0] != key:
            heads = frozenset(
                word[:_MIN_BASE] for p in self.people for word in (*p.forms, *p.bases)
            )
            self._heads_cache = (key, heads)
        return self._heads_cache[1]

    def _is_unowned_word(self, token: _Token) -> bool:
        return not token[3] and not any(p.owns_word(token[2]) for p in self.people)

    def _longest_owner(self, group: list[_Token], index: int) -> tuple[int | None, int]:
        best: tuple[int | None, int] = (None, 0)
        for number, person in enumerate(self.people):
            length = 0
            for _, _, token, initials in group[index:]:
                owned = person.owns_initials(token) if initials else person.owns_word(token)
                if not owned:
                    break
                length += 1
            has_word = any(not t[3] for t in group[index : index + length])
            if has_word and length > best[1]:
                best = (number, length)
        return best


_Token = tuple[int, int, str, bool]  # start, end, text, is initials


def _groups(text: str, lower_case: Callable[[str], bool] | None = None) -> Iterator[list[_Token]]:
    """Runs of adjacent name words and initials (words that are not names break a run); a word
    in lower case stands alone, and only where ``lower_case`` takes it."""
    group: list[_Token] = []
    tokens = _TOKEN if lower_case is None else _TOKEN_OR_LOWER
    for match in tokens.finditer(text):
        lower = match.group("lower")
        if lower is not None:
            if group:
                yield group
                group = []
            if lower_case is not None and lower_case(lower):
                yield [(match.start(), match.end(), lower, False)]
            continue
        token = match.group().rstrip()
        start, end = match.start(), match.start() + len(token)
        initials = match.group("initials") is not None
        if group and not _adjacent(text, group[-1][1], start):
            yield group
            group = []
        if not initials and is_not_a_name(token):
            if group:
                yield group
            group = []
            continue
        group.append((start, end, token, initials))
    if group:
        yield group


def _looks_like_a_name(word: str) -> bool:
    """Whether a word in lower case may be a mention of someone in the book (ownership then
    decides): a name word, or a first name that is also an everyday word ("сымбат")."""
    return is_name_word(word) or word.lower() in KAZAKH_WORD_NAMES


def _in_mid_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \u00a0")
    return before[-1:].islower() or before[-1:] == ","


def _adjacent(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return len(gap) <= 2 and gap.strip(" \u00a0") == ""


def is_person_like(display_name: str) -> bool:
    """True if a sender's display name names a person, not a company or a mailbox."""
    if _COMPANY.search(display_name) or names_a_company(display_name):
        return False
    return any(not is_initials(t) and not is_not_a_name(t) for t in tokens_of(display_name))
