"""Errors raised by the compliance layer (see :mod:`storage.errors` for the whole tree)::

    NightshiftError
    └── ComplianceError          a call or a record broke a policy; nothing was sent
        ├── MissingGuard         a gateway was built without masking, residency, limits or
        │                        the audit log (``compliance.gateway.factory``)
        ├── EncryptionError      a key is missing or unreadable, or a ciphertext does not
        │   │                    authenticate (wrong key, tampered row)
        │   ├── DocumentErased   the document's data key was shredded: it cannot be read
        │   └── DataKeyInUse     an old data key still wraps documents: it cannot be retired
        ├── MaskingError         a document could not be masked (``compliance.masking.errors``)
        ├── LimitExceeded        a caller key is over a limit (``compliance.keys.limits``)
        ├── CallerKeyError       a caller key cannot be created, found or used as asked:
        │                        DuplicateKeyName, UnknownKey, InvalidKeyRequest
        │                        (``compliance.keys.callers``)
        └── AuditError           the audit log cannot be used as asked
                                 (``compliance.audit.errors``)

A call refused for residency raises nothing: the gateway records it as one ``refused`` attempt
(reason ``residency:<region>``, audited like any other) and the step sees that outcome; see
:mod:`compliance.gateway.residency_policy`.
"""

from __future__ import annotations

from storage.errors import NightshiftError


class ComplianceError(NightshiftError):
    """A call or a record broke a compliance policy; nothing was sent."""


class MissingGuard(ComplianceError, TypeError):
    """A gateway was to be built without one of its guards; nothing can be sent through it."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__(
            f"a gateway cannot be built without {', '.join(missing)}: every model call is "
            "masked, kept in-country, limited and audited (DESIGN 11); build it with "
            "compliance.gateway.factory.build_gateway"
        )


class EncryptionError(ComplianceError):
    """A key is missing or unreadable, or a ciphertext does not authenticate."""


class DocumentErased(EncryptionError):
    """A document was erased (its data key shredded): its text and outputs cannot be read, so
    it cannot be processed either. Its ids, hashes and audit entries remain."""

    def __init__(self, document_id: int) -> None:
        self.document_id = document_id
        super().__init__(
            f"document {document_id} was erased (its data key was shredded); it cannot be read "
            "or processed"
        )


class DataKeyInUse(EncryptionError):
    """Old key-encryption keys still wrap documents' data keys, so their files must stay."""

    def __init__(self, in_use: dict[str, int]) -> None:
        self.in_use = dict(in_use)
        counts = ", ".join(f"{key_id} wraps {n}" for key_id, n in sorted(in_use.items()))
        super().__init__(
            f"old data keys are still needed ({counts} documents); run "
            "`nightshift keys rewrap-data-keys` to move them to the active key, then retire "
            "again. Nothing was deleted"
        )
