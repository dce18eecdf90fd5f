"""Street addresses of Kazakh cities in Russian, Kazakh and English; a city alone is not one."""

from __future__ import annotations

import pytest

from compliance.masking.recognizers.addresses import find_addresses


def addresses(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_addresses(text)]


@pytest.mark.parametrize(
    "address",
    [
        "г. Караганда, ул. Ерубаева, д. 35, кв. 7",
        "г. Алматы, пр. Назарбаева, д. 223",
        "Шымкент, ул. Байтурсынова 12-45",
        "г. Астана, мкр. Жетысу-3, д. 14, кв. 88",
        "Павлодар, ул. Кутузова, 5, оф. 3",
    ],
)
def test_russian_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"Адрес доставки: {address}. Спасибо.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "Қарағанды қ., Бұқар жырау даңғылы, 12-үй",
        "Алматы қ., Төле би көшесі, 187-үй, 45-пәтер",
        "Ақтөбе қаласы, Әбілқайыр хан даңғылы, 3-үй",
        "Шұғыла ықшам ауданы, 7-үй, 10-пәтер",
    ],
)
def test_kazakh_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"Мекенжайым: {address}.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "45 Kunayev St, apt 12, Almaty",
        "7 Turan Avenue, Astana",
        "Apt 3, 150 Abay Ave",
        "19 Mangilik El Ave, office 401, Astana",
    ],
)
def test_english_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"I live at {address}. Thanks.") == [address]


@pytest.mark.parametrize(
    "text",
    [
        "г. Алматы, 24.11.2026",
        "Обращалась в отделение в Астане, но там не помогли.",
        "Our branch in Almaty was closed on Saturday.",
        "Алматы қ.            24.11.2026",
        "Сумма 150 000 тенге по договору № 12/2025-КР",
    ],
)
def test_a_city_a_date_or_a_branch_is_not_an_address(text: str) -> None:
    assert addresses(text) == []
