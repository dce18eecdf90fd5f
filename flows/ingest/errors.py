"""Errors of the ingest flow (see :mod:`storage.errors` for the whole tree)::

    NightshiftError
    └── IngestError           a source could not be read at all, or the ingest was asked
        │                     something impossible (an invalid --source name)
        └── RecordRejected    one record (line, row, email) is skipped; the rest goes on

A :class:`RecordRejected` never escapes :func:`flows.ingest.ingest_paths`: it becomes a
:class:`flows.ingest.Rejection` in the report. Its reason names the problem and, where useful,
positions, sizes and field names — never document text or personal data.
"""

from __future__ import annotations

from storage.errors import NightshiftError


class IngestError(NightshiftError):
    """A source could not be read at all, or the ingest was asked something impossible."""


class RecordRejected(IngestError):
    """One record cannot be ingested; ``reason`` says why without quoting the record."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
