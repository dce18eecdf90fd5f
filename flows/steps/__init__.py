"""The three steps — extract, categorize, draft — as plain async functions over one document.

    registry = PromptRegistry.load()
    outcome = await run_step(ctx, registry, "categorize", view, previous={})
    outcomes = await run_document_steps(ctx, registry, view, done={"extract": {...}})

Each step is a prompt file (:mod:`flows.prompts`) plus a quality gate (``check_*``);
:mod:`flows.steps.runner` drives the calls, the escalation and the verdict. See ``docs/steps.md``.
"""

from flows.steps.base import DocumentView, StepContext, StepOutcome
from flows.steps.categorize import LOW_CONFIDENCE, check_categorize
from flows.steps.draft import check_draft, skip_draft
from flows.steps.extract import check_extract, document_text, normalize_identifier
from flows.steps.runner import SPECS, StepSpec, run_document_steps, run_step

__all__ = [
    "LOW_CONFIDENCE",
    "SPECS",
    "DocumentView",
    "StepContext",
    "StepOutcome",
    "StepSpec",
    "check_categorize",
    "check_draft",
    "check_extract",
    "document_text",
    "normalize_identifier",
    "run_document_steps",
    "run_step",
    "skip_draft",
]
