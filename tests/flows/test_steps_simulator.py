"""The three steps against the provider simulator over the openai SDK, on sample e-mails.

The simulator answers schema-valid JSON, partly taken from the e-mail and partly made up, so the
gates do real work here. The tests check what holds whatever the simulator answers (schema-valid
outputs, versions, known reason codes, escalation exactly on low confidence, identifiers flagged
exactly when they are not in the document) and that each step can end done.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx2
import pytest
from jsonschema import Draft202012Validator

from flows.prompts import PromptRegistry
from flows.steps import document_text, normalize_identifier, run_step
from flows.steps.base import StepContext, StepOutcome
from sampledata import generate_records
from simulator import SimulatorConfig, create_app
from storage.models import StepStatus
from tests.flows.test_steps_support import CATEGORIZE_OK, make_context, make_gateway, view_of

RECORDS = list(generate_records(12, seed=5))
KNOWN_REASON = re.compile(
    r"^(invented_field:(request_number|contract_number)|invalid_field:deadline"
    r"|low_confidence:\d\.\d\d|two_topics:[a-z_]+\+[a-z_]+|poor_scan"
    r"|draft_empty|draft_repetition:(sentence|ngram)|draft_wrong_language:(ru|kk|en)!=(ru|kk|en)"
    r"|draft_invented_detail:[a-z+]+)$"
)


@pytest.fixture(scope="module")
def registry() -> PromptRegistry:
    return PromptRegistry.load()


@pytest.fixture
async def ctx() -> AsyncIterator[StepContext]:
    app = create_app(SimulatorConfig(seed=7))
    async with make_gateway(httpx2.ASGITransport(app=app)) as gateway:
        yield make_context(gateway)


async def run_all(ctx: StepContext, registry: PromptRegistry, step: str) -> list[StepOutcome]:
    previous = {"categorize": CATEGORIZE_OK} if step == "draft" else {}
    return [
        await run_step(ctx, registry, step, view_of(record, n), previous)
        for n, record in enumerate(RECORDS, 1)
    ]


@pytest.mark.parametrize("step", ["extract", "categorize", "draft"])
async def test_each_step_gives_schema_valid_outputs_and_records_its_versions(
    ctx: StepContext, registry: PromptRegistry, step: str
) -> None:
    prompt = registry.active(step)
    validator = Draft202012Validator(prompt.output_schema.schema)
    outcomes = await run_all(ctx, registry, step)
    for outcome in outcomes:
        assert (outcome.prompt_version, outcome.schema_version) == (f"{step}.v1", f"{step}.v1")
        assert outcome.status in (StepStatus.DONE, StepStatus.REVIEW)
        assert outcome.output is not None
        assert list(validator.iter_errors(outcome.output)) == []
        assert outcome.responses and all(r.ok for r in outcome.responses[-1:])
        assert outcome.model in ("small-model", "strong-model")
        for reason in (outcome.reason or "").split(";") if outcome.reason else []:
            assert KNOWN_REASON.match(reason), reason
    assert any(outcome.status is StepStatus.DONE for outcome in outcomes)


async def test_a_step_escalates_exactly_when_the_first_confidence_is_low(
    ctx: StepContext, registry: PromptRegistry
) -> None:
    for outcome in await run_all(ctx, registry, "categorize"):
        first = outcome.responses[0].parsed or {}
        low = first["confidence"] < 0.6
        assert len(outcome.responses) == (2 if low else 1)
        assert [r.model for r in outcome.responses] == ["small-model", "strong-model"][
            : len(outcome.responses)
        ]


async def test_an_identifier_goes_to_review_exactly_when_it_is_not_in_the_document(
    ctx: StepContext, registry: PromptRegistry
) -> None:
    outcomes = await run_all(ctx, registry, "extract")
    checked = 0
    for record, outcome in zip(RECORDS, outcomes, strict=True):
        document = normalize_identifier(document_text(view_of(record)))
        for name in ("request_number", "contract_number"):
            value = (outcome.output or {}).get(name)
            if not value:
                continue
            checked += 1
            invented = normalize_identifier(str(value)) not in document
            assert (f"invented_field:{name}" in (outcome.reason or "")) == invented
    assert checked, "the simulator answered some identifiers"
