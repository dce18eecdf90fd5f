"""The shapes of the text tables: per-category message cores and per-language frames.

Templates are plain strings with ``{slot}`` markers (filled by :mod:`.slots`) and, for Russian,
``[masculine|feminine]`` verb forms chosen by the sender's gender. The tables themselves live in
``lang_ru``, ``lang_kk``, ``lang_en`` and ``lang_mixed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = (
    "payment_complaint",
    "delivery_question",
    "closing_documents_request",
    "card_blocked_or_fraud",
    "account_access",
    "contract_question",
    "no_reply_needed",
)
LANGUAGES = ("ru", "kk", "en", "mixed")
PROBLEM_CATEGORIES = frozenset(
    {"payment_complaint", "delivery_question", "card_blocked_or_fraud", "account_access"}
)
UNIVERSAL_CONTEXT = 2
DEPARTMENTS = {
    "payment_complaint": "payments",
    "delivery_question": "logistics",
    "closing_documents_request": "accounting",
    "card_blocked_or_fraud": "fraud",
    "account_access": "digital_banking",
    "contract_question": "legal",
    "no_reply_needed": None,
}


@dataclass(frozen=True, slots=True)
class Core:
    """The message itself: what the customer wants, in one language.

    ``kind`` is "request" for ordinary letters; no_reply_needed cores are "thanks",
    "autoreply" or "newsletter", which change the frame around them.
    """

    problem_type: str | None
    text: str
    subjects: tuple[str, ...]
    urgent: bool = False
    kind: str = "request"


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything around the core in one language: greetings, signatures, hard-case wrappers."""

    greetings: tuple[str, ...]
    intros: tuple[str, ...]
    context: tuple[str, ...]  # the first UNIVERSAL_CONTEXT fit any request, the rest problems
    closings: tuple[str, ...]
    signoffs: tuple[str, ...]
    long_signature: str
    pii_lines: dict[str, tuple[str, ...]]
    urgent_subjects: tuple[str, ...]
    urgent_lines: tuple[str, ...]
    urgent_today: tuple[str, ...]
    secondary: dict[str, tuple[str, ...]]
    forward_note: tuple[str, ...]
    forward_header: str
    quote_header: str
    quoted_reply: str
    near_empty: tuple[str, ...]
    letter_filename: str
    scans: tuple[tuple[str, str], ...]  # (filename, template)
    statement: tuple[str, str]  # (filename, template)
    newsletter_senders: tuple[str, ...]
    autoreply_prefix: str
    cores: dict[str, tuple[Core, ...]] = field(default_factory=dict)
