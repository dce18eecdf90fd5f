"""extract: the fields of one email (request and contract numbers, customer, problem, deadline,
department, amount, currency), each null when the email does not state it.

The gate (:func:`check_extract`) distrusts what a model could have made up:

- ``invented_field:<name>`` — a ``request_number`` or ``contract_number`` that does not occur in
  the document's text. Compared normalized: case-insensitive, spaces and dashes ignored,
  Cyrillic look-alike letters folded (``КZ-75`` = ``kz75``). The output is kept as the model
  gave it, for the reviewer to see;
- ``invalid_field:deadline`` — a deadline that is not an ISO date (``YYYY-MM-DD``).

Neither asks for the strong route: an invented identifier is sent to a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flows.quality.details import fold
from flows.quality.verdict import PASS, Verdict
from flows.steps.base import DocumentView

#: Identifiers that must occur in the document's text.
COPIED_FIELDS = ("request_number", "contract_number")
_IGNORED = re.compile(r"[\s\-‐‑‒–—―_]+")


def normalize_identifier(text: str) -> str:
    """``KZ-75 / 2023`` → ``kz75/2023``: case, look-alike letters, spaces and dashes ignored."""
    return _IGNORED.sub("", fold(text))


def document_text(view: DocumentView) -> str:
    """Everything of the document a model is shown (subject, body, attachments, sender)."""
    parts = [view.subject, view.body, *(text for _, text in view.attachments)]
    if view.sender_name:
        parts.append(view.sender_name)
    return "\n".join(parts)


def check_extract(
    output: Mapping[str, Any], view: DocumentView, previous: Mapping[str, Mapping[str, Any]]
) -> Verdict:
    """Review when an identifier is not in the document or the deadline is not a date."""
    source = normalize_identifier(document_text(view))
    reasons: list[str] = []
    for name in COPIED_FIELDS:
        value = output.get(name)
        if isinstance(value, str) and value.strip():
            wanted = normalize_identifier(value)
            if not wanted or wanted not in source:
                reasons.append(f"invented_field:{name}")
    deadline = output.get("deadline")
    if deadline is not None and not _iso_date(deadline):
        reasons.append("invalid_field:deadline")
    return Verdict(tuple(reasons)) if reasons else PASS


def _iso_date(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
