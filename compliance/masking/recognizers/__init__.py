"""The recognizers nightshift registers with Presidio, one module per family.

:func:`recognizers_for` builds the full set for one language; every finder is language-agnostic
(mail mixes Russian, Kazakh and English in one sentence), so the three languages get the same
set and the language only picks Presidio's bucket.
"""

from __future__ import annotations

from collections.abc import Iterable

from presidio_analyzer import EntityRecognizer

from compliance.masking.entities import (
    ADDRESS,
    CREDIT_CARD,
    DATE_OF_BIRTH,
    IBAN_CODE,
    ID_DOC,
    KZ_BIN,
    KZ_IIN,
    PERSON,
    PHONE_NUMBER,
)
from compliance.masking.recognizers.addresses import find_addresses
from compliance.masking.recognizers.base import Finder, FinderRecognizer, Found
from compliance.masking.recognizers.builtin import builtin_recognizers
from compliance.masking.recognizers.cards import find_cards
from compliance.masking.recognizers.dates_of_birth import find_dates_of_birth
from compliance.masking.recognizers.iban import find_kz_ibans
from compliance.masking.recognizers.id_docs import find_id_documents
from compliance.masking.recognizers.kz_ids import find_kz_ids
from compliance.masking.recognizers.persons import NerTagger, find_names
from compliance.masking.recognizers.phones import find_international_phones, find_phones

__all__ = ["Finder", "FinderRecognizer", "Found", "recognizers_for"]


def recognizers_for(
    language: str, *, ner: NerTagger | None, public_numbers: Iterable[str] = ()
) -> list[EntityRecognizer]:
    """Every recognizer for ``language``: ours first, then the Presidio built-ins we keep."""
    numbers = tuple(public_numbers)

    def phones(text: str) -> Iterable[Found]:
        return find_phones(text, numbers)

    def names(text: str) -> Iterable[Found]:
        return find_names(text, ner)

    ours: list[tuple[str, list[str], Finder]] = [
        ("KzIdRecognizer", [KZ_IIN, KZ_BIN], find_kz_ids),
        ("KzPhoneRecognizer", [PHONE_NUMBER], phones),
        ("InternationalPhoneRecognizer", [PHONE_NUMBER], find_international_phones),
        ("CardRecognizer", [CREDIT_CARD], find_cards),
        ("KzIbanRecognizer", [IBAN_CODE], find_kz_ibans),
        ("AddressRecognizer", [ADDRESS], find_addresses),
        ("DateOfBirthRecognizer", [DATE_OF_BIRTH], find_dates_of_birth),
        ("IdDocumentRecognizer", [ID_DOC], find_id_documents),
        ("PersonRecognizer", [PERSON], names),
    ]
    made = [FinderRecognizer(name, types, finder, language) for name, types, finder in ours]
    return [*made, *builtin_recognizers(language)]
