"""IBANs: Kazakh ones (``KZ`` + 18 characters, mod-97), grouped by four or written solid.

Foreign IBANs are left to Presidio's own IBAN recognizer (see :mod:`.builtin`); this one
knows the Kazakh shape ("KZ86 6016 6915 6404 1042", "KZ 8455 1537 8383 0640 03", solid) and
reuses :func:`compliance.checksums.is_valid_iban`. A Kazakh-shaped IBAN whose check digits fail
is still taken right after an account label ("IBAN", "ИИК", "счёт", "шот", "account"): a
typo in an account number is normal in real mail and does not make it less personal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.checksums import is_valid_iban
from compliance.masking.entities import IBAN_CODE, SCORE_IN_CONTEXT, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found, context_before

KZ_IBAN = re.compile(r"(?<![\w])[Kk][Zz][ ]?\d[ ]?\d(?:[ ]?[0-9A-Za-z]){16}(?![\w])")
#: An account label ending right before the number.
ACCOUNT_LABEL = re.compile(
    r"(?:iban|иик|iik|иban|сч[её]т\w{0,2}|шот\w{0,3}|account|acct|р/с|реквизит\w{0,2})"
    r"(?:\s*(?:№|no\.?|number|нөмірі|номер))?[\s:№#=\-–—]*$"
)


def find_kz_ibans(text: str) -> Iterator[Found]:
    """Kazakh IBANs in ``text``: valid ones anywhere, mistyped ones after an account label."""
    for match in KZ_IBAN.finditer(text):
        if is_valid_iban(match.group().upper()):
            yield Found(IBAN_CODE, match.start(), match.end(), SCORE_VALIDATED)
        elif context_before(text, match.start(), 40).has(ACCOUNT_LABEL):
            yield Found(IBAN_CODE, match.start(), match.end(), SCORE_IN_CONTEXT)
