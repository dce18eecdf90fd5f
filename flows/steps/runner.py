"""The shared driver of the three steps: one model call per route, one escalation, one verdict.

:func:`run_step` for one (document, step):

1. a dependency missing from ``previous`` → review ``needs:<step>``, no call; a step that has
   nothing to do (draft of a ``no_reply_needed`` email) → done without a call;
2. call the step's route (``ctx.steps.<step>.route``). The gateway already retried transport
   failures, and once an empty / non-JSON / schema-invalid answer;
3. escalate **once** to ``escalate_to`` (when configured) if the answer is still empty, not JSON
   or schema-invalid, or the step's gate asks for it (categorize's low confidence);
4. the verdict, from the last answer:

   ========================================  ======  =========================================
   last answer                               status  reason
   ========================================  ======  =========================================
   ok, gate passes                           done    —
   ok, gate fails                            review  the gate's codes, ``;``-joined (output kept)
   empty / invalid_json / schema_invalid     review  ``<outcome>`` or ``<outcome>_after_escalation``
   rate_limited / server_error / timeout /   failed  ``transport:<outcome>`` (a re-run retries)
   connection_error
   refused by a policy                       failed  ``refused:<detail>``
   other 4xx                                 failed  ``client_error:<HTTP status>``
   ========================================  ======  =========================================

   When an escalation asked for by the gate does not give a usable answer (bad content or a
   transport failure), the first answer stands: review with the gate's reasons, output kept.

**Checkpoint and resume.** Before escalating, ``checkpoint`` (when given; the nightly batch
commits it) saves the first answer as a ``running`` result with reason ``escalating:<why>``
(``gate``, or the content failure). A run stopped during the escalation leaves that row; the
re-run passes it as ``resume``: no first call — the first answer is rebuilt from it (the gate's
verdict recomputed; a content failure escalates directly), then the escalation and the verdict.
The first answer's usage travels in ``StepOutcome.carried``, so the saved result records the
total while the run's counters see only what this run spent.

Every response (and so every attempt) is kept in ``StepOutcome.responses`` for accounting.
The steps of one document, in order, are :mod:`flows.steps.sequencer`'s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from compliance.gateway.calls import ModelRequest, ModelResponse, Outcome
from flows.config import STEPS
from flows.prompts.registry import Prompt, PromptRegistry
from flows.quality.verdict import Verdict, join_reasons
from flows.steps.base import (
    ESCALATING,
    GATE,
    Checkpoint,
    DocumentView,
    SaveCheckpoint,
    StepContext,
    StepOutcome,
)
from flows.steps.categorize import check_categorize
from flows.steps.draft import INPUTS as DRAFT_INPUTS
from flows.steps.draft import REQUIRES as DRAFT_REQUIRES
from flows.steps.draft import check_draft, skip_draft
from flows.steps.extract import check_extract
from storage.models import StepStatus

Previous = Mapping[str, Mapping[str, Any]]
#: Gives the first answer to a request without a call (a batch line's result).
Answered = Callable[[ModelRequest], Awaitable[ModelResponse]]
Check = Callable[[Mapping[str, Any], DocumentView, Previous], Verdict]


@dataclass(frozen=True)
class StepSpec:
    """What the driver needs to know about a step besides its prompt."""

    check: Check
    #: Steps whose output must be in ``previous`` before this one may run.
    requires: tuple[str, ...] = ()
    #: Steps whose output (when given) the prompt shows in ``{previous}``.
    inputs: tuple[str, ...] = ()
    skip: Callable[[Previous], dict[str, Any] | None] | None = None


SPECS: dict[str, StepSpec] = {
    "extract": StepSpec(check_extract),
    "categorize": StepSpec(check_categorize),
    "draft": StepSpec(check_draft, DRAFT_REQUIRES, DRAFT_INPUTS, skip_draft),
}


def missing_inputs(step: str, previous: Previous) -> list[str]:
    """The steps ``step`` requires whose output is not in ``previous`` (draft: categorize)."""
    return [name for name in SPECS[step].requires if name not in previous]


def not_run(registry: PromptRegistry, step: str, reason: str) -> StepOutcome:
    """``step`` in review for ``reason`` without a call, at its active prompt's versions."""
    prompt = registry.active(step)
    return StepOutcome(
        step, StepStatus.REVIEW, prompt.version, prompt.schema_version, reason=reason
    )


def blocked(registry: PromptRegistry, step: str, previous: Previous) -> StepOutcome:
    """``step`` not run for want of an input: review ``needs:<step>[+<step>]``, no call."""
    return not_run(registry, step, f"needs:{'+'.join(missing_inputs(step, previous))}")


@dataclass
class _Answer:
    """One route's response and, when it is usable, the gate's verdict on it."""

    response: ModelResponse
    verdict: Verdict | None = None


