"""Grounded values: the simulator copies facts from the e-mail and routes it by keywords."""

from __future__ import annotations

import random
import re
from typing import Any

import jsonschema
import pytest

from simulator.categories import route
from simulator.language import Language
from simulator.schemagen import SchemaGenerator
from simulator.textfacts import (
    deadline_date,
    first_date,
    identifier,
    money,
    person_placeholder,
)

CATEGORIES = [
    "payment_complaint",
    "delivery_question",
    "closing_documents_request",
    "card_blocked_or_fraud",
    "account_access",
    "contract_question",
    "no_reply_needed",
]
DEPARTMENTS = ["payments", "logistics", "accounting", "fraud", "digital_banking", "legal", None]


def nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


EXTRACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "request_number": nullable("string", maxLength=64),
        "customer_name": nullable("string", maxLength=200),
        "problem_type": nullable("string", maxLength=64),
        "deadline": nullable("string", format="date"),
        "department": nullable("string", enum=DEPARTMENTS),
        "amount": nullable("number", minimum=0),
        "currency": nullable("string", enum=["KZT", "USD", "EUR", "RUB", None]),
        "contract_number": nullable("string", maxLength=64),
    },
    "required": [
        "request_number",
        "customer_name",
        "problem_type",
        "deadline",
        "department",
        "amount",
        "currency",
        "contract_number",
    ],
    "additionalProperties": False,
}
CATEGORIZE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "enum": CATEGORIES},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "alternative_category": nullable("string", enum=[*CATEGORIES, None]),
        "two_topics": {"type": "boolean"},
        "urgent": {"type": "boolean"},
        "department": nullable("string", enum=DEPARTMENTS),
    },
    "required": [
        "category",
        "confidence",
        "alternative_category",
        "two_topics",
        "urgent",
        "department",
    ],
    "additionalProperties": False,
}
DRAFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "language": {"type": "string", "enum": ["ru", "kk", "en"]},
        "reply": {"type": "string", "maxLength": 1200},
    },
    "required": ["language", "reply"],
    "additionalProperties": False,
}


def generate(schema: dict[str, Any], text: str, seed: int = 0, language: Language = "ru") -> Any:
    value = SchemaGenerator(schema, random.Random(seed), language, text).generate()
    jsonschema.validate(value, schema)
    return value


# --- facts copied from the text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Повторно пишу по заявке REQ-2026-004512, ответа нет.", "request", "REQ-2026-004512"),
        ("Кредит по договору KZ-77/2025-114, платёж не прошёл.", "contract", "KZ-77/2025-114"),
        ("Обращение № 4512345 от клиента.", "request", "4512345"),
        ("Ticket #SR123456 is still open.", "request", "SR123456"),
        ("KZ-73/2023-364 шарты бойынша несие бар.", "contract", "KZ-73/2023-364"),
        ("Заявка 37-3218, договор № 12/2025-КР.", "contract", "12/2025-КР"),
        ("Заявка 37-3218, договор № 12/2025-КР.", "request", "37-3218"),
        ("My IIN is 680605469697, please check.", "request", None),
        ("Call me at +7 (775) 856-43-21 or 8 776 959-28-08.", "request", None),
        ("Адрес: Алматы, ул. Сатпаева 108-21.", "request", None),
        ("Деньги списали 17.11.2026, сумма 150 000 тенге.", "request", None),
    ],
)
def test_identifiers_are_copied_only_when_the_text_has_one_of_their_kind(
    text: str, kind: str, expected: str | None
) -> None:
    assert identifier(text, kind) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Списали 150 000 тенге дважды.", (150000.0, "KZT")),
        ("Сумма 12 500,00 KZT не зачислена.", (12500.0, "KZT")),
        ("I was charged $1,250.00 twice.", (1250.0, "USD")),
        ("A fee of 300.00 EUR appeared.", (300.0, "EUR")),
        ("On 16 November 2026 KZT 830,190 was debited.", (830190.0, "KZT")),
        ("Карточкамнан 5 000 ₸ шешілді.", (5000.0, "KZT")),
        ("Перевёл 2 500 руб. родственнику.", (2500.0, "RUB")),
        ("Счёт KZ64125KZT4949019531, сумма не указана.", None),
    ],
)
def test_the_first_amount_next_to_a_currency_is_read_with_its_code(
    text: str, expected: tuple[float, str] | None
) -> None:
    assert money(text) == expected


