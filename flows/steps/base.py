"""The contract shared by the three steps (extract, categorize, draft) on both paths.

A step is a plain async function — callable and testable without Prefect — that turns a
:class:`DocumentView` (the text a model may see) plus the outputs of earlier steps into a
:class:`StepOutcome`. It never touches the database: the caller (the nightly chunk task or the
online path) saves the outcome as the step's checkpoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from compliance.gateway.calls import CallPath, ModelResponse, Outcome
from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.tiers import WindowShare
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
    #: The caller key the calls are made for (its limits apply); None = no key limits.
    caller_key_id: str | None = None
    #: The nightly run's window: flex routes fall back to standard calls once their share of
    #: it is gone (``compliance.gateway.tiers``); None = no window.
    window: WindowShare | None = None


@dataclass(frozen=True)
class Usage:
    """What model calls cost: attempts, tokens and money."""

    attempts: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.attempts + other.attempts,
            self.tokens_in + other.tokens_in,
            self.tokens_out + other.tokens_out,
            self.cost + other.cost,
        )


#: The first answer of a step that asks for escalation, as ``escalating:<why>``.
ESCALATING = "escalating:"
#: ``why`` of a checkpoint whose first answer was usable but the gate asked for escalation.
GATE = "gate"


@dataclass(frozen=True)
class Checkpoint:
    """A step's first answer, saved before escalating, so a stopped run never pays for it twice.

    Saved as a ``running`` step result with reason ``escalating:<why>``; a re-run resumes from
    it (:func:`flows.steps.runner.run_step`): no first call, straight to the escalation.
    """

    #: ``gate`` (``output`` is the first answer) or the content failure (``invalid_json`` …).
    why: str
    output: dict[str, Any] | None
    route: str | None
    model: str | None
    #: What the first answer cost the run that made it.
    usage: Usage


#: Commits a checkpoint (a ``running`` outcome); returns once it is committed.
SaveCheckpoint = Callable[["StepOutcome"], Awaitable[None]]


@dataclass
class StepOutcome:
    """How a step ended for one document, with every model response it took to get there.

    ``attempts``, ``tokens_*`` and ``cost`` are what *this* run spent (its counters add them);
    :attr:`total` adds what an earlier run spent on the same step (``carried``, from a
    checkpoint) — what the saved result records.
    """

    step: str
    status: StepStatus
    prompt_version: str
    schema_version: str
    output: dict[str, Any] | None = None
    #: Why the step is in review or failed: a reason code, then counts or paths; never text.
    reason: str | None = None
    route: str | None = None
    model: str | None = None
    #: Every response: a first answer restored from a checkpoint has no attempts (its run paid).
    responses: list[ModelResponse] = field(default_factory=list)
    #: What an earlier run spent on this step (the checkpoint's first answer).
    carried: Usage = field(default_factory=Usage)

    @property
    def total(self) -> Usage:
        """What the step cost over every run: this run's responses plus ``carried``."""
        spent = Usage(self.attempts, self.tokens_in, self.tokens_out, self.cost)
        return spent + self.carried

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