async def run_step(
    ctx: StepContext,
    registry: PromptRegistry,
    step: str,
    view: DocumentView,
    previous: Previous,
    *,
    checkpoint: SaveCheckpoint | None = None,
    resume: Checkpoint | None = None,
    answered: Answered | None = None,
) -> StepOutcome:
    """Run ``step`` for one document; never raises for what a provider did.

    ``checkpoint`` commits the first answer before an escalation; ``resume`` is such a saved
    first answer, from a run that stopped before the escalation's result was saved;
    ``answered`` gives the first answer instead of a call (a batch line's result, already
    audited and paid for: ``flows/batch/collect.py``), judged and escalated as a call's.
    """
    spec = SPECS.get(step)
    if spec is None:
        raise ValueError(f"unknown step {step!r}; steps are {', '.join(STEPS)}")
    prompt = registry.active(step)
    if missing_inputs(step, previous):
        return blocked(registry, step, previous)
    outcome = StepOutcome(step, StepStatus.DONE, prompt.version, prompt.schema_version)
    skipped = spec.skip(previous) if spec.skip is not None else None
    if skipped is not None:
        outcome.output = skipped
        return outcome
    inputs = {name: previous[name] for name in spec.inputs if name in previous}
    request = step_request(ctx, prompt, view, inputs)
    route = getattr(ctx.steps, step)
    if resume is not None:
        first = _restored(resume, request, spec, view, previous)
        outcome.carried = resume.usage
    elif answered is not None:
        first = _judged(await answered(request), spec, view, previous)
    else:
        first = await _ask(ctx, request, route.route, spec, view, previous)
    answers = [first]
    if route.escalate_to and _wants_escalation(first):
        if checkpoint is not None and resume is None:
            await checkpoint(_checkpoint_of(outcome, first))
        answers.append(await _ask(ctx, request, route.escalate_to, spec, view, previous))
    outcome.responses = [answer.response for answer in answers]
    _settle(outcome, answers)
    return outcome


def step_request(
    ctx: StepContext, prompt: Prompt, view: DocumentView, inputs: Previous
) -> ModelRequest:
    """The step's request on the masked view: what an online call sends and a batch line
    carries (``flows/batch``)."""
    return ModelRequest(
        step=prompt.step,
        prompt_version=prompt.version,
        messages=prompt.render(view, inputs),
        output=prompt.output_schema,
        max_tokens=prompt.max_tokens,
        temperature=prompt.temperature,
        path=ctx.path,
        run_id=ctx.run_id,
        document_id=view.document_id,
        caller_key_id=ctx.caller_key_id,
        masked=view.masked,
        masked_counts=dict(view.masked_counts),
    )


async def _ask(
    ctx: StepContext,
    request: ModelRequest,
    route: str,
    spec: StepSpec,
    view: DocumentView,
    previous: Previous,
) -> _Answer:
    response = await ctx.gateway.call(
        request, route, retry=ctx.retry, timeout_s=ctx.timeout_s, window=ctx.window
    )
    return _judged(response, spec, view, previous)


def _judged(
    response: ModelResponse, spec: StepSpec, view: DocumentView, previous: Previous
) -> _Answer:
    """The gate's verdict on a usable answer; none on a failed one."""
    if not response.ok or response.parsed is None:
        return _Answer(response)
    return _Answer(response, spec.check(response.parsed, view, previous))


def _checkpoint_of(outcome: StepOutcome, first: _Answer) -> StepOutcome:
    """The first answer as a ``running`` result: what a re-run needs to skip the first call."""
    response = first.response
    usable = first.verdict is not None
    why = GATE if usable else response.outcome.value
    return StepOutcome(
        outcome.step,
        StepStatus.RUNNING,
        outcome.prompt_version,
        outcome.schema_version,
        output=dict(response.parsed or {}) if usable else None,
        reason=f"{ESCALATING}{why}",
        route=response.route,
        model=response.model,
        responses=[response],
    )


def _restored(
    saved: Checkpoint, request: ModelRequest, spec: StepSpec, view: DocumentView, previous: Previous
) -> _Answer:
    """The first answer rebuilt from its checkpoint: a response without attempts (paid for by
    the run that made them), the gate's verdict recomputed on the saved output."""
    route, model = saved.route or "", saved.model or ""
    if saved.why == GATE and saved.output is not None:
        response = ModelResponse(request, route, model, Outcome.OK, parsed=dict(saved.output))
        return _Answer(response, spec.check(saved.output, view, previous))
    failure = next((o for o in Outcome if o.value == saved.why and o.is_content_failure), None)
    if failure is None:
        raise ValueError(
            f"checkpoint of step {request.step!r} has an unknown reason {saved.why!r}; "
            f"expected {GATE!r} with an output or a content failure"
        )
    return _Answer(ModelResponse(request, route, model, failure))


def _wants_escalation(answer: _Answer) -> bool:
    if answer.verdict is not None:
        return answer.verdict.escalate
    return answer.response.outcome.is_content_failure


def _settle(outcome: StepOutcome, answers: list[_Answer]) -> None:
    """Status, reason, output, route and model from the answers (see the module table)."""
    last = answers[-1]
    usable = [answer for answer in answers if answer.verdict is not None]
    if last.verdict is None and usable:  # the escalation failed: the first answer stands
        last = usable[-1]
    response = last.response
    outcome.route, outcome.model = response.route, response.model
    if last.verdict is not None:
        outcome.output = dict(response.parsed or {})
        if not last.verdict.passed:
            outcome.status, outcome.reason = StepStatus.REVIEW, last.verdict.reason
        return
    outcome.status, outcome.reason = _failure(response, escalated=len(answers) > 1)


def _failure(response: ModelResponse, *, escalated: bool) -> tuple[StepStatus, str]:
    result = response.outcome
    if result.is_content_failure:
        suffix = "_after_escalation" if escalated else ""
        return StepStatus.REVIEW, f"{result.value}{suffix}"
    if result.is_transport_failure:
        return StepStatus.FAILED, f"transport:{result.value}"
    detail = response.attempts[-1].detail if response.attempts else None
    if result is Outcome.REFUSED:
        return StepStatus.FAILED, join_reasons([f"refused:{detail or 'policy'}"]) or "refused"
    if result is Outcome.CLIENT_ERROR:
        status = response.attempts[-1].http_status if response.attempts else None
        return StepStatus.FAILED, f"client_error:{status or 'unknown'}"
    return StepStatus.FAILED, f"unexpected:{result.value}"
