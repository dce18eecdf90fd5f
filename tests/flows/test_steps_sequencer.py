"""The step sequencer against a scripted model: one document's steps in order, what each turn
sends and records, and when the sequence ends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from flows.config import STEPS
from flows.prompts import PromptRegistry
from flows.steps import StepOutcome, StepsRun, Turn, run_steps
from flows.steps.base import GATE, Checkpoint, Usage
from storage.models import StepStatus
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    DRAFT_OK,
    EXTRACT_OK,
    STRONG,
    Reply,
    SchemaAwareModel,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
)
from tests.flows.test_steps_support import (
    COMPLAINT as BODY,
)

SMALL_MODEL, STRONG_MODEL = "small-model", "strong-model"
ALL_OK: dict[str, Reply] = {
    "extract_v1": EXTRACT_OK,
    "categorize_v1": CATEGORIZE_OK,
    "draft_v1": DRAFT_OK,
}


@pytest.fixture(scope="module")
def registry() -> PromptRegistry:
    return PromptRegistry.load()


class Turns:
    """An ``on_step`` hook that notes every turn and can end the sequence after a step."""

    def __init__(self, end_after: str | None = None) -> None:
        self.seen: list[tuple[Turn, str]] = []
        self.end_after = end_after

    async def __call__(self, turn: Turn, step: str, outcome: StepOutcome | None) -> str | None:
        assert (outcome is None) == (turn is Turn.FINISHED)
        self.seen.append((turn, step))
        return "limit" if step == self.end_after else None


async def sequence(
    model: ScriptedModel,
    registry: PromptRegistry,
    steps: Sequence[str] = STEPS,
    *,
    escalate: bool = True,
    masked: bool = True,
    **options: Any,
) -> StepsRun:
    """``run_steps`` for the complaint ``BODY`` against ``model``."""
    async with make_gateway(model.transport()) as gateway:
        ctx = make_context(gateway, escalate=escalate)
        view = simple_view(BODY) if masked else None
        return await run_steps(ctx, registry, view, steps, **options)


def schema_names(model: ScriptedModel) -> list[str]:
    return [body["response_format"]["json_schema"]["name"] for body in model.bodies]


def shown_to_draft(body: dict[str, Any]) -> dict[str, Any]:
    """The earlier outputs the draft prompt shows (its ``{previous}``)."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    shown = json.loads(user.split("fields:\n", 1)[1].split("\n\nSender")[0])
    assert isinstance(shown, dict)
    return shown


async def test_a_document_runs_in_order_and_feeds_outputs_to_the_draft(
    registry: PromptRegistry,
) -> None:
    model = SchemaAwareModel(ALL_OK)
    turns = Turns()
    ran = await sequence(model, registry, ("draft", "extract", "categorize"), on_step=turns)
    assert list(ran.outcomes) == ["extract", "categorize", "draft"]
    assert all(o.status is StepStatus.DONE for o in ran.outcomes.values())
    assert ran.stopped is None
    assert turns.seen == [(Turn.RAN, "extract"), (Turn.RAN, "categorize"), (Turn.RAN, "draft")]
    assert schema_names(model) == ["extract_v1", "categorize_v1", "draft_v1"]
    assert set(shown_to_draft(model.bodies[2])) == {"categorize", "extract"}


async def test_a_categorize_in_review_with_its_output_kept_feeds_the_draft(
    registry: PromptRegistry,
) -> None:
    low = {**CATEGORIZE_OK, "confidence": 0.2}
    model = SchemaAwareModel({**ALL_OK, "categorize_v1": low})
    ran = await sequence(model, registry, ("categorize", "draft"), escalate=False)
    categorize = ran.outcomes["categorize"]
    assert (categorize.status, categorize.output) == (StepStatus.REVIEW, low)
    assert ran.outcomes["draft"].status is StepStatus.DONE
    assert shown_to_draft(model.bodies[1])["categorize"]["confidence"] == 0.2


async def test_a_categorize_without_an_output_blocks_the_draft_without_a_call(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: ["not json {"]})
    turns = Turns()
    ran = await sequence(model, registry, ("categorize", "draft"), on_step=turns, escalate=False)
    assert (ran.outcomes["categorize"].status, ran.outcomes["categorize"].output) == (
        StepStatus.REVIEW,
        None,
    )
    draft = ran.outcomes["draft"]
    assert (draft.status, draft.reason, draft.responses) == (
        StepStatus.REVIEW,
        "needs:categorize",
        [],
    )
    assert turns.seen == [(Turn.RAN, "categorize"), (Turn.BLOCKED, "draft")]
    assert set(schema_names(model)) == {"categorize_v1"}


