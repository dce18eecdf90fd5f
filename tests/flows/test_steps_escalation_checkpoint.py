"""A first answer that asks for escalation is committed before the escalation call, and a re-run
resumes from it: the first call is never paid for twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from compliance.gateway.calls import cost_of
from flows.accounting import RunCounters
from flows.context import app_context
from flows.nightly.flow import run_nightly
from flows.prompts import PromptRegistry
from flows.results import escalation_checkpoints
from flows.runtime import Runtime
from flows.settings import Settings
from flows.steps import run_step
from flows.steps.base import Checkpoint, StepOutcome, Usage
from storage.engine import transaction
from storage.models import Document, StepResult, StepStatus
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    DRAFT_OK,
    EXTRACT_OK,
    RETRY,
    SMALL,
    STRONG,
    ScriptedModel,
    completion,
    make_context,
    make_gateway,
    simple_view,
)
from tests.simulated import ingest_samples

BODY = "Здравствуйте! Деньги за покупку на 278 000 KZT списались дважды. Прошу вернуть сумму."
SMALL_MODEL, STRONG_MODEL = "small-model", "strong-model"
LOW = {**CATEGORIZE_OK, "confidence": 0.42}
#: What one scripted answer costs: 100 tokens in, 20 out (``completion``).
ONE = Usage(1, 100, 20, Decimal("0.5"))


@pytest.fixture(scope="module")
def registry() -> PromptRegistry:
    return PromptRegistry.load()


class Recording(ScriptedModel):
    """A scripted model that notes, at each request, what the step had checkpointed so far."""

    def __init__(self, script: dict[str, Any], saved: list[StepOutcome]) -> None:
        super().__init__(script)
        self.saved = saved
        self.saved_at_request: list[int] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.saved_at_request.append(len(self.saved))
        return super().handle(request)


async def run_categorize(
    model: ScriptedModel,
    registry: PromptRegistry,
    *,
    saved: list[StepOutcome] | None = None,
    resume: Checkpoint | None = None,
) -> StepOutcome:
    async def checkpoint(outcome: StepOutcome) -> None:
        assert saved is not None
        saved.append(outcome)

    async with make_gateway(model.transport()) as gateway:
        return await run_step(
            make_context(gateway),
            registry,
            "categorize",
            simple_view(BODY),
            {},
            checkpoint=checkpoint if saved is not None else None,
            resume=resume,
        )


async def test_a_low_confidence_answer_is_checkpointed_before_the_escalation_is_sent(
    registry: PromptRegistry,
) -> None:
    saved: list[StepOutcome] = []
    model = Recording({SMALL_MODEL: [LOW], STRONG_MODEL: [CATEGORIZE_OK]}, saved)
    outcome = await run_categorize(model, registry, saved=saved)
    assert model.models_called() == [SMALL_MODEL, STRONG_MODEL]
    assert model.saved_at_request == [0, 1]
    (first,) = saved
    assert (first.status, first.reason) == (StepStatus.RUNNING, "escalating:gate")
    assert (first.output, first.route, first.model) == (LOW, SMALL, SMALL_MODEL)
    assert (first.attempts, first.tokens_in, first.tokens_out) == (1, 100, 20)
    assert (outcome.status, outcome.route, outcome.output) == (
        StepStatus.DONE,
        STRONG,
        CATEGORIZE_OK,
    )


async def test_a_content_failure_is_checkpointed_without_an_output(
    registry: PromptRegistry,
) -> None:
    saved: list[StepOutcome] = []
    model = Recording({SMALL_MODEL: ["not json {"], STRONG_MODEL: [CATEGORIZE_OK]}, saved)
    await run_categorize(model, registry, saved=saved)
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL, STRONG_MODEL]
    assert model.saved_at_request == [0, 0, 1]
    (first,) = saved
    assert (first.status, first.reason, first.output) == (
        StepStatus.RUNNING,
        "escalating:invalid_json",
        None,
    )
    assert first.attempts == 2


async def test_no_checkpoint_is_written_when_the_first_answer_stands(
    registry: PromptRegistry,
) -> None:
    saved: list[StepOutcome] = []
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK]})
    await run_categorize(model, registry, saved=saved)
    assert saved == []


@pytest.mark.parametrize(
    ("checkpoint", "strong", "status", "reason"),
    [
        (Checkpoint("gate", LOW, SMALL, SMALL_MODEL, ONE), CATEGORIZE_OK, "done", None),
        (
            Checkpoint("gate", LOW, SMALL, SMALL_MODEL, ONE),
            {**LOW, "confidence": 0.5},
            "review",
            "low_confidence:0.50",
        ),
        (
            Checkpoint("invalid_json", None, SMALL, SMALL_MODEL, Usage(2, 200, 40, Decimal(1))),
            CATEGORIZE_OK,
            "done",
            None,
        ),
        (
            Checkpoint("empty", None, SMALL, SMALL_MODEL, ONE),
            "",
            "review",
            "empty_after_escalation",
        ),
    ],
)
async def test_a_resumed_step_makes_only_the_escalation_call_and_saves_the_total(
    registry: PromptRegistry,
    checkpoint: Checkpoint,
    strong: Any,
    status: str,
    reason: str | None,
) -> None:
    saved: list[StepOutcome] = []
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK], STRONG_MODEL: [strong]})
    outcome = await run_categorize(model, registry, saved=saved, resume=checkpoint)
    sent = 1 if strong else 2  # an empty answer is asked again once by the gateway
    assert model.models_called() == [STRONG_MODEL] * sent
    assert saved == []  # the checkpoint is already stored
    assert (outcome.status.value, outcome.reason) == (status, reason)
    spent = (outcome.attempts, outcome.tokens_in, outcome.tokens_out)
    assert spent == (sent, 100 * sent, 20 * sent)
    assert outcome.carried == checkpoint.usage
    assert outcome.total == checkpoint.usage + Usage(sent, 100 * sent, 20 * sent, outcome.cost)
    counters = RunCounters()
    counters.add_outcome(outcome)
    assert (counters.calls, counters.escalations, counters.tokens_in) == (sent, 1, 100 * sent)


async def test_a_resumed_gate_failure_whose_escalation_fails_keeps_the_first_answer(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK], STRONG_MODEL: [503]})
    saved = Checkpoint("gate", LOW, SMALL, SMALL_MODEL, ONE)
    outcome = await run_categorize(model, registry, resume=saved)
    assert model.models_called() == [STRONG_MODEL, STRONG_MODEL]
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "low_confidence:0.42")
    assert (outcome.output, outcome.route, outcome.model) == (LOW, SMALL, SMALL_MODEL)
    assert outcome.total.attempts == 3


async def test_a_resumed_answer_the_gate_now_passes_is_done_without_a_call(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK], STRONG_MODEL: [CATEGORIZE_OK]})
    saved = Checkpoint("gate", CATEGORIZE_OK, SMALL, SMALL_MODEL, ONE)
    outcome = await run_categorize(model, registry, resume=saved)
    assert model.bodies == []
    assert (outcome.status, outcome.output, outcome.route) == (
        StepStatus.DONE,
        CATEGORIZE_OK,
        SMALL,
    )
    assert outcome.total == ONE


async def test_a_checkpoint_with_an_unknown_reason_is_refused(registry: PromptRegistry) -> None:
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK], STRONG_MODEL: [CATEGORIZE_OK]})
    saved = Checkpoint("server_error", None, SMALL, SMALL_MODEL, ONE)
    with pytest.raises(ValueError, match="unknown reason 'server_error'"):
        await run_categorize(model, registry, resume=saved)
    assert model.bodies == []


# --- the nightly batch: the checkpoint is committed, a stopped run is resumed -------------------


class Stopped(BaseException):
    """The worker dies during the escalation call (raised by the fake model)."""


class BatchModel:
    """The remote model for one document: answers by schema; categorize asks for escalation.

    At the escalation request it reads the step results from the database; with ``stop`` it
    then ends the run as a killed worker would.
    """

    def __init__(self, settings: Settings, first: Any, *, stop: bool) -> None:
        self.settings, self.first, self.stop = settings, first, stop
        self.sent: list[tuple[str, str]] = []
        self.stored_at_escalation: list[tuple[str, str | None, int, int]] = []
        self.checkpoints_at_escalation: dict[str, Checkpoint] = {}

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        schema, model = body["response_format"]["json_schema"]["name"], body["model"]
        self.sent.append((schema, model))
        reply: Any = {"extract_v1": EXTRACT_OK, "draft_v1": DRAFT_OK}.get(schema)
        if schema == "categorize_v1":
            reply = self.first if model == SMALL_MODEL else self._escalation()
        content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        return httpx2.Response(200, json=completion(content, model))

    def _escalation(self) -> dict[str, Any]:
        with app_context(self.settings) as ctx, transaction(ctx.sessions) as session:
            rows = session.scalars(select(StepResult).where(StepResult.step == "categorize"))
            self.stored_at_escalation = [
                (r.status, r.reason, r.attempts, r.tokens_in) for r in rows
            ]
            documents = {d.id: d for d in session.scalars(select(Document))}
            versions = {"categorize": ("categorize.v1", "categorize.v1")}
            found = escalation_checkpoints(session, ctx.keyring, documents, versions)
            self.checkpoints_at_escalation = {s: c for d in found.values() for s, c in d.items()}
        if self.stop:
            raise Stopped
        return CATEGORIZE_OK


async def nightly(settings: Settings, model: BatchModel) -> dict[str, Any]:
    runtime = Runtime.open(settings, transport=httpx2.MockTransport(model.handle), retry=RETRY)
    try:
        return await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()


def categorize_row(settings: Settings) -> StepResult:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        (row,) = session.scalars(select(StepResult).where(StepResult.step == "categorize")).all()
        session.expunge(row)
        return row


@pytest.mark.parametrize(
    ("first", "why", "attempts"), [(LOW, "gate", 1), ("{oops", "invalid_json", 2)]
)
async def test_a_run_stopped_during_the_escalation_is_resumed_with_one_call(
    wired_home: Callable[..., Settings], tmp_path: Path, first: Any, why: str, attempts: int
) -> None:
    settings = wired_home("http://simulator.invalid")
    ingest_samples(settings, 1, seed=5, tmp_path=tmp_path)

    stopped = BatchModel(settings, first, stop=True)
    summary = await nightly(settings, stopped)
    assert summary["chunks_failed"] == 1
    assert stopped.stored_at_escalation == [
        ("running", f"escalating:{why}", attempts, 100 * attempts)
    ]
    (saved,) = stopped.checkpoints_at_escalation.values()
    assert (saved.why, saved.output, saved.route) == (why, first if why == "gate" else None, "fast")
    assert categorize_row(settings).status == "running"

    resumed = BatchModel(settings, CATEGORIZE_OK, stop=False)
    summary = await nightly(settings, resumed)
    assert resumed.sent == [("categorize_v1", STRONG_MODEL), ("draft_v1", STRONG_MODEL)]
    row = categorize_row(settings)
    assert (row.status, row.reason, row.route, row.model) == ("done", None, "strong", STRONG_MODEL)
    assert (row.attempts, row.tokens_in, row.tokens_out) == (
        attempts + 1,
        100 * (attempts + 1),
        20 * (attempts + 1),
    )
    fast = cost_of(100, 20, Decimal("75.0"), Decimal("300.0"))
    strong = cost_of(100, 20, Decimal("400.0"), Decimal("1600.0"))
    assert row.cost == fast * attempts + strong
    assert (summary["calls"], summary["escalations"], summary["tokens_in"]) == (2, 1, 200)
