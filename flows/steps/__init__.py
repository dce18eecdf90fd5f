"""The three steps — extract, categorize, draft — as plain async functions over one document.

    registry = PromptRegistry.load()
    outcome = await run_step(ctx, registry, "categorize", view, previous={})
    ran = await run_steps(ctx, registry, view, previous={"extract": {...}})

Each step is a prompt file (:mod:`flows.prompts`) plus a quality gate (``check_*``);
:mod:`flows.steps.runner` drives one step's calls, escalation and verdict, and
:mod:`flows.steps.sequencer` one document's steps in order — for the nightly batch, the online
path and the tests alike. See ``docs/steps.md``.
"""

from flows.steps.base import DocumentView, StepContext, StepOutcome
from flows.steps.categorize import LOW_CONFIDENCE, check_categorize
from flows.steps.draft import check_draft, skip_draft
from flows.steps.extract import check_extract, document_text, normalize_identifier
from flows.steps.runner import SPECS, StepSpec, run_step
from flows.steps.sequencer import StepsRun, Turn, run_steps

__all__ = [
    "LOW_CONFIDENCE",
    "SPECS",
    "DocumentView",
    "StepContext",
    "StepOutcome",
    "StepSpec",
    "StepsRun",
    "Turn",
    "check_categorize",
    "check_draft",
    "check_extract",
    "document_text",
    "normalize_identifier",
    "run_step",
    "run_steps",
    "skip_draft",
]
