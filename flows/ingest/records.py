"""The validated record (:class:`IncomingDocument`) and the rejection of a bad one.

Every reader turns its input into either an :class:`IncomingDocument` — normalized, checked and
hashed, ready to store — or a :class:`Rejection` naming where the record was and why it was
skipped. Readers of key/value records (JSONL lines, CSV rows) go through
:func:`record_from_mapping`; the email reader builds a :class:`DocumentPayload` itself and calls
:func:`build_record`.

Record fields: ``body`` (required), ``external_id``, ``received_at`` (ISO 8601; a time without
an offset is taken as UTC), ``from`` ("Name <addr>" or an address), ``to`` and ``cc`` (a string
of addresses or a list), ``subject``, ``attachments`` ([{filename, text}]), ``urgent`` (true/false,
1/0, yes/no) and ``labels`` (an object: ground truth for evaluation). Other keys are ignored and
counted by name in the report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import getaddresses, parseaddr
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flows.documents import Attachment, DocumentPayload
from flows.ingest.errors import RecordRejected
from flows.ingest.normalize import content_hash, normalize_payload
from flows.ingest.sniff import looks_binary
from storage.models import DocumentFormat

MAX_EXTERNAL_ID = 500
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_ADDRESS_SYNTAX = re.compile(r'[,;<>"()]')
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off", ""}


@dataclass(frozen=True)
class Rejection:
    """A record or file that was skipped. ``reason`` never quotes document text."""

    where: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


class IncomingDocument(BaseModel):
    """One record read from a source: normalized, validated and hashed, not yet stored."""

    model_config = ConfigDict(frozen=True)

    where: str
    format: DocumentFormat
    external_id: str | None = None
    received_at: datetime | None = None
    urgent: bool = False
    size_bytes: int = Field(ge=0)
    payload: DocumentPayload
    content_hash: str
    #: Keys of the input record that nightshift does not know (ignored).
    ignored_fields: tuple[str, ...] = ()

    @property
    def unreadable_attachments(self) -> int:
        return sum(1 for item in self.payload.attachments if not item.readable)


def build_record(
    payload: DocumentPayload,
    *,
    where: str,
    format: DocumentFormat,
    size_bytes: int,
    external_id: str | None = None,
    received_at: datetime | None = None,
    urgent: bool = False,
    ignored_fields: tuple[str, ...] = (),
) -> IncomingDocument:
    """Normalize and check ``payload``; raise :class:`RecordRejected` when it cannot be used."""
    payload = normalize_payload(payload)
    texts = [payload.subject, payload.body, *(item.text for item in payload.attachments)]
    if any(looks_binary(text) for text in texts):
        raise RecordRejected("binary content (NUL bytes or mostly control characters)")
    if not payload.body and not any(item.text for item in payload.attachments):
        raise RecordRejected("empty body and no attachment text")
    return IncomingDocument(
        where=where,
        format=format,
        external_id=external_id,
        received_at=received_at,
        urgent=urgent,
        size_bytes=size_bytes,
        payload=payload,
        content_hash=content_hash(payload),
        ignored_fields=ignored_fields,
    )


class _RawAttachment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = "attachment"
    text: str = ""


class _RawRecord(BaseModel):
    """The accepted shape of a JSONL line or CSV row (CSV values already JSON-decoded)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    body: str
    external_id: str | None = None
    received_at: datetime | None = None
    sender: str | None = Field(default=None, alias="from")
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str | None = None
    attachments: tuple[_RawAttachment, ...] = ()
    urgent: bool = False
    labels: dict[str, Any] | None = None

    @field_validator("external_id", mode="before")
    @classmethod
    def _external_id(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = value.strip() or None
            if value is not None and len(value) > MAX_EXTERNAL_ID:
                raise ValueError(f"is longer than {MAX_EXTERNAL_ID} characters")
        return value

    @field_validator("received_at", mode="before")
    @classmethod
    def _received_at(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date-time string")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("is not an ISO 8601 date-time") from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    @field_validator("to", "cc", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str) and not _ADDRESS_SYNTAX.search(value):
            return (value,)  # one bare address: the common case, no parsing needed
        if isinstance(value, str):
            return tuple(
                f"{name} <{addr}>" if name else addr
                for name, addr in getaddresses([value])
                if name or addr
            )
        return value

    @field_validator("attachments", mode="before")
    @classmethod
    def _attachments(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("urgent", mode="before")
    @classmethod
    def _urgent(cls, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("must be true or false (also accepted: 1/0, yes/no)")


def json_problem(exc: json.JSONDecodeError, unit: str = "column") -> str:
    """The parser's message and position, e.g. "Expecting value at column 7" (no input text)."""
    return f"{exc.msg.removesuffix(' at')} at {unit} {exc.colno}"


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            problems.append(f"field {where} is missing")
        else:
            problems.append(f"field {where}: {message}")
    return "invalid record: " + "; ".join(problems)


def _ignored(data: Mapping[str, Any]) -> tuple[str, ...]:
    known = set(_RawRecord.model_fields) | {"from"}
    known.discard("sender")
    names = (key if _FIELD_NAME.match(key) else "<other>" for key in data if key not in known)
    return tuple(sorted(set(names)))


def record_from_mapping(
    data: Mapping[str, Any], *, where: str, format: DocumentFormat, size_bytes: int
) -> IncomingDocument:
    """Validate a key/value record; raise :class:`RecordRejected` with a reason if it is bad."""
    try:
        raw = _RawRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordRejected(_describe(exc)) from None
    name, address = parseaddr(raw.sender) if raw.sender else ("", "")
    payload = DocumentPayload(
        subject=raw.subject or "",
        body=raw.body,
        from_name=name or None,
        from_address=address or None,
        to=raw.to,
        cc=raw.cc,
        attachments=tuple(Attachment(filename=a.filename, text=a.text) for a in raw.attachments),
        labels=raw.labels,
    )
    return build_record(
        payload,
        where=where,
        format=format,
        size_bytes=size_bytes,
        external_id=raw.external_id,
        received_at=raw.received_at,
        urgent=raw.urgent,
        ignored_fields=_ignored(data),
    )
