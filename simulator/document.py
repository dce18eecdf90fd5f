"""What the simulated model reads in a prompt: the document part and a stated language.

nightshift's user prompts put a few header lines first (``Sender:``, ``Marked urgent by the
sender:``, ``Customer's language:``, the outputs of earlier steps) and then the document, from
the ``Subject:`` line on: subject, ``Body:`` and ``Attachments:``. The *document part* is that
tail without its English labels (``Subject:``, ``Body:``, ``Attachments:``, ``(none)``,
``--- attachment 1: name ---`` …), so a short Kazakh e-mail is not outweighed by the Latin
letters of the template. A text without a ``Subject:`` line is all document.

A header line ``Customer's language: kk`` (or ``Language: kk``) states the language to answer
in: an instruction-following model uses it, and so does the simulator.
"""

from __future__ import annotations

import re

from simulator.language import LANGUAGES, Language, detect_language

_SUBJECT = re.compile(r"^[ \t]*Subject:", re.MULTILINE)
_LABELS = re.compile(
    r"^[ \t]*(?:Subject|Body|Attachments):"
    r"|^[ \t]*--- attachment \d+: [^\n]*---[ \t]*$"
    r"|^[ \t]*\((?:none|no subject|empty|unknown)\)[ \t]*$"
    r"|^[ \t]*\(\d+ attachment\(s\) could not be read\)[ \t]*$"
    r"|\[\.\.\. \d+ more characters not shown\]",
    re.MULTILINE,
)
_STATED = re.compile(
    r"^[ \t]*(?:customer'?s[ \t]+)?language:[ \t]*([a-z]{2})[ \t]*$", re.MULTILINE | re.IGNORECASE
)


def document_part(text: str) -> str:
    """The document in a user prompt: from the ``Subject:`` line on, labels removed."""
    found = _SUBJECT.search(text)
    tail = text[found.start() :] if found else text
    return _LABELS.sub(" ", tail)


def stated_language(text: str) -> Language | None:
    """The language a header line of the prompt asks for (``Customer's language: kk``)."""
    found = _SUBJECT.search(text)
    header = text[: found.start()] if found else text
    match = _STATED.search(header)
    code = match.group(1).lower() if match else None
    for language in LANGUAGES:
        if code == language:
            return language
    return None


def prompt_language(text: str) -> Language:
    """The language to answer a user prompt in: the stated one, else that of its document."""
    return stated_language(text) or detect_language(document_part(text))