@pytest.mark.parametrize(
    ("text", "first", "deadline"),
    [
        ("Документы нужны до 30.11.2026.", "2026-11-30", "2026-11-30"),
        ("On 23.11.2026 I paid; I need it by 2 December 2026.", "2026-11-23", "2026-12-02"),
        ("Анықтама 11.12.2026 дейін керек.", "2026-12-11", "2026-12-11"),
        ("Платёж от 2 декабря 2026 года не дошёл.", "2026-12-02", None),
        ("Туған күнім: 1988 жылғы 12 наурыз. Төлем 2026-11-20 өтті.", "2026-11-20", None),
        ("Date of birth: 6 July 1996. Nothing else.", None, None),
        ("Срок 31.02.2026 не существует.", None, None),
    ],
)
def test_dates_are_read_as_iso_and_a_deadline_must_be_written_as_one(
    text: str, first: str | None, deadline: str | None
) -> None:
    assert first_date(text) == first
    assert deadline_date(text) == deadline


def test_a_person_placeholder_is_found_but_a_name_is_never_made_up() -> None:
    assert person_placeholder("Sender: [PERSON_2]\nBody: hi [PERSON_1]") == "[PERSON_2]"
    assert person_placeholder("Sender: Ivan Petrov, IIN [KZ_IIN_1]") is None


# --- extract -------------------------------------------------------------------------------

EXTRACT_TEXT = (
    "Sender: [PERSON_1]\nSubject: Деньги списали дважды\n\nBody:\n"
    "Здравствуйте! По договору KZ-77/2025-114 с карты дважды списали 12 500,00 KZT. "
    "Уже обращалась, заявка REQ-2026-004512. Верните деньги до 30.11.2026.\n\n"
    "Attachments:\n(none)\n"
)


@pytest.mark.parametrize("seed", range(5))
def test_extract_copies_every_field_the_email_states(seed: int) -> None:
    answer = generate(EXTRACT_SCHEMA, EXTRACT_TEXT, seed)
    assert answer["request_number"] == "REQ-2026-004512"
    assert answer["contract_number"] == "KZ-77/2025-114"
    assert answer["customer_name"] == "[PERSON_1]"
    assert (answer["amount"], answer["currency"]) == (12500.0, "KZT")
    assert answer["deadline"] == "2026-11-30"
    assert answer["department"] == "payments"
    assert answer["problem_type"] in {
        "double_charge",
        "payment_not_credited",
        "transfer_failed",
        "unexpected_fee",
    }


@pytest.mark.parametrize("seed", range(20))
def test_extract_leaves_fields_the_email_does_not_state_null(seed: int) -> None:
    text = "Subject: Question\n\nBody:\nHello, how are you? Best regards.\n"
    answer = generate(EXTRACT_SCHEMA, text, seed, "en")
    for field in ("request_number", "contract_number", "customer_name", "deadline"):
        assert answer[field] is None
    assert answer["amount"] is None
    assert answer["currency"] is None


def test_a_required_non_nullable_identifier_still_validates_without_one_in_the_text() -> None:
    schema = {
        "type": "object",
        "properties": {"contract_number": {"type": "string", "minLength": 3}},
        "required": ["contract_number"],
    }
    assert isinstance(generate(schema, "no numbers here", 1)["contract_number"], str)


def test_a_grounded_value_that_breaks_the_schema_is_not_used() -> None:
    schema = {
        "type": "object",
        "properties": {
            "request_number": {"type": "string", "maxLength": 8},
            "amount": {"type": "integer", "maximum": 100},
        },
        "required": ["request_number", "amount"],
    }
    answer = generate(schema, "Заявка REQ-2026-000001, сумма 150 000 тенге.", 3)
    assert answer["request_number"] != "REQ-2026-000001"
    assert answer["amount"] <= 100


