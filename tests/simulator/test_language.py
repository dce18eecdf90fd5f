"""The simulator answers in the customer's language: Russian, Kazakh or English."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import openai
import pytest
from fastapi import FastAPI

from sampledata import generate_records
from simulator import SimulatorConfig, create_app
from simulator.categories import route
from simulator.document import document_part, prompt_language, stated_language
from simulator.language import detect_language

KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
KAZAKH_EMAIL = "Сәлеметсіз бе! Картам бұғатталды, көмектесіңізші. Рақмет."


@asynccontextmanager
async def sdk(app: FastAPI) -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key="route-key", max_retries=0, http_client=http
        )


def rendered(subject: str, body: str, header: str = "Sender: [PERSON_1]\n") -> str:
    """A user prompt shaped like nightshift's templates."""
    return f"{header}Subject: {subject}\n\nBody:\n{body}\n\nAttachments:\n(none)\n"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (KAZAKH_EMAIL, "kk"),
        ("Құрметті банк қызметкерлері! Шот бойынша үзінді керек.", "kk"),
        ("Здравствуйте! С карты списали деньги дважды, верните, пожалуйста.", "ru"),
        ("Hello, my card was charged twice, please refund.", "en"),
        ("Добрый день. Прошу вернуть комиссию.\n\nС уважением,\nҚайрат Асқарұлы", "ru"),
        ("[PERSON_1] <b>https://bank.example.kz/x</b> Добрый день, верните деньги.", "ru"),
    ],
)
def test_detect_language_tells_kazakh_from_russian_and_english(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_the_template_labels_do_not_outweigh_a_short_kazakh_email() -> None:
    prompt = rendered("Кіру", "Қайырлы күн, тіркемеде.")
    assert detect_language(prompt) == "en"
    assert detect_language(document_part(prompt)) == "kk"
    assert prompt_language(prompt) == "kk"


def test_a_stated_customer_language_wins_over_the_letters() -> None:
    prompt = rendered("Hello", "Hello, thanks!", header="Customer's language: kk\n\n")
    assert stated_language(prompt) == "kk"
    assert prompt_language(prompt) == "kk"
    unknown = rendered("Hello", "Hello, thanks!", header="Customer's language: unknown\n\n")
    assert prompt_language(unknown) == "en"


def test_urgency_in_the_prompt_header_is_not_read_as_the_documents() -> None:
    prompt = rendered("Акт", "Пришлите акт.", header="Marked urgent by the sender: no\n")
    assert route(document_part(prompt)).urgent is False


async def test_a_kazakh_question_gets_a_kazakh_plain_reply() -> None:
    async with sdk(create_app(SimulatorConfig(seed=4))) as client:
        completion = await client.chat.completions.create(
            model="small-model", messages=[{"role": "user", "content": KAZAKH_EMAIL}]
        )
    content = completion.choices[0].message.content or ""
    assert KAZAKH.search(content)
    assert "симулятор" in content


async def test_a_generic_json_object_carries_the_kazakh_language() -> None:
    async with sdk(create_app(SimulatorConfig(seed=4))) as client:
        completion = await client.chat.completions.create(
            model="small-model",
            messages=[{"role": "user", "content": KAZAKH_EMAIL}],
            response_format={"type": "json_object"},
        )
    answer = json.loads(completion.choices[0].message.content or "")
    assert answer["language"] == "kk"
    assert KAZAKH.search(answer["answer"]) or answer["answer"][0].isupper()


def test_sample_emails_are_read_in_their_language_and_mostly_routed_right() -> None:
    records = list(generate_records(count=200, seed=3))
    languages: list[tuple[str, str]] = []
    routed = 0
    for record in records:
        labels: dict[str, Any] = record["labels"]
        document = document_part(rendered(record["subject"], record["body"]))
        if labels["language"] != "mixed":
            languages.append((labels["language"], detect_language(document)))
        routed += route(document).category == labels["category"]
    assert sum(truth == seen for truth, seen in languages) >= 0.95 * len(languages)
    assert routed >= 0.8 * len(records)
