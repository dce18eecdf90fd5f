"""Ingest: read .jsonl, .csv, .eml and .mbox sources into the documents table, encrypted.

``ingest_paths(sessions, keyring, paths, source=...)`` reads files and folders and returns an
:class:`IngestReport` (new, changed, unchanged, rejected with reasons). Every later step reads a
document's text through :func:`flows.documents.open_payload`. See ``docs/ingest.md``.
"""

from flows.documents import DocumentPayload, open_payload
from flows.ingest.errors import IngestError, OwnedElsewhere, RecordRejected
from flows.ingest.normalize import content_hash, identity_key, normalize_text
from flows.ingest.readers import READERS, list_files, read_file
from flows.ingest.records import IncomingDocument, Rejection, build_record, record_from_mapping
from flows.ingest.store import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SOURCE,
    DocumentWriter,
    IngestProgress,
    IngestReport,
    check_source,
    ingest_paths,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_SOURCE",
    "READERS",
    "DocumentPayload",
    "DocumentWriter",
    "IncomingDocument",
    "IngestError",
    "IngestProgress",
    "IngestReport",
    "OwnedElsewhere",
    "RecordRejected",
    "Rejection",
    "build_record",
    "check_source",
    "content_hash",
    "identity_key",
    "ingest_paths",
    "list_files",
    "normalize_text",
    "open_payload",
    "read_file",
    "record_from_mapping",
]
