"""What leaves the process is the document's text in the user message, never its labels; and
no reason code carries a value from the document or the answer."""

from __future__ import annotations

import json
from typing import Any

from flows.prompts import PromptRegistry
from flows.steps import run_step, run_steps
from sampledata import generate_records
from tests.flows.test_steps_support import (
    CATEGORIZE_OK,
    DRAFT_OK,
    EXTRACT_OK,
    SchemaAwareModel,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
    view_of,
)

ANSWERS: dict[str, Any] = {
    "extract_v1": EXTRACT_OK,
    "categorize_v1": CATEGORIZE_OK,
    "draft_v1": DRAFT_OK,
}


def labelled_record() -> dict[str, Any]:
    """A sample e-mail whose ground-truth category is neither written in its text nor the one
    the scripted categorize answers (which the draft prompt shows)."""
    for record in generate_records(50, seed=3):
        labels = record["labels"]
        text = json.dumps(record["subject"] + record["body"], ensure_ascii=False)
        scripted = (CATEGORIZE_OK["category"], "no_reply_needed")
        if labels["category"] not in scripted and labels["category"] not in text:
            return dict(record)
    raise AssertionError("no suitable sample record")


def user_messages(model: ScriptedModel) -> list[str]:
    return [m["content"] for body in model.bodies for m in body["messages"] if m["role"] == "user"]


async def test_the_request_carries_subject_and_body_and_no_labels() -> None:
    record = labelled_record()
    model = SchemaAwareModel(ANSWERS)
    async with make_gateway(model.transport()) as gateway:
        await run_steps(make_context(gateway), PromptRegistry.load(), view_of(record))
    assert len(model.bodies) == 3
    for content in user_messages(model):
        assert record["subject"] in content
        assert record["body"] in content
        assert record["labels"]["category"] not in content
    sent = model.sent_text()
    for key in ("labels", "hard_cases", "lookalikes", "second_category", "external_id"):
        assert key not in sent
    problem = record["labels"]["fields"]["problem_type"]
    assert problem and problem not in user_messages(model)[0]


async def test_the_system_message_carries_no_document_text() -> None:
    record = labelled_record()
    model = SchemaAwareModel(ANSWERS)
    async with make_gateway(model.transport()) as gateway:
        await run_step(make_context(gateway), PromptRegistry.load(), "extract", view_of(record), {})
    system = model.bodies[0]["messages"][0]
    assert system["role"] == "system"
    assert record["subject"] not in system["content"]
    assert record["body"][:40] not in system["content"]


PLANTED = "ZZPLANTED4471"
PLANTED_NUMBER = "918273"


async def test_no_reason_contains_a_planted_value() -> None:
    view = simple_view(
        f"Клиент {PLANTED} пишет: прошу вернуть деньги по заявке REQ-1.",
        subject=f"Тема {PLANTED}",
        attachments=[("скан.txt", f"З А Я В Л Е Н И Е {PLANTED} Д0Г0В0Р 20қараша кaрта")],
    )
    answers: dict[str, Any] = {
        "extract_v1": {
            **EXTRACT_OK,
            "request_number": f"{PLANTED}-X",
            "contract_number": PLANTED_NUMBER,
            "deadline": PLANTED,
        },
        "categorize_v1": {
            **CATEGORIZE_OK,
            "confidence": 0.31,
            "two_topics": True,
            "alternative_category": "account_access",
        },
        "draft_v1": {
            "language": "en",
            "reply": f"{PLANTED} {PLANTED_NUMBER} {PLANTED}@example.kz [{PLANTED}_1]",
        },
    }
    model = SchemaAwareModel(answers)
    registry = PromptRegistry.load()
    async with make_gateway(model.transport()) as gateway:
        ctx = make_context(gateway)
        outcomes = (await run_steps(ctx, registry, view)).outcomes
        outcomes["draft"] = await run_step(
            ctx, registry, "draft", view, {"categorize": CATEGORIZE_OK}
        )
    reasons = [o.reason or "" for o in outcomes.values()]
    assert all(reasons), reasons
    for reason in reasons:
        assert PLANTED not in reason and PLANTED.lower() not in reason
        assert PLANTED_NUMBER not in reason
