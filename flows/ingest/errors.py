"""Errors of the ingest flow (see :mod:`storage.errors` for the whole tree)::

    NightshiftError
    └── IngestError           a source could not be read at all, or the ingest was asked
        │                     something impossible (an invalid --source name)
        ├── RecordRejected    one record (line, row, email) is skipped; the rest goes on
        └── OwnedElsewhere    records of a caller key name documents it does not own; the
                              batch was not written

A :class:`RecordRejected` never escapes :func:`flows.ingest.ingest_paths`: it becomes a
:class:`flows.ingest.Rejection` in the report. Its reason names the problem and, where useful,
positions, sizes and field names — never document text or personal data.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.errors import NightshiftError


class IngestError(NightshiftError):
    """A source could not be read at all, or the ingest was asked something impossible."""


class RecordRejected(IngestError):
    """One record cannot be ingested; ``reason`` says why without quoting the record."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class OwnedElsewhere(IngestError):
    """Records sent for a caller key whose identity (source and external id, or content) is a
    document that key does not own: another key's, or one ingested outside the HTTP API.

    Raised before anything of the batch is written, so the other document stays as it was.
    ``where`` names the records (``item 3``); the message never says whose document it is.
    """

    def __init__(self, where: Sequence[str]) -> None:
        self.where = tuple(where)
        super().__init__(
            f"{', '.join(self.where)}: a document with the same identity (source and external "
            "id) belongs to another caller key; nothing was stored. Send it with another "
            "external_id or source"
        )
