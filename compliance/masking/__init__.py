"""Masking personal data before any model call, and putting it back for people allowed to see it.

- :class:`Masker` (load once per process) turns a document's parts into masked texts with
  stable ``[TYPE_n]`` placeholders and a placeholder -> value map (for the vault);
- :func:`reidentify` puts known placeholders back and lists the ones a model invented or
  mangled, never guessing;
- :func:`residual_identifiers` is the gateway's cheap fail-closed check for identifiers that are
  still in a text (valid IIN/BIN, card, IBAN, e-mail, Kazakh mobile).

See docs/masking.md for the recognizers, their figures and the decisions behind them.
"""

from compliance.masking.entities import ENTITY_TYPES, placeholder
from compliance.masking.errors import MaskingError
from compliance.masking.masker import MaskedEntity, Masker, MaskResult
from compliance.masking.reidentify import Reidentified, reidentify
from compliance.masking.residual import residual_identifiers

__all__ = [
    "ENTITY_TYPES",
    "MaskResult",
    "MaskedEntity",
    "Masker",
    "MaskingError",
    "Reidentified",
    "placeholder",
    "reidentify",
    "residual_identifiers",
]
