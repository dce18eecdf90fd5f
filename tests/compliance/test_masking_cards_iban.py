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


def test_a_card_that_fails_luhn_is_left_alone() -> None:
    assert cards(f"карта {spaced(BAD_CARD)}") == []


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


def test_an_iban_with_wrong_check_digits_is_left_alone() -> None:
    broken = IBAN[:2] + f"{(int(IBAN[2:4]) + 1) % 100:02d}" + IBAN[4:]
    assert ibans(f"счёт {broken}") == []


def test_the_digits_of_an_iban_are_not_a_card() -> None:
    assert cards(f"счёт {IBAN}") == []
