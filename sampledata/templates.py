"""The template registry: cores per category x language and frames per language.

Every slot used in every template is checked against :data:`KNOWN_SLOTS` at import, so a typo
in a table fails at start-up instead of in record 7,431.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sampledata import lang_en, lang_kk, lang_mixed, lang_ru
from sampledata.corpus import CATEGORIES, Core, Frame

FRAMES: dict[str, Frame] = {"ru": lang_ru.FRAME, "kk": lang_kk.FRAME, "en": lang_en.FRAME}

KNOWN_SLOTS = frozenset(
    {
        # people
        "name", "name_full", "name_polite", "name_initials", "from_email", "email",
        "agent", "agent_full", "agent_dat", "agent_email", "other", "other_dat", "other_email",
        # personal identifiers
        "iin", "bin", "phone", "phone2", "card", "iban", "address", "dob", "idcard", "passport",
        # look-alikes
        "amount", "req", "contract", "deadline", "pcard", "hotline",
        # plain context
        "date", "date_prev", "date_future", "period", "merchant", "company", "city", "subject",
    }
)  # fmt: skip

_SLOT = re.compile(r"\{(\w+)\}")


def cores_for(category: str, lang: str) -> tuple[Core, ...]:
    """The cores of ``category`` written in ``lang`` ("ru", "kk", "en" or "mixed")."""
    if lang == "mixed":
        return lang_mixed.CORES[category]
    return FRAMES[lang].cores[category]


def iter_templates() -> Iterator[tuple[str, str]]:
    """Every template string with a label saying where it lives (for checks and tests)."""
    for lang, frame in FRAMES.items():
        for name in ("greetings", "intros", "context", "closings", "signoffs", "urgent_lines",
                     "urgent_today", "forward_note", "near_empty"):  # fmt: skip
            for text in getattr(frame, name):
                yield f"{lang}.{name}", text
        for name in ("long_signature", "forward_header", "quote_header", "quoted_reply"):
            yield f"{lang}.{name}", getattr(frame, name)
        for key, texts in {**frame.pii_lines, **frame.secondary}.items():
            for text in texts:
                yield f"{lang}.{key}", text
        for filename, text in (*frame.scans, frame.statement):
            yield f"{lang}.{filename}", text
    for lang in (*FRAMES, "mixed"):
        for category in CATEGORIES:
            for core in cores_for(category, lang):
                for text in (core.text, *core.subjects):
                    yield f"{lang}.{category}.{core.problem_type}", text


def _check_templates() -> None:
    for where, text in iter_templates():
        unknown = set(_SLOT.findall(text)) - KNOWN_SLOTS
        if unknown:
            raise ValueError(f"template {where} uses unknown slots {sorted(unknown)}")
    for lang in (*FRAMES, "mixed"):
        for category in CATEGORIES:
            if not cores_for(category, lang):
                raise ValueError(f"no {lang} template for {category}")


_check_templates()
