"""The step sequencer: one document's steps in order, the same on the nightly and online paths.

    ran = await run_steps(ctx, registry, view, finished=done, previous=outputs, on_step=record)

For each step of :data:`~flows.config.STEPS` (extract → categorize → draft) that was asked for,
in that order, one turn:

============  ==========================================================  =====================
turn          when                                                        outcome
============  ==========================================================  =====================
``finished``  a result of it was loaded by the caller (``finished``)      none: not run again
``not_sent``  the document could not be masked (``view`` is None, or      review ``<why>``
              ``not_sent`` says why): nothing of it may be sent           (``not_masked``)
``blocked``   a step it requires has no output (draft needs categorize,   review ``needs:<step>``
              ``runner.SPECS``)                                           — not a result
``ran``       otherwise, unless ``stop()`` gives a reason first (the      :func:`run_step`'s:
              sequence then ends there): the call, the escalation with    done / review / failed
              its checkpoint or resume, the verdict
============  ==========================================================  =====================

``on_step(turn, step, outcome)`` sees every turn in order (``outcome`` is None for a finished
step). The caller saves ``not_sent`` and ``ran`` outcomes and may show the others; it returns a
reason to end the sequence (the nightly budget refused the call, the online caller key is over
a limit) or None. ``stop()`` is asked before each model call only (the nightly budget is spent,
an online write failed). The output of a step — done, or in review with its output kept — is an
input to the steps after it, as are the outputs the caller put in ``previous`` (those of
finished steps whose placeholders belong to the text the steps see now).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flows.config import STEPS
from flows.prompts.registry import PromptRegistry
from flows.steps.base import Checkpoint, DocumentView, SaveCheckpoint, StepContext, StepOutcome
from flows.steps.runner import blocked, missing_inputs, not_run, run_step

#: Why nothing of a document may be sent when no reason is given.
NOT_MASKED = "not_masked"


class Turn(StrEnum):
    """What the sequencer did with one step (see the module table)."""

    FINISHED = "finished"
    NOT_SENT = "not_sent"
    BLOCKED = "blocked"
    RAN = "ran"


#: Sees each turn in order; returns a reason to end the sequence, or None to go on.
OnStep = Callable[[Turn, str, StepOutcome | None], Awaitable[str | None]]


@dataclass
class StepsRun:
    """What :func:`run_steps` did: the outcomes of the steps it did not skip, in order."""

    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    #: Why the sequence ended before its last step (``stop()`` or ``on_step``); None otherwise.
    stopped: str | None = None


async def _no_hook(turn: Turn, step: str, outcome: StepOutcome | None) -> str | None:
    return None


def ordered(steps: Collection[str]) -> tuple[str, ...]:
    """``steps`` in the order they run; :class:`ValueError` names an unknown one."""
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        raise ValueError(f"unknown step(s) {', '.join(unknown)}; steps are {', '.join(STEPS)}")
    return tuple(step for step in STEPS if step in steps)


async def run_steps(
    ctx: StepContext,
    registry: PromptRegistry,
    view: DocumentView | None,
    steps: Sequence[str] = STEPS,
    *,
    finished: Collection[str] = (),
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    not_sent: str | None = None,
    stop: Callable[[], str | None] | None = None,
    on_step: OnStep = _no_hook,
    checkpoint: SaveCheckpoint | None = None,
    resume: Mapping[str, Checkpoint] | None = None,
) -> StepsRun:
    """Run the asked ``steps`` of one document in order (see the module table).

    ``view`` is the masked text (None: masking failed, ``not_sent`` says why); ``finished``
    names steps already done or in review, ``previous`` the outputs later steps may read;
    ``checkpoint`` commits a first answer before its escalation, ``resume`` holds first answers
    a stopped run saved, by step.
    """
    inputs: dict[str, Mapping[str, Any]] = dict(previous or {})
    ran = StepsRun()
    for step in ordered(steps):
        if step in finished:
            turn, outcome = Turn.FINISHED, None
        elif view is None or not_sent is not None:
            turn, outcome = Turn.NOT_SENT, not_run(registry, step, not_sent or NOT_MASKED)
        elif missing_inputs(step, inputs):
            turn, outcome = Turn.BLOCKED, blocked(registry, step, inputs)
        elif (why := stop() if stop is not None else None) is not None:
            ran.stopped = why
            return ran
        else:
            turn = Turn.RAN
            saved = (resume or {}).get(step)
            outcome = await run_step(
                ctx, registry, step, view, inputs, checkpoint=checkpoint, resume=saved
            )
        if outcome is not None:
            ran.outcomes[step] = outcome
        why = await on_step(turn, step, outcome)
        if why is not None:
            ran.stopped = why
            return ran
        if turn is not Turn.BLOCKED and outcome is not None and outcome.output is not None:
            inputs[step] = outcome.output
    return ran
