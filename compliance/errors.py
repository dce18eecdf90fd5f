"""Errors raised by the compliance layer (see :mod:`storage.errors` for the whole tree)::

    NightshiftError
    └── ComplianceError          a call or a record broke a policy; nothing was sent
        └── EncryptionError      a key is missing or unreadable, or a ciphertext does not
                                 authenticate (wrong key, tampered row)

Later layers add MaskingError, LimitExceeded(key, limit, retry_after) and
ResidencyViolation(route, region) here.
"""

from __future__ import annotations

from storage.errors import NightshiftError


class ComplianceError(NightshiftError):
    """A call or a record broke a compliance policy; nothing was sent."""


class EncryptionError(ComplianceError):
    """A key is missing or unreadable, or a ciphertext does not authenticate."""
