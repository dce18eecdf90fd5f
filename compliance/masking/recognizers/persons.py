"""Names of people: natasha's NER for Cyrillic text, plus the rules of :mod:`.name_rules`.

natasha (``NewsEmbedding`` + ``NewsNERTagger``; the models ship inside the wheel, nothing is
downloaded) is loaded once per process by :func:`load_ner`. It runs only on text that contains
Cyrillic letters: for Latin text the rules (context and name shape) are the detector. Its PER
spans are cleaned: words that are not names are trimmed, a span is widened over a neighbouring
surname or patronymic it missed (it often drops Kazakh surnames: "Құдайбергенов Мұрат" →
"Мұрат"), and a single word is kept only if it is a known first name or shaped like a surname.

natasha reads only the sentences that could hold a name (:func:`sentences_for_ner`): a
capitalized Cyrillic word past the first word of a sentence, or a first word shaped like a name.

Names found here are per text; :mod:`compliance.masking.names` then finds every other mention
of the same people (case forms, initials) across the whole document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate

from compliance.masking.entities import PERSON, SCORE_NAME
from compliance.masking.recognizers.base import Found
from compliance.masking.recognizers.morphology import is_place_word
from compliance.masking.recognizers.name_rules import (
    NAME_WORD,
    find_names_by_rules,
    is_initials,
    is_name_word,
    is_not_a_name,
    name_view,
    tokens_of,
    trimmed_span,
)
from compliance.masking.recognizers.places import is_place_name

CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
_WORD_BEFORE = re.compile(rf"({NAME_WORD})[ \u00a0]$")
_WORD_AFTER = re.compile(rf"[ \u00a0]({NAME_WORD})(?![\w])")
_MAX_WIDENING = 2
_LINE_PIECE = re.compile(r"[^\n]+")
_SENTENCE = re.compile(r"[^.!?…\n]*(?:[.!?…]+|\n|$)")
_SENTENCE_OPENING = re.compile(r"[\s>\-–—•*\"«(]*")
_CAPITALIZED_CYRILLIC = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+")
#: Name words and initials only: at most four, separated by spaces.
_NAME_ONLY = re.compile(r"[^\W\d_][\w'’.\-]*(?:[ \u00a0]+[^\W\d_][\w'’.\-]*){0,3}")
_WORD = re.compile(r"[^\W\d_]+(?:[.\-][^\W\d_]+)*\.?")

#: text -> [(start, end, type)] for the entities natasha tags.
NerTagger = Callable[[str], list[tuple[int, int, str]]]


@cache
def load_ner() -> NerTagger:
    """natasha's news NER, loaded once per process from the files inside the wheel, run by
    :class:`~.ner_runner.NerRunner` (natasha's spans, without slovnet's batch machinery)."""
    from natasha import NewsEmbedding, NewsNERTagger

    from compliance.masking.recognizers.ner_runner import NerRunner

    return NerRunner(NewsNERTagger(NewsEmbedding()))


def _joins_before(text: str, word_start: int, word: str) -> bool:
    """A word before a name joins it if it looks like a name, or is capitalized mid-sentence."""
    if is_not_a_name(word) or is_place_word(word):  # "округа Шымкента Ахметжанов"
        return False
    if is_name_word(word):
        return True
    before = text[max(0, word_start - 3) : word_start].rstrip(" \u00a0")
    return before[-1:].islower() or before[-1:] == ","


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    for _ in range(_MAX_WIDENING):
        before = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if before is None or not _joins_before(text, before.start(1), before.group(1)):
            break
        start = before.start(1)
    for _ in range(_MAX_WIDENING):
        after = _WORD_AFTER.match(text, end)
        if after is None or not is_name_word(after.group(1)):
            break
        end = after.end(1)
    return start, end


def _on_word_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without a first or last word glued to other letters ("Кли|eнту" in OCR)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    if words and start > 0 and text[start - 1].isalpha():
        words.pop(0)
    if words and end < len(text) and text[end].isalpha():
        words.pop()
    return (words[0][0], words[-1][1]) if words else None


def _is_plausible(tokens: list[str]) -> bool:
    """One name-shaped word, or several words of four letters or more."""
    words = [t for t in tokens if not is_initials(t)]
    if any(is_name_word(w) for w in words):
        return True
    return len(words) >= 2 and all(len(w) >= 4 for w in words)


def _reads_as_a_name(value: str) -> bool:
    return _NAME_ONLY.fullmatch(value) is not None and _is_plausible(tokens_of(value))


def _lines_of(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A span cut at line breaks (natasha's spans may run over one)."""
    for piece in _LINE_PIECE.finditer(text, start, end):
        yield piece.start(), piece.end()


