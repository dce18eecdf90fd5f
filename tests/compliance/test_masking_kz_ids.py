"""IIN and BIN: a check digit that holds and a real birth date make a number personal."""

from __future__ import annotations

import pytest

from compliance.checksums import kz_check_digit
from compliance.masking import Masker
from compliance.masking.recognizers.kz_ids import find_kz_ids


def with_check_digit(head: str) -> str:
    """The first valid IIN/BIN after ``head`` (6-7 digits), padded with a serial number."""
    for serial in range(10_000):
        first11 = f"{head}{serial:0{11 - len(head)}d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError(head)


IIN = with_check_digit("8504123")  # born 12 April 1985, a man of the 20th century
BIN = with_check_digit("05044")  # registered April 2005, a legal entity
WRONG_CHECK = IIN[:11] + str((int(IIN[11]) + 1) % 10)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in find_kz_ids(text)]


@pytest.mark.parametrize(
    "template",
    ["Мой ИИН: {}.", "Менің ЖСН: {}.", "My IIN is {}.", "ИИН{}", "iin={}"],
)
def test_a_valid_iin_is_found_in_every_language(template: str) -> None:
    assert found(template.format(IIN)) == [("KZ_IIN", IIN)]


def test_a_grouped_iin_is_found_whole() -> None:
    grouped = f"{IIN[:6]} {IIN[6:]}"
    assert found(f"ИИН {grouped}, спасибо") == [("KZ_IIN", grouped)]


def test_a_valid_bin_is_a_bin_not_an_iin() -> None:
    assert found(f"ТОО «Пример», БИН {BIN}") == [("KZ_BIN", BIN)]


@pytest.mark.parametrize(
    "template",
    ["Заявка № {} зарегистрирована.", "{} өтінімі бойынша шағым", "Your request {} is closed."],
)
def test_a_request_number_with_a_wrong_check_digit_is_left_alone(template: str) -> None:
    assert found(template.format(WRONG_CHECK)) == []


def test_an_iin_born_in_the_future_is_left_alone() -> None:
    future = with_check_digit("9912315")  # 31 Dec 2099
    assert found(f"номер {future}") == []


def test_an_iin_with_an_impossible_date_is_left_alone() -> None:
    assert found(f"номер {with_check_digit('8502303')}") == []  # 30 February


def test_twelve_digits_inside_a_longer_number_are_not_an_iin() -> None:
    assert found(f"счёт 40{IIN}") == []
    assert found(f"карта {IIN[:4]} {IIN[4:8]} {IIN[8:]} 1234") == []


@pytest.mark.parametrize(
    "template",
    [
        "ИИН {}",
        "ИИН: {}",
        "ИИН № {}",
        "Менің ЖСН {}",
        "My IIN is {}",
        "iin={}",
        "ИИН{}",
        "NИН {}",  # OCR: Latin N for И
        "ИИH: {}",  # OCR: Latin H
        "ИИН клиента: {}",
    ],
)
def test_a_mistyped_iin_right_after_its_label_is_still_an_iin(template: str) -> None:
    assert found(template.format(WRONG_CHECK)) == [("KZ_IIN", WRONG_CHECK)]


def test_a_mistyped_grouped_iin_after_its_label_is_found_whole() -> None:
    grouped = f"{WRONG_CHECK[:6]} {WRONG_CHECK[6:]}"
    assert found(f"ИИН {grouped}, спасибо") == [("KZ_IIN", grouped)]


def test_the_masker_docstring_example_after_its_label_is_an_iin() -> None:
    assert found("ИИН 880412300123") == [("KZ_IIN", "880412300123")]


@pytest.mark.parametrize("label", ["БИН", "BIN:", "БСН", "БИН №"])
def test_a_mistyped_bin_right_after_its_label_is_still_a_bin(label: str) -> None:
    wrong_bin = BIN[:11] + str((int(BIN[11]) + 1) % 10)
    assert found(f"ТОО «Пример», {label} {wrong_bin}") == [("KZ_BIN", wrong_bin)]


def test_an_iin_born_in_the_future_after_its_label_is_an_iin() -> None:
    future = with_check_digit("9912315")
    assert found(f"ИИН {future}") == [("KZ_IIN", future)]


@pytest.mark.parametrize(
    "template",
    [
        "ИИН указан выше, заявка {}",  # the label belongs to another sentence part
        "Рубин {}",  # "бин" inside a word is no label
        "Комбинация {} не подошла",
        "ИИН 900101300007, номер обращения {}",
    ],
)
def test_a_mistyped_number_not_right_after_a_label_is_left_alone(template: str) -> None:
    assert [
        kind for kind, value in found(template.format(WRONG_CHECK)) if value == WRONG_CHECK
    ] == []


def test_the_masker_sends_no_mistyped_labelled_iin_and_keeps_the_request_number() -> None:
    request = "880412300124"
    body = f"Мой ИИН 880412300123, заявка {request}."
    result = Masker.load().mask({"body": body})
    assert result.parts["body"] == f"Мой ИИН [KZ_IIN_1], заявка {request}."
