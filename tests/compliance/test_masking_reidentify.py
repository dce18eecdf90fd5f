"""Re-identification restores only what the masker wrote; the residual check finds what is left."""

from __future__ import annotations

import pytest

from compliance.checksums import iban_check_digits, kz_check_digit, luhn_check_digit
from compliance.masking import Masker, reidentify, residual_identifiers

MAPPING = {"[PERSON_1]": "Громова Есения", "[KZ_IIN_1]": "880715400123", "[PERSON_2]": "Orla"}


def test_known_placeholders_are_restored() -> None:
    result = reidentify("Уважаемая [PERSON_1], ваш ИИН [KZ_IIN_1]. Копия: [PERSON_2].", MAPPING)
    assert result.text == "Уважаемая Громова Есения, ваш ИИН 880715400123. Копия: Orla."
    assert result.unknown == ()


def test_a_placeholder_the_model_invented_stays_visible_and_is_flagged() -> None:
    result = reidentify("Dear [PERSON_1] and [PERSON_7], card [CREDIT_CARD_1].", MAPPING)
    assert result.text == "Dear Громова Есения and [PERSON_7], card [CREDIT_CARD_1]."
    assert result.unknown == ("[PERSON_7]", "[CREDIT_CARD_1]")


@pytest.mark.parametrize(
    "mangled",
    [
        "[PERSON 1]",
        "PERSON_1]",
        "[PERSON_1",
        "[person_1]",
        "[PERSON-1]",
        "PERSON_1",
        "[ PERSON_1 ]",
    ],
)
def test_a_mangled_placeholder_is_never_guessed(mangled: str) -> None:
    result = reidentify(f"Dear {mangled}, thank you.", MAPPING)
    assert result.text == f"Dear {mangled}, thank you."
    assert result.unknown == (mangled,)
    assert "Громова" not in result.text


def test_words_that_merely_mention_a_type_are_not_flagged() -> None:
    text = "The person 1 mentioned, an IBAN code and PHONE_NUMBERS in general."
    assert reidentify(text, MAPPING) == reidentify(text, {})
    assert reidentify(text, MAPPING).unknown == ()


def test_the_reidentified_result_does_not_print_its_text() -> None:
    assert "Громова" not in repr(reidentify("[PERSON_1]", MAPPING))


def _iin() -> str:
    for serial in range(10_000):
        first11 = f"8807154{serial:04d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError


def _card() -> str:
    partial = "440043000000123"
    return partial + str(luhn_check_digit(partial))


def test_the_residual_check_counts_high_confidence_identifiers() -> None:
    iban = "KZ" + iban_check_digits("KZ", "125KZT5004100100") + "125KZT5004100100"
    text = (
        f"ИИН {_iin()}, карта {_card()}, счёт {iban}, почта a.b@example.kz, "
        "моб. 8 777 123 45 67, офис +7 727 250 11 22, support@bank.example.kz"
    )
    assert residual_identifiers(text) == {
        "KZ_IIN": 1,
        "CREDIT_CARD": 1,
        "IBAN_CODE": 1,
        "EMAIL_ADDRESS": 1,
        "PHONE_NUMBER": 1,
    }


def test_the_residual_check_ignores_placeholders_and_look_alikes() -> None:
    text = (
        "[PERSON_1], ИИН [KZ_IIN_1], заявка 261125527630, карта **** **** **** 1234, "
        "горячая линия 1414, 8 800 080 88 88, сумма 150 000 тенге, support@bank.example.kz"
    )
    assert residual_identifiers(text) == {}


def test_the_residual_check_catches_what_masking_let_through() -> None:
    mobile = "+7 701 234 56 78"
    masker = Masker.load(public_numbers=(mobile,))  # declared the organisation's own line
    result = masker.mask({"body": f"Звоните на {mobile}, ИИН {_iin()}"})
    assert mobile in result.parts["body"]  # a public number, so the masker kept it
    assert residual_identifiers(result.parts["body"]) == {"PHONE_NUMBER": 1}


def test_the_residual_check_counts_a_mistyped_iin_and_card_left_after_their_labels() -> None:
    iin, card = _iin(), _card()
    wrong_iin = iin[:11] + str((int(iin[11]) + 1) % 10)
    wrong_card = card[:15] + str((int(card[15]) + 1) % 10)
    text = f"ИИН {wrong_iin}, карта {wrong_card}; заявка {wrong_iin}, операция {wrong_card}"
    assert residual_identifiers(text) == {"KZ_IIN": 1, "CREDIT_CARD": 1}
