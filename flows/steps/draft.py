"""draft: a short first reply in the customer's language, written from the email and the
outputs of categorize (required) and extract (when done).

- No categorize output yet: the step is not run (``needs:categorize``, review).
- Category ``no_reply_needed``: no model call; done with ``{"skipped": "no_reply_needed"}``.
- Otherwise the gate (:func:`check_draft`) runs the checks of
  :mod:`flows.quality.draft_checks` against the document's text: ``draft_empty``,
  ``draft_repetition:*``, ``draft_wrong_language:<draft>!=<customer>``,
  ``draft_invented_detail:<kinds>``. A failing draft goes to review with its output kept; it is
  never counted as ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.quality.draft_checks import draft_reasons
from flows.quality.verdict import PASS, Verdict
from flows.steps.base import DocumentView
from flows.steps.extract import document_text

#: Steps whose output the draft cannot do without.
REQUIRES = ("categorize",)
#: Steps whose output (when done) goes into the prompt's ``{previous}``.
INPUTS = ("categorize", "extract")
NO_REPLY = "no_reply_needed"


def skip_draft(previous: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """The output to record without a model call, or None to draft."""
    category = previous.get("categorize", {}).get("category")
    return {"skipped": NO_REPLY} if category == NO_REPLY else None


def check_draft(
    output: Mapping[str, Any], view: DocumentView, previous: Mapping[str, Mapping[str, Any]]
) -> Verdict:
    reasons = draft_reasons(
        str(output.get("reply", "")),
        source_text=document_text(view),
        customer_text=f"{view.subject}\n{view.body}",
        declared=output.get("language"),
    )
    return Verdict(tuple(reasons)) if reasons else PASS
