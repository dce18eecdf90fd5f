"""The shared step driver against a scripted model: what it sends, when it escalates, how it
ends."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.gateway.calls import ModelRequest, Outcome
from compliance.gateway.routes import RouteConfig
from flows.prompts import PromptRegistry
from flows.steps import run_step
from flows.steps.base import StepOutcome
from storage.models import StepStatus
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    DRAFT_OK,
    EXTRACT_OK,
    SMALL,
    STRONG,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
)
from tests.flows.test_steps_support import (
    COMPLAINT as BODY,
)

SMALL_MODEL, STRONG_MODEL = "small-model", "strong-model"


@pytest.fixture(scope="module")
def registry() -> PromptRegistry:
    return PromptRegistry.load()


async def run(
    model: ScriptedModel,
    registry: PromptRegistry,
    step: str,
    previous: dict[str, Any] | None = None,
    *,
    escalate: bool = True,
    body: str = BODY,
) -> StepOutcome:
    async with make_gateway(model.transport()) as gateway:
        ctx = make_context(gateway, escalate=escalate)
        return await run_step(ctx, registry, step, simple_view(body), previous or {})


def user_message(body: dict[str, Any]) -> str:
    return str(next(m["content"] for m in body["messages"] if m["role"] == "user"))


async def test_a_good_answer_is_done_with_its_versions_route_and_output(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [EXTRACT_OK]})
    outcome = await run(model, registry, "extract")
    assert outcome.status is StepStatus.DONE
    assert outcome.reason is None
    assert (outcome.prompt_version, outcome.schema_version) == ("extract.v1", "extract.v1")
    assert (outcome.route, outcome.model) == (SMALL, SMALL_MODEL)
    assert outcome.output == EXTRACT_OK
    assert outcome.attempts == 1 and outcome.tokens_in == 100


async def test_the_request_asks_for_the_strict_schema_of_the_prompt(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [CATEGORIZE_OK]})
    await run(model, registry, "categorize")
    fmt = model.bodies[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "categorize_v1"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"][0] == "category"
    assert model.bodies[0]["max_tokens"] == registry.active("categorize").max_tokens


async def test_invalid_json_twice_escalates_once_to_the_strong_route(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: ["not json {"], STRONG_MODEL: [EXTRACT_OK]})
    outcome = await run(model, registry, "extract")
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL, STRONG_MODEL]
    assert outcome.status is StepStatus.DONE
    assert (outcome.route, outcome.output) == (STRONG, EXTRACT_OK)
    assert [r.route for r in outcome.responses] == [SMALL, STRONG]
    assert outcome.count(Outcome.INVALID_JSON) == 2 and outcome.attempts == 3


async def test_schema_invalid_answers_on_both_routes_go_to_review(registry: PromptRegistry) -> None:
    broken = {key: value for key, value in CATEGORIZE_OK.items() if key != "confidence"}
    model = ScriptedModel({SMALL_MODEL: [broken], STRONG_MODEL: [broken]})
    outcome = await run(model, registry, "categorize")
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL, STRONG_MODEL, STRONG_MODEL]
    assert outcome.status is StepStatus.REVIEW
    assert outcome.reason == "schema_invalid_after_escalation"
    assert outcome.output is None
    assert outcome.attempts == 4


async def test_without_an_escalation_route_a_bad_answer_goes_to_review(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [""]})
    outcome = await run(model, registry, "draft", {"categorize": CATEGORIZE_OK}, escalate=False)
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL]
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "empty")


async def test_low_confidence_escalates_and_stays_in_review_when_still_low(
    registry: PromptRegistry,
) -> None:
    low = {**CATEGORIZE_OK, "confidence": 0.42}
    still_low = {**CATEGORIZE_OK, "confidence": 0.5, "category": "contract_question"}
    model = ScriptedModel({SMALL_MODEL: [low], STRONG_MODEL: [still_low]})
    outcome = await run(model, registry, "categorize")
    assert model.models_called() == [SMALL_MODEL, STRONG_MODEL]
    assert outcome.status is StepStatus.REVIEW
    assert outcome.reason == "low_confidence:0.50"
    assert outcome.output == still_low and outcome.route == STRONG


async def test_low_confidence_is_done_when_the_strong_route_is_sure(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel(
        {SMALL_MODEL: [{**CATEGORIZE_OK, "confidence": 0.3}], STRONG_MODEL: [CATEGORIZE_OK]}
    )
    outcome = await run(model, registry, "categorize")
    assert (outcome.status, outcome.route, outcome.output) == (
        StepStatus.DONE,
        STRONG,
        CATEGORIZE_OK,
    )


async def test_a_failed_escalation_leaves_the_first_answer_in_review(
    registry: PromptRegistry,
) -> None:
    low = {**CATEGORIZE_OK, "confidence": 0.42}
    model = ScriptedModel({SMALL_MODEL: [low], STRONG_MODEL: [503]})
    outcome = await run(model, registry, "categorize")
    assert model.models_called() == [SMALL_MODEL, STRONG_MODEL, STRONG_MODEL]
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "low_confidence:0.42")
    assert outcome.output == low and outcome.route == SMALL
    assert len(outcome.responses) == 2


async def test_low_confidence_without_an_escalation_route_goes_to_review(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [{**CATEGORIZE_OK, "confidence": 0.42}]})
    outcome = await run(model, registry, "categorize", escalate=False)
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "low_confidence:0.42")
    assert model.models_called() == [SMALL_MODEL]


async def test_two_topics_go_to_review_with_the_output_kept_and_no_escalation(
    registry: PromptRegistry,
) -> None:
    answer = {**CATEGORIZE_OK, "two_topics": True, "alternative_category": "delivery_question"}
    model = ScriptedModel({SMALL_MODEL: [answer]})
    outcome = await run(model, registry, "categorize")
    assert model.models_called() == [SMALL_MODEL]
    assert outcome.status is StepStatus.REVIEW
    assert outcome.reason == "two_topics:payment_complaint+delivery_question"
    assert outcome.output == answer


@pytest.mark.parametrize(
    ("status", "reason"), [(503, "transport:server_error"), (429, "transport:rate_limited")]
)
async def test_a_transport_failure_fails_the_step_without_escalating(
    registry: PromptRegistry, status: int, reason: str
) -> None:
    model = ScriptedModel({SMALL_MODEL: [status], STRONG_MODEL: [EXTRACT_OK]})
    outcome = await run(model, registry, "extract")
    assert model.models_called() == [SMALL_MODEL, SMALL_MODEL]
    assert (outcome.status, outcome.reason, outcome.output) == (StepStatus.FAILED, reason, None)
    assert outcome.attempts == 2


async def test_a_client_error_fails_the_step_with_its_status(registry: PromptRegistry) -> None:
    model = ScriptedModel({SMALL_MODEL: [400]})
    outcome = await run(model, registry, "extract")
    assert (outcome.status, outcome.reason) == (StepStatus.FAILED, "client_error:400")


class RefuseAll:
    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str:
        return "residency:US"


async def test_a_refused_call_fails_the_step_and_sends_nothing(registry: PromptRegistry) -> None:
    model = ScriptedModel({SMALL_MODEL: [EXTRACT_OK]})
    async with make_gateway(model.transport()) as gateway:
        gateway.add_policy(RefuseAll())
        outcome = await run_step(make_context(gateway), registry, "extract", simple_view(BODY), {})
    assert (outcome.status, outcome.reason) == (StepStatus.FAILED, "refused:residency:US")
    assert model.bodies == []


async def test_draft_is_skipped_without_a_request_when_no_reply_is_needed(
    registry: PromptRegistry,
) -> None:
    model = ScriptedModel({SMALL_MODEL: [DRAFT_OK]})
    previous = {"categorize": {**CATEGORIZE_OK, "category": "no_reply_needed"}}
    outcome = await run(model, registry, "draft", previous)
    assert outcome.status is StepStatus.DONE
    assert outcome.output == {"skipped": "no_reply_needed"}
    assert model.bodies == [] and outcome.responses == []


async def test_draft_without_a_categorize_output_waits_for_it(registry: PromptRegistry) -> None:
    model = ScriptedModel({SMALL_MODEL: [DRAFT_OK]})
    outcome = await run(model, registry, "draft", {"extract": EXTRACT_OK})
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "needs:categorize")
    assert model.bodies == []