# --- categorize ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Subject: Карта заблокирована\nМошенники списали деньги с карты!",
            "card_blocked_or_fraud",
        ),
        ("Subject: Картам бұғатталды\nАлаяқтар қоңырау шалды.", "card_blocked_or_fraud"),
        ("Subject: Card delivery\nWhere is my card? The courier never came.", "delivery_question"),
        ("Subject: Карта жеткізу\nКартаны жеткізу қашан болады?", "delivery_question"),
        ("Subject: Акт сверки\nПришлите акт сверки и счёт-фактуру.", "closing_documents_request"),
        ("Subject: Closing documents\nPlease send the invoice.", "closing_documents_request"),
        ("Subject: Не могу войти\nПароль не подходит, вход невозможен.", "account_access"),
        ("Subject: Кіру мәселесі\nҚұпиясөз дұрыс, бірақ кіре алмаймын.", "account_access"),
        ("Subject: Вопрос по договору\nКакая ставка по договору?", "contract_question"),
        ("Subject: Шарт талаптары\nШарттың мөлшерлемесі қандай?", "contract_question"),
        ("Subject: Charged twice\nI was charged twice, please refund.", "payment_complaint"),
        ("Subject: Төлем\nТөлем екі рет шешілді.", "payment_complaint"),
        ("Subject: Спасибо\nСпасибо, вопрос решён, всё работает.", "no_reply_needed"),
        ("Subject: News\nDear customers! Unsubscribe from the newsletter.", "no_reply_needed"),
    ],
)
def test_the_category_follows_keywords_in_english_russian_and_kazakh(
    text: str, category: str
) -> None:
    answer = generate(CATEGORIZE_SCHEMA, text)
    assert answer["category"] == category
    departments = dict(zip(CATEGORIES, DEPARTMENTS, strict=True))
    assert answer["department"] == departments[category]


def test_without_keywords_the_category_is_a_seeded_choice() -> None:
    picks = {
        generate(CATEGORIZE_SCHEMA, "Subject: Hello\nHi.", seed)["category"] for seed in range(40)
    }
    assert len(picks) > 3


def test_confidence_is_mostly_high_with_a_small_seeded_low_share() -> None:
    text = "Subject: Не могу войти\nПароль не подходит."
    values = [generate(CATEGORIZE_SCHEMA, text, seed)["confidence"] for seed in range(400)]
    low = sum(value < 0.6 for value in values)
    assert 10 <= low <= 60
    assert all(0.75 <= value <= 0.98 for value in values if value >= 0.6)


@pytest.mark.parametrize(
    "text",
    ["Subject: СРОЧНО\nкарта", "Subject: x\nUrgent: please act immediately", "Шұғыл! Алаяқтар"],
)
def test_urgent_is_true_when_urgency_words_appear(text: str) -> None:
    assert generate(CATEGORIZE_SCHEMA, text)["urgent"] is True


def test_urgent_is_false_for_a_calm_email() -> None:
    assert generate(CATEGORIZE_SCHEMA, "Subject: Акт сверки\nПришлите акт.")["urgent"] is False


def test_two_topics_needs_two_strongly_matching_categories() -> None:
    both = (
        "Subject: Доставка карты\nКурьер не приехал, где доставка карты?\n\n"
        "И ещё: поясните ставку по договору, хочу досрочно погасить кредит."
    )
    answer = generate(CATEGORIZE_SCHEMA, both)
    assert answer["two_topics"] is True
    assert (answer["category"], answer["alternative_category"]) == (
        "delivery_question",
        "contract_question",
    )
    single = generate(CATEGORIZE_SCHEMA, "Subject: Доставка\nГде курьер с картой?")
    assert single["two_topics"] is False


def test_routing_reads_the_subject_line_twice() -> None:
    scores = route("Question about contract terms\nThe fee was charged.").scores
    assert scores["contract_question"] > scores["payment_complaint"]


@pytest.mark.parametrize("seed", range(10))
def test_free_text_fields_of_a_kazakh_request_are_kazakh(seed: int) -> None:
    schema = {
        "type": "object",
        "properties": {"topic": {"type": "string"}, "summary": {"type": "string"}},
        "required": ["topic", "summary"],
    }
    answer = generate(schema, "", seed, "kk")
    assert re.search("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]", answer["topic"])
    assert re.search("[әғқңөұүһі]", answer["summary"])


# --- draft ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("seed", range(8))
def test_a_drafted_reply_is_in_the_language_asked_and_has_no_digits(
    language: Language, seed: int
) -> None:
    answer = generate(DRAFT_SCHEMA, "Subject: x\nBody: 150 000 тенге, REQ-2026-1", seed, language)
    assert answer["language"] == language
    assert 1 <= len(re.findall(r"[.!?]", answer["reply"])) <= 3
    assert not re.search(r"\d", answer["reply"])
    if language == "kk":
        assert re.search("[әғқңөұүһі]", answer["reply"])
    if language == "en":
        assert answer["reply"].isascii()