async def test_finished_steps_are_not_run_again_and_only_given_outputs_feed_later_steps(
    registry: PromptRegistry,
) -> None:
    model = SchemaAwareModel(ALL_OK)
    turns = Turns()
    ran = await sequence(
        model,
        registry,
        finished={"extract", "categorize"},
        previous={"categorize": CATEGORIZE_OK},
        on_step=turns,
    )
    assert list(ran.outcomes) == ["draft"]
    assert turns.seen == [
        (Turn.FINISHED, "extract"),
        (Turn.FINISHED, "categorize"),
        (Turn.RAN, "draft"),
    ]
    assert schema_names(model) == ["draft_v1"]
    assert set(shown_to_draft(model.bodies[0])) == {"categorize"}


@pytest.mark.parametrize(
    ("masked", "why", "reason"),
    [
        (False, None, "not_masked"),
        (False, "masking_failed", "masking_failed"),
        (True, "masking_failed", "masking_failed"),
    ],
)
async def test_a_document_that_could_not_be_masked_sends_nothing_and_every_step_is_in_review(
    registry: PromptRegistry, masked: bool, why: str | None, reason: str
) -> None:
    model = SchemaAwareModel(ALL_OK)
    turns = Turns()
    asked_to_stop: list[str] = []

    def stop() -> str | None:
        asked_to_stop.append("asked")
        return "budget"

    ran = await sequence(model, registry, not_sent=why, stop=stop, on_step=turns, masked=masked)
    assert model.bodies == []
    assert [(o.step, o.status, o.reason) for o in ran.outcomes.values()] == [
        (step, StepStatus.REVIEW, reason) for step in ("extract", "categorize", "draft")
    ]
    active = registry.active("draft")
    assert (ran.outcomes["draft"].prompt_version, ran.outcomes["draft"].schema_version) == (
        active.version,
        active.schema_version,
    )
    assert [turn for turn, _ in turns.seen] == [Turn.NOT_SENT] * 3
    assert (ran.stopped, asked_to_stop) == (None, [])  # stop() is asked before calls only


async def test_stop_ends_the_sequence_before_the_next_call(registry: PromptRegistry) -> None:
    model = SchemaAwareModel(ALL_OK)
    reasons: list[str | None] = [None, "budget"]
    turns = Turns()
    ran = await sequence(model, registry, stop=lambda: reasons.pop(0), on_step=turns)
    assert (list(ran.outcomes), ran.stopped) == (["extract"], "budget")
    assert turns.seen == [(Turn.RAN, "extract")]
    assert schema_names(model) == ["extract_v1"]


async def test_a_blocked_step_does_not_ask_stop(registry: PromptRegistry) -> None:
    model = SchemaAwareModel(ALL_OK)
    ran = await sequence(model, registry, ("draft",), stop=lambda: "budget")
    assert ran.stopped is None
    assert ran.outcomes["draft"].reason == "needs:categorize"
    assert model.bodies == []


async def test_the_hook_ends_the_sequence_after_a_step(registry: PromptRegistry) -> None:
    model = SchemaAwareModel(ALL_OK)
    turns = Turns(end_after="extract")
    ran = await sequence(model, registry, on_step=turns)
    assert (list(ran.outcomes), ran.stopped) == (["extract"], "limit")
    assert schema_names(model) == ["extract_v1"]


class Saved(list[StepOutcome]):
    """A ``checkpoint`` hook that keeps what it was given."""

    async def __call__(self, outcome: StepOutcome) -> None:
        self.append(outcome)


LOW = {**CATEGORIZE_OK, "confidence": 0.42}


async def test_a_first_answer_that_asks_for_escalation_is_checkpointed_before_it(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [EXTRACT_OK, LOW], STRONG_MODEL: [CATEGORIZE_OK]})
    saved = Saved()
    ran = await sequence(model, registry, ("extract", "categorize"), checkpoint=saved)
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL, STRONG_MODEL]
    assert [(o.step, o.status, o.reason, o.output) for o in saved] == [
        ("categorize", StepStatus.RUNNING, "escalating:gate", LOW)
    ]
    assert ran.outcomes["categorize"].status is StepStatus.DONE


async def test_a_saved_first_answer_replaces_the_first_call_of_its_step_only(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [EXTRACT_OK], STRONG_MODEL: [CATEGORIZE_OK]})
    saved = Saved()
    resume = {"categorize": Checkpoint(GATE, LOW, "small", SMALL_MODEL, Usage(1, 100, 20))}
    ran = await sequence(
        model, registry, ("extract", "categorize"), checkpoint=saved, resume=resume
    )
    assert model.models_called() == [SMALL_MODEL, STRONG_MODEL]  # no first categorize call
    categorize = ran.outcomes["categorize"]
    assert (categorize.status, categorize.route, categorize.carried) == (
        StepStatus.DONE,
        STRONG,
        Usage(1, 100, 20),
    )
    assert saved == []  # a resumed first answer is not saved again


async def test_an_unknown_step_name_is_refused(registry: PromptRegistry) -> None:
    model = ScriptedModel({SMALL_MODEL: [EXTRACT_OK]})
    with pytest.raises(ValueError, match="summarize"):
        await sequence(model, registry, ("summarize",))
    assert model.bodies == []
