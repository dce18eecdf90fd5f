"""Dates of birth and identity documents are masked only where the words say what they are."""

from __future__ import annotations

import pytest

from compliance.masking.recognizers.dates_of_birth import find_dates_of_birth
from compliance.masking.recognizers.id_docs import find_id_documents


def births(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_dates_of_birth(text)]


def documents(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_id_documents(text)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Дата рождения: 12.03.1988.", "12.03.1988"),
        ("родилась 3 мая 1990 года в Алматы", "3 мая 1990 года"),
        ("Туған күнім — 1988 жылғы 12 наурыз.", "1988 жылғы 12 наурыз"),
        ("I was born on 3 May 1990.", "3 May 1990"),
        ("Date of birth: March 12, 1988", "March 12, 1988"),
        ("DOB 1979-07-01", "1979-07-01"),
        ("Д0ТА Р0ЖДЕНИЯ: 01.02.1970", "01.02.1970"),
        ("I was bron 8 November 1957.", "8 November 1957"),
    ],
)
def test_a_date_introduced_as_a_birth_date_is_found(text: str, date: str) -> None:
    assert births(text) == [date]


@pytest.mark.parametrize(
    "text",
    [
        "Прошу вернуть деньги до 30.11.2026.",
        "Платёж от 17 ноября 2026 года не зачислен.",
        "Please reply by 2 December 2026.",
        "Құжаттар 02.12.2026 дейін қажет.",
    ],
)
def test_deadlines_and_transaction_dates_are_left_alone(text: str) -> None:
    assert births(text) == []


def test_a_birth_cue_does_not_reach_past_the_next_number() -> None:
    text = "дата рождения 12.03.1988, прошу ответить до 30.11.2026"
    assert births(text) == ["12.03.1988"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Удостоверение личности № 045678912.", "045678912"),
        ("Жеке куәлік № 012345678.", "012345678"),
        ("ID card No. 098765432", "098765432"),
        ("Паспорт N12345678, выдан МВД РК", "N12345678"),
        ("Төлқұжат нөмірі: N87654321.", "N87654321"),
        ("My passport is N11223344.", "N11223344"),
        ("удостовер ение личнocти № 045678912", "045678912"),
        ("паспорт РФ 45 06 123456", "45 06 123456"),
    ],
)
def test_identity_document_numbers_are_found_in_context(text: str, number: str) -> None:
    assert documents(text) == [number]


def test_a_kazakh_passport_number_needs_no_context() -> None:
    assert documents("N12345678 — see attachment") == ["N12345678"]


@pytest.mark.parametrize(
    "text",
    [
        "Заказ 123456789 доставлен.",
        "Заявка № 4512345 принята, номер договора CL-2025-00871.",
        "Transaction 987654321 was declined.",
    ],
)
def test_bare_numbers_without_a_document_word_are_left_alone(text: str) -> None:
    assert documents(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("удостоверение № 04567891", "04567891"),  # a digit short
        ("удостоверение личности 0456789123", "0456789123"),  # a digit too many
        ("жеке куәлік 045 678 912", "045 678 912"),
        ("паспорт N 1234567", "N 1234567"),
        ("паспорт № 1234567", "1234567"),
        ("ID 04567891", "04567891"),
        ("My ID: 145678912", "145678912"),
        ("ID card No. 0456 78912", "0456 78912"),
        ("удосто верение № 04567891", "04567891"),
    ],
)
def test_a_mistyped_document_number_right_after_its_label_is_found(text: str, number: str) -> None:
    assert documents(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Transfer ID № 4512345 не найден.",
        "Order ID 12345678 shipped.",
        "transaction ID 123456789",
        "Паспорт выдан 12.03.2015, заявка 1234567.",
    ],
)
def test_an_id_of_a_transfer_or_an_order_is_not_a_document(text: str) -> None:
    assert documents(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Вид на жительство: 046618372", "046618372"),
        ("Residence permit: F00317264", "F00317264"),
        ("ВИД НА ЖИТЕЛЬСТВО / ЫҚТИЯРХАТ\n№ F0O381104\nФАМИЛИЯ", "F0O381104"),
        ("Passport: N1l293387", "N1l293387"),
        ("Мои данные: ИИН 721004380885, уд. 030117244.", "030117244"),
        ("passport N0 48810272", "N0 48810272"),
    ],
)
def test_permits_short_labels_and_ocr_letters_in_numbers(text: str, number: str) -> None:
    assert documents(text) == [number]


@pytest.mark.parametrize(
    ("mrz", "number"),
    [
        ("IDKAZ051274409<<<<<<<<<<<<<<<", "051274409"),
        ("IDKAZ0512744093<<<<<<<<<<<<<<", "051274409"),
        ("P<KAZIVANOVA<<ANNA<<<<<<<<<<<\nN12345678<4KAZ8001015F3012315<<<<<<<<<<02", "N12345678"),
    ],
)
def test_the_number_in_a_machine_readable_zone_is_found(mrz: str, number: str) -> None:
    assert number in documents(mrz)


@pytest.mark.parametrize(
    "text",
    [
        "өтінім нөмірі № 000287341, бірақ мәртебесі «қаралуда»",
        "Көлік: Toyota Camry 70, техпаспорт ТЕ 00418822",
        "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ\nДербес шот: 3301228714",
    ],
)
def test_application_numbers_and_vehicle_papers_are_not_identity_documents(text: str) -> None:
    assert documents(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Ұлым Оразалин Нұрислам Бекзатұлы (2019 жылғы 11 наурыз) барады", "2019 жылғы 11 наурыз"),
        ("Петрова Ольга Ивановна, 03.05.1961, проживает", "03.05.1961"),
        ("сын Тимур, 17.04.2013 г.р.", "17.04.2013 г.р."),
        ("отец, 1979 г.р., пенсионер", "1979 г.р."),
    ],
)
def test_a_date_beside_a_full_name_or_before_g_r_is_a_birth_date(text: str, date: str) -> None:
    assert births(text) == [date]


def test_a_date_after_a_company_name_is_not_a_birth_date() -> None:
    assert births("ТОО «Алма Трейд», 03.05.2021 договор подписан") == []
