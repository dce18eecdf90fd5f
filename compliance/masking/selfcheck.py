"""The check a masker passes at load: a made-up document with one value of each type.

Validate before you operate: if a recognizer was misconfigured (a pattern that no longer
matches, a model that did not load), :meth:`Masker.load` refuses to hand out a masker at all,
instead of letting documents through half-masked. The canary values are synthetic — built from
the check-digit functions — and the look-alikes (a hotline, a masked card, an IIN-shaped request
number with a wrong check digit) must come through untouched, while the same kind of mistyped
number right after its label ("ИИН …", "карта …") must be masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compliance.checksums import iban_check_digits, kz_check_digit, luhn_check_digit
from compliance.masking import entities as e
from compliance.masking.errors import MaskingError

if TYPE_CHECKING:
    from compliance.masking.masker import Masker


def _with_kz_check_digit(head: str) -> str:
    for serial in range(10_000):
        first11 = f"{head}{serial:0{11 - len(head)}d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError("no valid check digit")  # pragma: no cover - cannot happen


def _wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


Planted = tuple[tuple[str, str], ...]


def _canary() -> tuple[dict[str, str], str, Planted, tuple[str, ...]]:
    iin = _with_kz_check_digit("9001013")
    request = _wrong_last_digit(iin)
    mistyped_iin = _wrong_last_digit(_with_kz_check_digit("8502024"))
    bin_ = _with_kz_check_digit("05044")
    card = "400000000000000"
    card += str(luhn_check_digit(card))
    mistyped_card = _wrong_last_digit("5" + card[1:])
    bban = "125KZT0000000001"
    iban = "KZ" + iban_check_digits("KZ", bban) + bban
    planted = {
        e.KZ_IIN: iin,
        e.KZ_BIN: bin_,
        e.CREDIT_CARD: card,
        e.IBAN_CODE: iban,
        e.PHONE_NUMBER: "+7 700 000 00 00",
        e.EMAIL_ADDRESS: "canary.person@example.kz",
        e.ADDRESS: "г. Алматы, ул. Проверочная, д. 1, кв. 1",
        e.DATE_OF_BIRTH: "01.01.1990",
        e.ID_DOC: "000000001",
        e.PERSON: "Проверкин Тест",
    }
    body = (
        f"Здравствуйте! Меня зовут Проверкин Тест. ИИН {iin}, БИН {bin_}, карта {card}, "
        f"счёт {iban}, телефон {planted[e.PHONE_NUMBER]}, почта {planted[e.EMAIL_ADDRESS]}. "
        f"Адрес: {planted[e.ADDRESS]}. Дата рождения {planted[e.DATE_OF_BIRTH]}. "
        f"Удостоверение личности № {planted[e.ID_DOC]}. Заявка {request}, "
        "горячая линия 8 800 080 88 88, карта **** **** **** 0000. С опечатками: "
        f"ИИН {mistyped_iin}, карта {mistyped_card}.\n\nС уважением,\nТест"
    )
    kept = (request, "8 800 080 88 88", "**** **** **** 0000")
    labelled = ((e.KZ_IIN, mistyped_iin), (e.CREDIT_CARD, mistyped_card))
    parts = {"subject": "Проверка", "body": body}
    return parts, "Проверкин Тест", (*planted.items(), *labelled), kept


def check_masker(masker: Masker) -> None:
    """Raise :class:`MaskingError` unless every recognizer finds its canary value."""
    parts, sender, planted, kept = _canary()
    result = masker.mask(parts, sender_name=sender)
    body = result.parts["body"]
    for entity_type, value in planted:
        if value in body or result.counts.get(entity_type, 0) < 1:
            raise MaskingError(
                f"the {entity_type} recognizer failed the load-time self-check; "
                "the masking configuration is broken and no document may be masked with it"
            )
    for value in kept:
        if value not in body:
            raise MaskingError(
                "a look-alike (request number, hotline or masked card) was masked in the "
                "load-time self-check; fix the recognizers before masking documents"
            )
