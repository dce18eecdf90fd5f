"""draft's gate through the driver: a failing draft is kept for review, never counted as ready."""

from __future__ import annotations

from typing import Any

import pytest

from flows.prompts import PromptRegistry
from flows.steps import run_step
from storage.models import StepStatus
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
)

RU = simple_view(
    "Здравствуйте! 17 ноября 2026 года с карты списали 278 000 KZT дважды. Прошу вернуть деньги.",
    subject="Двойное списание",
)
KK = simple_view(
    "Сәлеметсіз бе! Менің картамнан ақша екі рет алынды. Ақшаны қайтаруыңызды сұраймын.",
    subject="Екі рет алынды",
)


async def draft(view: Any, reply: str, language: str = "ru") -> Any:
    model = ScriptedModel({"small-model": [{"language": language, "reply": reply}]})
    async with make_gateway(model.transport()) as gateway:
        return await run_step(
            make_context(gateway),
            PromptRegistry.load(),
            "draft",
            view,
            {"categorize": CATEGORIZE_OK},
        )


async def test_a_faithful_reply_in_the_customers_language_is_done() -> None:
    reply = "Здравствуйте! Мы проверим списание 278 000 KZT от 17 ноября и вернём ответ."
    outcome = await draft(RU, reply)
    assert (outcome.status, outcome.reason) == (StepStatus.DONE, None)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("   ", "draft_empty"),
        ("Мы вернём 150 000 KZT в течение дня.", "draft_invented_detail:amount"),
        (
            "Ответ будет готов через 3 рабочих дня, спасибо за ожидание.",
            "draft_invented_detail:number",
        ),
        ("Мы вернём деньги до 5 декабря 2026 года, спасибо.", "draft_invented_detail:date"),
    ],
)
async def test_a_failing_russian_draft_goes_to_review_with_its_output(
    reply: str, reason: str
) -> None:
    outcome = await draft(RU, reply)
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, reason)
    assert outcome.output == {"language": "ru", "reply": reply}


async def test_a_russian_reply_to_a_kazakh_email_is_the_wrong_language() -> None:
    outcome = await draft(KK, "Здравствуйте! Мы получили ваш запрос и скоро ответим.", "kk")
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "draft_wrong_language:ru!=kk")


async def test_a_kazakh_reply_to_a_kazakh_email_is_done() -> None:
    reply = "Сәлеметсіз бе! Сіздің өтінішіңіз қабылданды, біз оны тексеріп, сізге хабарлаймыз."
    outcome = await draft(KK, reply, "kk")
    assert (outcome.status, outcome.reason) == (StepStatus.DONE, None)


async def test_several_failed_checks_are_all_reported() -> None:
    reply = "Thank you, we will refund 999 USD. Thank you, we will refund 999 USD."
    outcome = await draft(RU, reply, "en")
    assert outcome.reason == (
        "draft_repetition:sentence;draft_wrong_language:en!=ru;draft_invented_detail:amount"
    )
