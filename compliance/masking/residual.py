"""A cheap fail-closed check for the gateway: identifiers still present in a text.

Run on every text about to leave for a model, after masking. It looks only for what can be
recognised with certainty and no model: valid IINs and BINs (check digit), Luhn-valid card
numbers, any 12-digit or card number right after its label ("ИИН …", "карта …"), valid IBANs
(mod-97), e-mail addresses on a real domain (not role mailboxes such as ``support@``), and
Kazakh mobile numbers. Placeholders never match. A non-empty answer means the text must not be
sent.
"""

from __future__ import annotations

import re
from collections import Counter

from compliance.checksums import is_valid_iban
from compliance.masking.entities import EMAIL_ADDRESS, IBAN_CODE, PHONE_NUMBER
from compliance.masking.recognizers.builtin import is_real_domain, is_role_mailbox
from compliance.masking.recognizers.cards import find_cards
from compliance.masking.recognizers.kz_ids import find_kz_ids
from compliance.masking.recognizers.phones import PHONE, is_kz_mobile

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ ]?[0-9A-Za-z]){11,30}(?![\w])")


def residual_identifiers(text: str) -> dict[str, int]:
    """Entity type -> how many high-confidence identifiers are still in ``text``."""
    found: Counter[str] = Counter()
    for kind in (find_kz_ids, find_cards):
        found.update(f.entity_type for f in kind(text))
    found[IBAN_CODE] += sum(is_valid_iban(m.group().upper()) for m in _IBAN.finditer(text))
    found[EMAIL_ADDRESS] += sum(
        is_real_domain(m.group()) and not is_role_mailbox(m.group()) for m in _EMAIL.finditer(text)
    )
    found[PHONE_NUMBER] += sum(is_kz_mobile(m.group()) for m in PHONE.finditer(text))
    return {kind: count for kind, count in found.items() if count}
