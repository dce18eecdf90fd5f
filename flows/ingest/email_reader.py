"""Emails: ``.eml`` files (RFC 5322) and ``.mbox`` mailboxes (``where`` = ``path#n``, n from 1).

- external id = Message-ID; subject, From (name and address), To, Cc; Date → received_at
  (a date without an offset is taken as UTC; an unparseable date leaves it empty);
- body = the text/plain part, else the text/html part reduced to text;
- attachments: text/* parts with their text; other parts (PDF, images …) cannot be read without
  OCR and are kept by filename only, with empty text, and counted in the report;
- urgent when ``X-Priority`` is 1 or 2, ``Importance: high`` or ``Priority: urgent``.
"""

from __future__ import annotations

import email.errors
import mailbox
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flows.config import IngestConfig
from flows.documents import Attachment, DocumentPayload
from flows.ingest.errors import RecordRejected
from flows.ingest.html_text import html_to_text
from flows.ingest.records import MAX_EXTERNAL_ID, IncomingDocument, Rejection, build_record
from flows.ingest.sizes import too_large
from storage.models import DocumentFormat

_FATAL_DEFECTS = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
_HEADER_ERRORS = (
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    LookupError,
    email.errors.HeaderParseError,
)
_PARSER = BytesParser(policy=policy.default)

Item = IncomingDocument | Rejection


def read_eml(path: Path, config: IngestConfig) -> Iterator[Item]:
    size = path.stat().st_size
    if size > config.max_record_bytes:
        yield Rejection(str(path), too_large(size, config.max_record_bytes))
        return
    yield parse_email(path.read_bytes(), str(path), DocumentFormat.EML)


def read_mbox(path: Path, config: IngestConfig) -> Iterator[Item]:
    box = mailbox.mbox(path, create=False)
    try:
        keys = box.keys()
        if not keys:
            yield Rejection(
                str(path), "no messages in the mbox (it must start with a 'From ' line)"
            )
        for number, key in enumerate(keys, start=1):
            where = f"{path}#{number}"
            data = box.get_bytes(key)
            if len(data) > config.max_record_bytes:
                yield Rejection(where, too_large(len(data), config.max_record_bytes))
            else:
                yield parse_email(data, where, DocumentFormat.MBOX)
    finally:
        box.close()


def parse_email(data: bytes, where: str, format: DocumentFormat) -> Item:
    """One RFC 5322 message as a record, or the reason it cannot be one."""
    try:
        return _parse(data, where, format)
    except RecordRejected as exc:
        return Rejection(where, exc.reason)


def _message(data: bytes) -> EmailMessage:
    """The parsed message; rejected when it is empty, has no headers or a broken structure."""
    if not data.strip():
        raise RecordRejected("unparseable email: the message is empty")
    message = _PARSER.parsebytes(data)
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise RecordRejected("unparseable email: no headers")
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise RecordRejected(f"unparseable email: {type(defect).__name__}")
    return message


def _parse(data: bytes, where: str, format: DocumentFormat) -> IncomingDocument:
    message = _message(data)
    body_part = message.get_body(preferencelist=("plain", "html"))
    name, address = _sender(message)
    payload = DocumentPayload(
        subject=str(_header(message, "subject") or ""),
        body=_text(body_part) if body_part is not None else "",
        from_name=name,
        from_address=address,
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        attachments=tuple(_attachments(message, body_part)),
    )
    return build_record(
        payload,
        where=where,
        format=format,
        size_bytes=len(data),
        external_id=_message_id(message),
        received_at=_date(message),
        urgent=_urgent(message),
    )


def _header(message: EmailMessage, name: str) -> Any:
    try:
        return message[name]
    except _HEADER_ERRORS:
        raise RecordRejected(f"unparseable email: the {name} header cannot be read") from None


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    header = _header(message, "from")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses:
        return None, None
    first = addresses[0]
    return first.display_name or None, first.addr_spec or None


def _addresses(message: EmailMessage, name: str) -> tuple[str, ...]:
    header = _header(message, name)
    if header is None:
        return ()
    return tuple(
        f"{item.display_name} <{item.addr_spec}>" if item.display_name else item.addr_spec
        for item in getattr(header, "addresses", ())
    )


def _message_id(message: EmailMessage) -> str | None:
    header = _header(message, "message-id")
    value = str(header).strip() if header is not None else ""
    if len(value) > MAX_EXTERNAL_ID:
        raise RecordRejected(f"the Message-ID is longer than {MAX_EXTERNAL_ID} characters")
    return value or None


def _date(message: EmailMessage) -> datetime | None:
    header = _header(message, "date")
    value = getattr(header, "datetime", None) if header is not None else None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _urgent(message: EmailMessage) -> bool:
    priority = str(_header(message, "x-priority") or "").strip()
    importance = str(_header(message, "importance") or "").strip().lower()
    urgency = str(_header(message, "priority") or "").strip().lower()
    return priority[:1] in ("1", "2") or importance == "high" or urgency == "urgent"


def _text(part: Message) -> str:
    """A text part's content as str, even with a wrong or unknown charset."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, ValueError, AssertionError):
        raw = part.get_payload(decode=True)
        content = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_subtype() == "html" else content


def _attachments(message: EmailMessage, body_part: Message | None) -> Iterator[Attachment]:
    number = 0
    for part in message.walk():
        if part is body_part or part.is_multipart():
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue  # an alternative rendering of the body, not an attachment
        number += 1
        name = filename or f"attachment-{number}"
        if part.get_content_maintype() == "text":
            yield Attachment(filename=name, text=_text(part))
        else:
            yield Attachment(filename=name, text="", readable=False)
