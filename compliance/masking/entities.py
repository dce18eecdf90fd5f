"""The entity types nightshift masks, their placeholder labels and detection scores.

A placeholder is ``[<TYPE>_<n>]`` — ``[PERSON_1]``, ``[KZ_IIN_1]`` — numbered per type in the
order of first appearance within one document.
"""

from __future__ import annotations

from typing import Final

PERSON: Final = "PERSON"
KZ_IIN: Final = "KZ_IIN"
KZ_BIN: Final = "KZ_BIN"
PHONE_NUMBER: Final = "PHONE_NUMBER"
EMAIL_ADDRESS: Final = "EMAIL_ADDRESS"
CREDIT_CARD: Final = "CREDIT_CARD"
IBAN_CODE: Final = "IBAN_CODE"
ADDRESS: Final = "ADDRESS"
DATE_OF_BIRTH: Final = "DATE_OF_BIRTH"
ID_DOC: Final = "ID_DOC"
IP_ADDRESS: Final = "IP_ADDRESS"
#: Text the sender wrote that looks like a placeholder (``[PERSON_1]``): not personal data, but
#: replaced like it, so that re-identification can only restore what the masker wrote.
LITERAL: Final = "LITERAL"

#: Every type the masker emits, in the order reports list them.
ENTITY_TYPES: Final = (
    PERSON,
    KZ_IIN,
    KZ_BIN,
    PHONE_NUMBER,
    EMAIL_ADDRESS,
    CREDIT_CARD,
    IBAN_CODE,
    ADDRESS,
    DATE_OF_BIRTH,
    ID_DOC,
    IP_ADDRESS,
    LITERAL,
)

#: A checksum or a strict format proves the value (IIN, card, IBAN, e-mail ...).
SCORE_VALIDATED: Final = 1.0
#: A format plus the words around it (a date after "дата рождения").
SCORE_IN_CONTEXT: Final = 0.9
#: A name found by a model or by name rules.
SCORE_NAME: Final = 0.85
#: A weaker pattern (a format alone that is usually, not always, personal).
SCORE_PATTERN: Final = 0.6


def placeholder(entity_type: str, number: int) -> str:
    """``placeholder("PERSON", 1) == "[PERSON_1]"``."""
    return f"[{entity_type}_{number}]"
