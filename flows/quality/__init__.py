"""Quality gates of the steps: pure checks that say why an answer needs a person.

- :mod:`flows.quality.language` — ru / kk / en detection with shares for mixed text;
- :mod:`flows.quality.details` — numbers, dates, amounts, e-mails, placeholders, names;
- :mod:`flows.quality.draft_checks` — the checks of a drafted reply;
- :mod:`flows.quality.scan` — attachment text that looks like bad OCR;
- :mod:`flows.quality.verdict` — what a gate answers.

Every reason code names a kind, a count, a category or a language — never document text.
"""

from flows.quality.details import Details, details
from flows.quality.draft_checks import (
    check_details,
    check_empty,
    check_language,
    check_repetition,
    draft_reasons,
)
from flows.quality.language import (
    LANGUAGES,
    Language,
    LanguageProfile,
    detect_language,
    language_profile,
)
from flows.quality.scan import ScanNoise, looks_poorly_scanned, scan_noise
from flows.quality.verdict import PASS, Verdict, join_reasons

__all__ = [
    "LANGUAGES",
    "PASS",
    "Details",
    "Language",
    "LanguageProfile",
    "ScanNoise",
    "Verdict",
    "check_details",
    "check_empty",
    "check_language",
    "check_repetition",
    "details",
    "detect_language",
    "draft_reasons",
    "join_reasons",
    "language_profile",
    "looks_poorly_scanned",
    "scan_noise",
]
