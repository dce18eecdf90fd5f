"""categorize: the category of one email for routing, with the model's confidence, a second
candidate, whether it has two topics, whether it is urgent, and the department.

The gate (:func:`check_categorize`), in this order:

- ``low_confidence:<c>`` (two decimals, e.g. ``low_confidence:0.42``) — confidence below
  :data:`LOW_CONFIDENCE`. Asks for the strong route (``escalate_to``); still low after that,
  the step goes to review;
- ``two_topics:<category>+<alternative>`` — the email asks for two things (``none`` when the
  model named no alternative). Review, output kept: a person may split the work;
- ``poor_scan`` — an attachment looks like bad OCR (:mod:`flows.quality.scan`); what was read
  from it may be wrong. Review, output kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.quality.scan import looks_poorly_scanned
from flows.quality.verdict import PASS, Verdict
from flows.steps.base import DocumentView

#: Below this confidence the answer goes to the strong route, then to review.
LOW_CONFIDENCE = 0.6


def check_categorize(
    output: Mapping[str, Any], view: DocumentView, previous: Mapping[str, Mapping[str, Any]]
) -> Verdict:
    reasons: list[str] = []
    confidence = float(output.get("confidence", 0.0))
    low = confidence < LOW_CONFIDENCE
    if low:
        reasons.append(f"low_confidence:{confidence:.2f}")
    if output.get("two_topics"):
        alternative = output.get("alternative_category") or "none"
        reasons.append(f"two_topics:{output.get('category')}+{alternative}")
    if any(looks_poorly_scanned(text) for _, text in view.attachments):
        reasons.append("poor_scan")
    return Verdict(tuple(reasons), escalate=low) if reasons else PASS
