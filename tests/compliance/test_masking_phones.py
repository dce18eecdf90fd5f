"""Phone numbers: KZ/RU mobiles and city numbers are masked; the bank's own lines are not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compliance.masking import Masker, residual_identifiers
from compliance.masking.recognizers.phones import (
    find_international_phones,
    find_phones,
    is_kz_mobile,
)

#: One mobile in the ways people type it.
MOBILE_FORMATS = [
    "+7 701 234 56 78",
    "8 (701) 234-56-78",
    "+77012345678",
    "87012345678",
    "8-701-234-56-78",
]
#: Russian and Kazakh words right before the number, with and without punctuation or a space,
#: and the number at the start or the end of a line.
AROUND = [
    "звоните {}",
    "Звоните: {}",
    "звоните на {}",
    "Позвоните по {}.",
    "перезвоните {} вечером",
    "Мой номер — {}",
    "тел.{}",
    "моб:{}",
    "звоните{}",
    "ватсап {}",
    "хабарласыңыз {}",
    "Қоңырау шалыңыз: {}",
    "нөмірім{}",
    "{}\nзвоните после 18:00",
    "Прошу перезвонить:\n{}\nс уважением",
    "Вопрос срочный, звоните\n{}",
]


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


def phones(text: str, public: tuple[str, ...] = ()) -> list[str]:
    return [text[f.start : f.end] for f in find_phones(text, public)]


@pytest.mark.parametrize(
    "number",
    [
        "+7 701 234 56 78",
        "8(701)2345678",
        "+77012345678",
        "8 701 234-56-78",
        "+7 (727) 250-11-22",
        "8 7172 55-66-77",
        "+7 916 123-45-67",
        "8 (7212) 41-22-33",
        "+7-777-123-45-67",
    ],
)
def test_kazakh_and_russian_numbers_are_found_as_written(number: str) -> None:
    for template in ("Мой телефон {}.", "Байланыс телефоны: {}", "Call me on {} please"):
        assert phones(template.format(number)) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Звонила на горячую линию 1414, никто не ответил.",
        "I called the hotline 7111 twice.",
        "Қысқа нөмір 505 арқылы хабарластым.",
        "Бесплатный номер 8 800 080 88 88 не отвечает.",
        "Я уже звонил на горячую линию +7 727 244 44 44, но оператор не ответил.",
        "For urgent matters call +7 727 244 44 44.",
        "+7 727 244 44 44 сенім телефонына қоңырау шалдым.",
        "Шұғыл сұрақтар бойынша +7 727 244 44 44 нөміріне хабарласыңыз.",
        "Customer service +7 727 311 00 00 (24/7)",
        "Звонили диспетчеру по номеру 8 (7252) 41-07-07 — не отвечают.",
    ],
)
def test_hotlines_are_left_alone(text: str) -> None:
    assert phones(text) == []


@pytest.mark.parametrize("number", MOBILE_FORMATS)
@pytest.mark.parametrize("template", AROUND)
def test_a_mobile_is_found_after_any_word_and_at_either_end_of_a_line(
    number: str, template: str
) -> None:
    assert phones(template.format(number)) == [number]


@pytest.mark.parametrize("number", MOBILE_FORMATS)
@pytest.mark.parametrize("template", AROUND)
def test_the_masker_leaves_no_mobile_for_the_gateway_to_refuse(
    masker: Masker, number: str, template: str
) -> None:
    result = masker.mask({"body": template.format(number)})

    assert result.parts["body"] == template.format("[PHONE_NUMBER_1]")
    assert result.mapping == {"[PHONE_NUMBER_1]": number}
    assert residual_identifiers(result.parts["body"]) == {}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Горячая линия +7 701 234 56 78, звоните.", ["+7 701 234 56 78"]),
        ("Звоните на 8 (777) 123-45-67", ["8 (777) 123-45-67"]),
        ("звоните +7 916 123-45-67", ["+7 916 123-45-67"]),
        ("Горячая линия +7 727 244 44 44, звоните.", []),
        ("Звоните на 8 (727) 244-44-44", []),
    ],
)
def test_hotline_words_spare_a_city_number_but_never_a_mobile(text: str, found: list[str]) -> None:
    assert phones(text) == found


def test_ordinary_numbers_beside_a_phone_are_not_masked(masker: Masker) -> None:
    text = (
        "Звоните +7 701 234 56 78 до 27.11.2026. Сумма 234 560 тенге, списано 1 234 567,89 "
        "тенге 12.11.2026 в 18:00, заявка № 87012345, договор KZ-77/2025-114, код ID87012345678."
    )

    result = masker.mask({"body": text})

    assert result.parts["body"] == text.replace("+7 701 234 56 78", "[PHONE_NUMBER_1]")
    assert result.counts == {"PHONE_NUMBER": 1}


def test_the_organisation_s_own_numbers_are_left_alone_in_any_spelling() -> None:
    text = "Наш офис: 8 (727) 244-44-44, ваш: +7 701 234 56 78"
    assert phones(text, public=("+7 727 244 44 44",)) == ["+7 701 234 56 78"]


@pytest.mark.parametrize(
    "text",
    [
        "Заявка № 4512345 от 12.11.2026",
        "Сумма 150 000 тенге, договор KZ-77/2025-114",
        "ИИН 850412300123",
        "Amount: $1,250.00 by 2 December 2026",
    ],
)
def test_request_numbers_amounts_and_iins_are_not_phones(text: str) -> None:
    assert phones(text) == []


def test_foreign_numbers_are_found_by_country_code() -> None:
    text = "UK office +44 20 7946 0958, Tashkent +998 90 123 45 67, hotline 1414"
    found = [text[f.start : f.end] for f in find_international_phones(text)]
    assert found == ["+44 20 7946 0958", "+998 90 123 45 67"]


def test_a_kazakh_mobile_is_told_from_a_city_number() -> None:
    assert is_kz_mobile("8 (777) 123-45-67")
    assert not is_kz_mobile("+7 727 250 11 22")


def test_a_hotline_word_in_an_earlier_sentence_does_not_spare_my_number() -> None:
    text = "They said only customer support can help.\n\nYou can reach me at 8 7172 41-22-19."
    assert phones(text) == ["8 7172 41-22-19"]
