"""categorize's gate: low confidence, two topics, attachments that look like a poor scan."""

from __future__ import annotations

from flows.prompts import PromptRegistry
from flows.steps import LOW_CONFIDENCE, check_categorize, run_step
from storage.models import StepStatus
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
)

CLEAN = simple_view("Здравствуйте! Деньги списали дважды, прошу вернуть.")
SCAN = (
    "З А Я В Л Е Н И Е\nна перевыпуск платёжной кaрточки\n\nФИО: Волков Олег\n"
    "Дата pождeния: 16 сентября 1986 года\nПрошу пepeвыпуститькарту в связи с утерей.\n"
    "Д0Г0В0Р № 12 от 20қараша"
)
SCANNED = simple_view("Заявление во вложении.", attachments=[("скан.txt", SCAN)])


def test_a_confident_single_topic_answer_passes() -> None:
    assert check_categorize(CATEGORIZE_OK, CLEAN, {}).passed


def test_confidence_below_the_threshold_asks_for_escalation() -> None:
    verdict = check_categorize({**CATEGORIZE_OK, "confidence": 0.42}, CLEAN, {})
    assert verdict.reason == "low_confidence:0.42"
    assert verdict.escalate


def test_confidence_at_the_threshold_passes() -> None:
    assert check_categorize({**CATEGORIZE_OK, "confidence": LOW_CONFIDENCE}, CLEAN, {}).passed


def test_two_topics_name_both_categories() -> None:
    output = {**CATEGORIZE_OK, "two_topics": True, "alternative_category": "account_access"}
    verdict = check_categorize(output, CLEAN, {})
    assert verdict.reason == "two_topics:payment_complaint+account_access"
    assert not verdict.escalate


def test_two_topics_without_an_alternative_say_none() -> None:
    verdict = check_categorize({**CATEGORIZE_OK, "two_topics": True}, CLEAN, {})
    assert verdict.reason == "two_topics:payment_complaint+none"


def test_a_poorly_scanned_attachment_goes_to_review() -> None:
    verdict = check_categorize(CATEGORIZE_OK, SCANNED, {})
    assert verdict.reason == "poor_scan"
    assert not verdict.escalate


async def test_a_poor_scan_keeps_the_output_and_does_not_escalate() -> None:
    model = ScriptedModel({"small-model": [CATEGORIZE_OK], "strong-model": [CATEGORIZE_OK]})
    async with make_gateway(model.transport()) as gateway:
        outcome = await run_step(
            make_context(gateway), PromptRegistry.load(), "categorize", SCANNED, {}
        )
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "poor_scan")
    assert outcome.output == CATEGORIZE_OK
    assert model.models_called() == ["small-model"]
