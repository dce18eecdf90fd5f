"""Cards (Luhn) and Kazakh IBANs (mod-97); masked cards and broken numbers stay."""

from __future__ import annotations

import pytest

from compliance.checksums import iban_check_digits, luhn_check_digit
from compliance.masking.recognizers.cards import find_cards
from compliance.masking.recognizers.iban import find_kz_ibans

_PARTIAL = "440043123456789"
CARD = _PARTIAL + str(luhn_check_digit(_PARTIAL))
BAD_CARD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
_BBAN = "722KZT1234567890"
IBAN = "KZ" + iban_check_digits("KZ", _BBAN) + _BBAN


def cards(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_cards(text)]


def ibans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_kz_ibans(text)]


def spaced(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize("written", [CARD, spaced(CARD), spaced(CARD, "-")])
def test_a_luhn_valid_card_is_found_plain_spaced_or_dashed(written: str) -> None:
    for template in ("Номер карты: {}.", "Карта нөмірі {}", "Card number {}, thanks"):
        assert cards(template.format(written)) == [written]


@pytest.mark.parametrize(
    "template",
    ["Номер операции {}.", "Order {} shipped", "Заявка {} принята", "Reference: {}"],
)
def test_an_unlabelled_number_that_fails_luhn_is_left_alone(template: str) -> None:
    assert cards(template.format(spaced(BAD_CARD))) == []


@pytest.mark.parametrize(
    "template",
    [
        "карта {}",
        "Номер карты: {}",
        "оплатил картой {}",
        "№ карты {}",
        "карточка № {}",
        "card {}",
        "Card no. {}",
        "картасы: {}",
    ],
)
def test_a_mistyped_card_right_after_its_label_is_still_a_card(template: str) -> None:
    for written in (BAD_CARD, spaced(BAD_CARD), spaced(BAD_CARD, "-")):
        assert cards(template.format(written)) == [written]


def test_a_masked_card_after_its_label_is_still_left_alone() -> None:
    assert cards("карта **** **** **** 5678 и карта 4400 43** **** 5678") == []


@pytest.mark.parametrize(
    "text",
    [
        "карта **** **** **** 1234 заблокирована",
        "картой 4400 43** **** 1234 оплатила",
        "My card *1234 was blocked",
        f"карта {CARD[:6]}******{CARD[-4:]}",
    ],
)
def test_partially_masked_cards_are_left_alone(text: str) -> None:
    assert cards(text) == []


@pytest.mark.parametrize("written", [IBAN, spaced(IBAN), IBAN.lower()])
def test_a_kazakh_iban_is_found_grouped_or_solid(written: str) -> None:
    for template in ("Мой счёт: {}.", "Шот нөмірім: {}", "account {} for Q3"):
        assert ibans(template.format(written)) == [written]


BROKEN_IBAN = IBAN[:2] + f"{(int(IBAN[2:4]) + 1) % 100:02d}" + IBAN[4:]


def test_an_unlabelled_iban_with_wrong_check_digits_is_left_alone() -> None:
    assert ibans(f"Shipment {BROKEN_IBAN} left the warehouse") == []


@pytest.mark.parametrize("label", ["IBAN:", "счёт", "шот нөмірі:", "account no.", "ИИК"])
def test_a_mistyped_iban_right_after_its_label_is_still_an_iban(label: str) -> None:
    assert ibans(f"{label} {BROKEN_IBAN}") == [BROKEN_IBAN]


def test_a_space_after_the_country_code_is_still_an_iban() -> None:
    written = "KZ " + spaced(IBAN[2:])
    assert ibans(f"Төлемді мына шотқа аударыңыз: {written}.") == [written]


def test_the_digits_of_an_iban_are_not_a_card() -> None:
    assert cards(f"счёт {IBAN}") == []
