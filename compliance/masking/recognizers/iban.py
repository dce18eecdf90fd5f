"""IBANs: Kazakh ones (``KZ`` + 18 characters, mod-97), grouped by four or written solid.

Foreign IBANs are left to Presidio's own IBAN recognizer (see :mod:`.builtin`); this one
knows the Kazakh shape and reuses :func:`compliance.checksums.is_valid_iban`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.checksums import is_valid_iban
from compliance.masking.entities import IBAN_CODE, SCORE_VALIDATED
from compliance.masking.recognizers.base import Found

KZ_IBAN = re.compile(r"(?<![\w])[Kk][Zz]\d{2}(?:[ ]?[0-9A-Za-z]){16}(?![\w])")


def find_kz_ibans(text: str) -> Iterator[Found]:
    """Valid Kazakh IBANs in ``text``."""
    for match in KZ_IBAN.finditer(text):
        if is_valid_iban(match.group().upper()):
            yield Found(IBAN_CODE, match.start(), match.end(), SCORE_VALIDATED)
