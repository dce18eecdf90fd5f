"""Details of a text, normalized so the same fact compares equal however it is written."""

from __future__ import annotations

import re

import pytest

from flows.quality.details import details, number_values
from sampledata import generate_records


@pytest.mark.parametrize(
    ("written", "values"),
    [
        ("150 000", {"150000"}),
        ("150\u00a0000", {"150000"}),
        ("12 500,00", {"12500"}),
        ("12500.00", {"12500"}),
        ("1,500.75", {"1500.75"}),
        ("1.500,75", {"1500.75"}),
        ("2,500,000", {"2500000"}),
        ("1,500", {"1.5", "1500"}),
        ("12,5", {"12.5"}),
        ("030489541", {"30489541"}),
    ],
)
def test_numbers_are_normalized(written: str, values: set[str]) -> None:
    assert number_values(written) == values


@pytest.mark.parametrize(
    "written",
    [
        "02.12.2026",
        "2026-12-02",
        "2 декабря 2026 года",
        "2026 жылғы 2 желтоқсан",
        "December 2, 2026",
        "2 Dec 2026",
        "02/12/26",
    ],
)
def test_dates_in_every_format_are_the_same_day(written: str) -> None:
    assert details(f"Срок: {written}.").dates == {(2026, 12, 2)}


def test_a_date_without_a_year_matches_the_same_day() -> None:
    source = details("Оплата 17.11.2026 не прошла.")
    assert source.unknown_in(details("Оплата от 17 ноября.")) == []
    assert source.unknown_in(details("Оплата от 18 ноября.")) == ["date"]


def test_a_word_that_starts_like_a_month_is_not_a_date() -> None:
    assert details("Altyn Market 12 and a decision 5 decided").dates == set()


def test_amounts_carry_their_currency() -> None:
    found = details("Списали 207 670,00 ₸ и $15, вернули 300 евро.")
    assert found.amounts == {("207670", "KZT"), ("15", "USD"), ("300", "EUR")}


def test_a_known_amount_in_another_currency_is_unknown() -> None:
    source = details("Списали 278 000 KZT.")
    assert source.unknown_in(details("Вернём 278 000 тенге.")) == []
    assert source.unknown_in(details("Вернём 278 000 RUB.")) == ["amount"]


def test_a_phone_in_another_grouping_is_known() -> None:
    source = details("Тел.: 8 7172 98-31-23, моб. +77777245644")
    reply = details("Позвоним на +7 7172 983 123 или 8 777 724 56 44.")
    assert source.unknown_in(reply) == []


def test_identifiers_compare_without_case() -> None:
    source = details("Счёт KZ06 070K ZT83 5667 4822, заявка #SR877862.")
    assert source.unknown_in(details("Счёт kz06 070k zt83 5667 4822, заявка sr877862.")) == []
    assert source.unknown_in(details("Заявка SR877863.")) == ["number"]


def test_a_declined_name_is_known_and_a_new_one_is_not() -> None:
    source = details("С уважением, Байжанов Қайрат Асқарұлы")
    assert source.unknown_in(details("Уважаемый Қайрату Асқарұлы, спасибо.")) == []
    assert source.unknown_in(details("Уважаемый Ерлан Маратович, спасибо.")) == ["name"]


def test_greetings_and_courtesy_words_are_not_names() -> None:
    source = details("Прошу помочь.")
    reply = "Уважаемый клиент, Служба Поддержки благодарит вас. Dear Customer, Thank You."
    assert source.unknown_in(details(reply)) == []


def test_every_sentence_of_a_sample_email_is_faithful_to_the_email() -> None:
    for record in generate_records(120, seed=13):
        source_text = "\n".join(
            [record["subject"], record["body"], *(a["text"] for a in record["attachments"])]
        )
        source = details(source_text)
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", record["body"]):
            assert source.unknown_in(details(sentence)) == [], "a sentence of the source"


def test_an_ambiguous_number_is_known_when_either_reading_is() -> None:
    source = details("Сумма 1500 USD, комиссия 12.500 тг.")
    assert source.unknown_in(details("Вернём 1,500 USD и 12,5 тенге.")) == []
    assert source.unknown_in(details("Вернём 1.5 USD.")) == ["amount"]
