"""Helpers shared by the step tests (no tests here): routes, a gateway over a fake transport,
a scripted OpenAI-compatible model that records what left the process, and document views."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig
from flows.config import StepRoute, StepsConfig
from flows.steps.base import DocumentView, StepContext

SMALL, STRONG = "small", "strong"
ROUTES = {
    SMALL: RouteConfig(base_url="http://model.test/v1", model="small-model", region="KZ"),
    STRONG: RouteConfig(base_url="http://model.test/v1", model="strong-model", region="KZ"),
}
RETRY = RetryPolicy(max_attempts=2, content_retries=1, base_delay_s=0, max_delay_s=0)


async def _no_sleep(_: float) -> None:
    return None


def make_gateway(transport: httpx2.AsyncBaseTransport) -> Gateway:
    return Gateway.unguarded_for_tests(
        ROUTES,
        {SMALL: "key-small", STRONG: "key-strong"},
        transport=transport,
        retry=RETRY,
        sleep=_no_sleep,
    )


def make_context(gateway: Gateway, *, escalate: bool = True, run_id: str = "run-1") -> StepContext:
    step = StepRoute(route=SMALL, escalate_to=STRONG if escalate else None)
    steps = StepsConfig(extract=step, categorize=step, draft=step)
    return StepContext(gateway=gateway, steps=steps, run_id=run_id, retry=RETRY)


def completion(content: str | None, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


Reply = str | int | Mapping[str, Any]


@dataclass
class ScriptedModel:
    """An OpenAI-compatible endpoint answering from a script per model id.

    A reply is a dict (sent as JSON content), a str (sent as raw content) or an int (an HTTP
    error status). The last reply of a model repeats. Every request body is kept.
    """

    script: dict[str, list[Reply]]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    _served: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def reply_for(self, body: dict[str, Any]) -> Reply:
        model = body["model"]
        replies = self.script[model]
        reply = replies[min(self._served[model], len(replies) - 1)]
        self._served[model] += 1
        return reply

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        reply = self.reply_for(body)
        if isinstance(reply, int):
            return httpx2.Response(reply, json={"error": {"message": "scripted", "type": "x"}})
        content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        return httpx2.Response(200, json=completion(content, body["model"]))

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)

    def models_called(self) -> list[str]:
        return [body["model"] for body in self.bodies]

    def sent_text(self) -> str:
        """Everything that left the process, as one string."""
        return json.dumps(self.bodies, ensure_ascii=False)


class SchemaAwareModel(ScriptedModel):
    """Answers each request with the reply for the schema it asks for (by schema name)."""

    def __init__(self, by_schema: Mapping[str, Reply]) -> None:
        super().__init__({})
        self.by_schema = dict(by_schema)

    def reply_for(self, body: dict[str, Any]) -> Reply:
        return self.by_schema[body["response_format"]["json_schema"]["name"]]


def view_of(record: Mapping[str, Any], document_id: int = 1) -> DocumentView:
    """A DocumentView of a sample-data record (labels are never copied)."""
    sender = str(record.get("from") or "")
    name = sender.split("<")[0].strip() or None
    attachments = tuple((a["filename"], a["text"]) for a in record.get("attachments", ()))
    return DocumentView(
        document_id=document_id,
        content_hash=f"sha256:{document_id:064d}",
        subject=record["subject"],
        body=record["body"],
        attachments=attachments,
        sender_name=name,
        urgent_hint=bool(record.get("urgent")),
    )


def simple_view(
    body: str,
    subject: str = "Обращение",
    attachments: Iterable[tuple[str, str]] = (),
    sender: str | None = "Айгерим Сарсенова",
) -> DocumentView:
    return DocumentView(
        document_id=7,
        content_hash="sha256:" + "0" * 64,
        subject=subject,
        body=body,
        attachments=tuple(attachments),
        sender_name=sender,
    )


#: A short Russian complaint (double charge) the scripted answers fit.
COMPLAINT = (
    "Здравствуйте! 17 ноября я оплатила покупку на 278 000 KZT, но деньги списались дважды. "
    "Прошу вернуть повторно списанную сумму."
)
EXTRACT_OK = {
    "request_number": None,
    "customer_name": "Айгерим Сарсенова",
    "problem_type": "double_charge",
    "deadline": None,
    "department": "payments",
    "amount": 278000,
    "currency": "KZT",
    "contract_number": None,
}
CATEGORIZE_OK = {
    "category": "payment_complaint",
    "confidence": 0.93,
    "alternative_category": None,
    "two_topics": False,
    "urgent": False,
    "department": "payments",
}
DRAFT_OK = {
    "language": "ru",
    "reply": "Здравствуйте! Спасибо за обращение. Мы передали ваш запрос профильному "
    "подразделению, специалист проверит операцию и свяжется с вами.",
}
