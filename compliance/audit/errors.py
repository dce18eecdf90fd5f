"""Errors of the audit log (the rest of the tree is in :mod:`storage.errors`)::

    ComplianceError
    └── AuditError                the audit log cannot be used as asked
        ├── AuditWriteError       an entry could not be made durable: the call fails closed
        ├── AuditKeyError         the signing key is missing, unreadable or readable by others
        ├── EntryError            bytes are not a well-formed, canonical audit entry
        ├── NoteError             a signed note is malformed or its signature does not verify
        └── BundleError           an exported bundle is incomplete or unreadable

Verification *findings* (a changed field, a missing row, a bad checkpoint) are not errors: they
are reported as a :class:`~compliance.audit.verify.VerifyReport` with the first bad seq.
"""

from __future__ import annotations

from compliance.errors import ComplianceError


class AuditError(ComplianceError):
    """The audit log cannot be used as asked."""


class AuditWriteError(AuditError):
    """An audit entry could not be made durable; the attempt it records must not be trusted."""


class AuditKeyError(AuditError):
    """The audit signing key is missing, unreadable, or readable by other users."""


class EntryError(AuditError):
    """Bytes that are not a well-formed, canonical audit entry."""


class NoteError(AuditError):
    """A signed note that is malformed, or whose signature does not verify."""


class BundleError(AuditError):
    """An exported audit bundle that is incomplete or cannot be read."""
