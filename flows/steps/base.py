"""The contract shared by the three steps (extract, categorize, draft) on both paths.

A step is a plain async function — callable and testable without Prefect — that turns a
:class:`DocumentView` (the text a model may see) plus the outputs of earlier steps into a
:class:`StepOutcome`. It never touches the database: the caller (the nightly chunk task or the
online path) saves the outcome as the step's checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from compliance.calls import CallPath, ModelResponse, Outcome
from compliance.gateway import Gateway
from compliance.retry import RetryPolicy
from flows.config import StepsConfig
from storage.models import StepStatus


@dataclass(frozen=True)
class DocumentView:
    """What a step may show a model: the document's text (masked, once masking lands) and ids.

    Never carries ground-truth labels.
    """

    document_id: int
    content_hash: str
    subject: str
    body: str
    #: (filename, text) of readable attachments.
    attachments: tuple[tuple[str, str], ...] = ()
    sender_name: str | None = None
    #: The urgent flag the source set (a hint for categorize, not an answer).
    urgent_hint: bool = False
    #: Attachments that could not be read (scans without OCR).
    unreadable_attachments: int = 0
    #: True when the texts above are the masked ones (``flows.privacy.masked_view``).
    masked: bool = False
    #: Per-type counts of masked values (filled by the masking layer).
    masked_counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StepContext:
    """Everything a step needs besides the document; built once per run or request."""

    gateway: Gateway
    steps: StepsConfig
    path: CallPath = "nightly"
    run_id: str | None = None
    retry: RetryPolicy | None = None
    #: Per-attempt timeout; None = the route's ``timeout_s``.
    timeout_s: float | None = None


@dataclass
class StepOutcome:
    """How a step ended for one document, with every model response it took to get there."""

    step: str
    status: StepStatus
    prompt_version: str
    schema_version: str
    output: dict[str, Any] | None = None
    #: Why the step is in review or failed: a reason code, then counts or paths; never text.
    reason: str | None = None
    route: str | None = None
    model: str | None = None
    responses: list[ModelResponse] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return sum(len(r.attempts) for r in self.responses)

    @property
    def tokens_in(self) -> int:
        return sum(r.tokens_in for r in self.responses)

    @property
    def tokens_out(self) -> int:
        return sum(r.tokens_out for r in self.responses)

    @property
    def cost(self) -> Decimal:
        return sum((r.cost for r in self.responses), Decimal(0))

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.responses for a in r.attempts if a.outcome is outcome)
