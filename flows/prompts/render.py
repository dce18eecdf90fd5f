"""The values a prompt's user template may use, built from a :class:`DocumentView`.

Only what the model may see goes in: subject, body, readable attachment texts, the sender's
name, the outputs of earlier steps, the source's urgent flag and the detected language. Ground
truth labels are not part of a ``DocumentView`` and cannot reach a prompt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.quality.language import detect_language

if TYPE_CHECKING:  # flows.steps imports this package: no import cycle at run time
    from flows.steps.base import DocumentView

#: The placeholders a user template may use.
PLACEHOLDERS = frozenset(
    {"subject", "body", "attachments", "sender", "previous", "urgent_hint", "language"}
)
#: Longer attachment texts are cut (the model is told how much was left out).
MAX_ATTACHMENT_CHARS = 6_000


def render_attachments(view: DocumentView) -> str:
    parts: list[str] = []
    for number, (filename, text) in enumerate(view.attachments, 1):
        shown = text[:MAX_ATTACHMENT_CHARS]
        cut = len(text) - len(shown)
        note = f"\n[... {cut} more characters not shown]" if cut else ""
        parts.append(f"--- attachment {number}: {filename} ---\n{shown}{note}")
    if view.unreadable_attachments:
        parts.append(f"({view.unreadable_attachments} attachment(s) could not be read)")
    return "\n\n".join(parts) if parts else "(none)"


def render_previous(previous: Mapping[str, Mapping[str, Any]]) -> str:
    if not previous:
        return "(none)"
    plain = {step: dict(output) for step, output in previous.items()}
    return json.dumps(plain, ensure_ascii=False, sort_keys=True, indent=1)


def render_values(view: DocumentView, previous: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every placeholder's text for one document."""
    return {
        "subject": view.subject or "(no subject)",
        "body": view.body or "(empty)",
        "attachments": render_attachments(view),
        "sender": view.sender_name or "(unknown)",
        "previous": render_previous(previous),
        "urgent_hint": "yes" if view.urgent_hint else "no",
        "language": detect_language(f"{view.subject}\n{view.body}") or "unknown",
    }