def _is_worth_a_look(sentence: str) -> bool:
    """A capitalized Cyrillic word that could be a name: past the first word, or name-shaped."""
    first = _SENTENCE_OPENING.match(sentence)
    opening = first.end() if first else 0
    for word in _CAPITALIZED_CYRILLIC.finditer(sentence):
        if is_not_a_name(word.group()):
            continue
        if word.start() > opening or is_name_word(word.group()):
            return True
    return False


def sentences_for_ner(text: str) -> list[tuple[int, str]]:
    """The sentences of ``text`` that could hold a name, with their offsets.

    natasha's cost grows with the words it reads; most sentences of a letter hold no
    capitalized word but the first ("Прошу вернуть деньги."). Measured on the sample e-mails,
    12 % of the words remain, and recall does not change.
    """
    return [
        (sentence.start(), sentence.group())
        for sentence in _SENTENCE.finditer(text)
        if sentence.group().strip() and _is_worth_a_look(sentence.group())
    ]


def _tagged(text: str, tagger: NerTagger) -> Iterator[tuple[int, int]]:
    """natasha's PER spans over the candidate sentences, as offsets into ``text``."""
    sentences = sentences_for_ner(text)
    if not sentences:
        return
    joined = "\n".join(sentence for _, sentence in sentences)
    starts = list(accumulate((len(s) + 1 for _, s in sentences[:-1]), initial=0))
    for start, end, kind in tagger(joined):
        index = bisect_right(starts, start) - 1
        offset, sentence = sentences[index]
        piece_start = start - starts[index]
        piece_end = min(end - starts[index], len(sentence))
        if kind == "PER" and piece_end > piece_start:
            yield offset + piece_start, offset + piece_end


def find_names_by_ner(text: str, tagger: NerTagger) -> Iterator[Found]:
    """PER spans natasha finds in ``text``, cut at line breaks, cleaned and widened.

    A span is kept only if it reads as a name: words and initials, nothing else.
    """
    for start, end in _tagged(text, tagger):
        for line_start, line_end in _lines_of(text, start, end):
            bounded = _on_word_bounds(text, line_start, line_end)
            span = bounded and trimmed_span(text, *_widened(text, *bounded))
            if span and _reads_as_a_name(text[span[0] : span[1]]):
                yield Found(PERSON, span[0], span[1], SCORE_NAME)


def find_names(text: str, tagger: NerTagger | None) -> Iterator[Found]:
    """Names in one text: the rules always, natasha too where the text has Cyrillic.

    Both read the text's :func:`name_view` (ALL CAPS re-cased, look-alike letters in one
    script), whose offsets are the text's own.
    """
    view = name_view(text)
    for found in find_names_by_rules(view):
        if not is_place_name(view, found.start, found.end):
            yield found
    if tagger is not None and CYRILLIC.search(view):
        for found in find_names_by_ner(view, tagger):
            value = view[found.start : found.end]
            if is_place_name(view, found.start, found.end) or (
                " " not in value and is_place_word(value)  # "округа Шымкента": a city
            ):
                continue
            if view is text or _is_name_or_as_written(text, view, found):
                yield found


def _is_name_or_as_written(text: str, view: str, found: Found) -> bool:
    """natasha reads a re-cased heading ("ШАРТТЫҢ МӘНІ" -> "Шарттың Мәні") as a name: a span
    the view re-cased needs one word that looks like a name by itself."""
    if text[found.start : found.end] == view[found.start : found.end]:
        return True
    return any(is_name_word(word) for word in tokens_of(view[found.start : found.end]))
