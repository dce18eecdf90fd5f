"""Checks of a drafted reply before anyone may count it as ready.

Each check is a pure function that returns a reason code, or None when the draft passes it.
Codes carry kinds and language codes only — never text from the draft or the document:

``draft_empty``
    nothing but whitespace.
``draft_repetition:sentence`` / ``draft_repetition:ngram``
    the same sentence (three words or more) twice, or more than :data:`REPEATED_NGRAM_SHARE`
    of the word 4-grams are repeats (a model stuck in a loop).
``draft_wrong_language:<draft>!=<customer>``
    the draft's language (:mod:`flows.quality.language`) is neither the customer's main
    language nor one that makes at least ``MIXED_SHARE`` of a mixed message; e.g.
    ``draft_wrong_language:ru!=kk``. Too little text to tell: the draft's own ``language``
    field is used; neither: no verdict.
``draft_invented_detail:<kind>[+<kind>…]``
    the draft has a placeholder, e-mail address, date, amount, number or name that the
    document does not have (:mod:`flows.quality.details`), e.g. ``draft_invented_detail:number``.
"""

from __future__ import annotations

import re
from collections import Counter

from flows.quality.details import details
from flows.quality.language import LANGUAGES, Language, language_profile

REPEATED_NGRAM_SHARE = 0.2
#: Fewer words than this are not checked for repeated 4-grams.
MIN_NGRAM_WORDS = 12
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[^\W_]+")


def check_empty(reply: str) -> str | None:
    return "draft_empty" if not reply.strip() else None


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def check_repetition(reply: str) -> str | None:
    sentences = [" ".join(_words(s)) for s in _SENTENCE.split(reply)]
    counts = Counter(s for s in sentences if len(s.split()) >= 3)
    if any(n > 1 for n in counts.values()):
        return "draft_repetition:sentence"
    words = _words(reply)
    if len(words) < MIN_NGRAM_WORDS:
        return None
    grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    repeated = len(grams) - len(set(grams))
    if repeated / len(grams) > REPEATED_NGRAM_SHARE:
        return "draft_repetition:ngram"
    return None


def check_language(reply: str, customer_text: str, declared: str | None = None) -> str | None:
    """The draft must be in (one of) the customer's language(s)."""
    customer = language_profile(customer_text)
    wanted = customer.primary
    if wanted is None:
        return None
    written = language_profile(reply).primary or _known(declared)
    if written is None or customer.accepts(written):
        return None
    return f"draft_wrong_language:{written}!={wanted}"


def _known(declared: str | None) -> Language | None:
    for language in LANGUAGES:
        if declared == language:
            return language
    return None


def check_details(reply: str, source_text: str) -> str | None:
    """Every number, date, amount, e-mail, placeholder and name must come from the source."""
    kinds = details(source_text).unknown_in(details(reply))
    return "draft_invented_detail:" + "+".join(kinds) if kinds else None


def draft_reasons(
    reply: str, *, source_text: str, customer_text: str | None = None, declared: str | None = None
) -> list[str]:
    """All reasons a draft needs review; empty when it passes every check.

    ``source_text`` is everything the model was shown of the document (the details allowed in
    the reply); ``customer_text`` is what the customer wrote (subject and body: the language to
    answer in), by default the source.
    """
    empty = check_empty(reply)
    if empty is not None:
        return [empty]
    checks = (
        check_repetition(reply),
        check_language(
            reply, customer_text if customer_text is not None else source_text, declared
        ),
        check_details(reply, source_text),
    )
    return [reason for reason in checks if reason is not None]
