"""Writing sample records in the formats nightshift ingests: JSONL, CSV, .eml files and mbox.

JSONL and CSV keep the labels (CSV as JSON strings); .eml and mbox are plain RFC 5322 mail
and carry no labels, like real mail. Every writer streams and returns the number written.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.policy
import json
import mailbox
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

Record = Mapping[str, Any]

CSV_COLUMNS = (
    "external_id",
    "received_at",
    "from",
    "to",
    "subject",
    "body",
    "urgent",
    "attachments",
    "labels",
)
MESSAGE_ID_DOMAIN = "samples.nightshift.invalid"
MBOX_SENDER = "sample@nightshift.invalid"
# Headers are written unfolded: Python's folder splits a non-ASCII display name or subject into
# several encoded words at arbitrary points, and its parser then reads them back with an extra
# space ("Ерлан овна"). Unfolded lines stay far below the RFC 5322 limit of 998 characters.
WIRE_POLICY = email.policy.default.clone(max_line_length=None)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_jsonl(records: Iterable[Record], path: Path) -> int:
    """One JSON object per line, UTF-8, keys in record order."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(_json(record) + "\n")
            count += 1
    return count


def write_csv(records: Iterable[Record], path: Path) -> int:
    """CSV with a header row; ``urgent`` is ``true``/``false``, attachments and labels are JSON."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for record in records:
            row = [record[c] for c in CSV_COLUMNS[:6]]
            row += [_json(record["urgent"]), _json(record["attachments"]), _json(record["labels"])]
            writer.writerow(row)
            count += 1
    return count


def to_email_message(record: Record) -> EmailMessage:
    """The record as an RFC 5322 message: text/plain UTF-8 body, text attachments, no labels."""
    message = EmailMessage()
    message["From"] = record["from"]
    message["To"] = record["to"]
    message["Subject"] = record["subject"]
    message["Date"] = format_datetime(dt.datetime.fromisoformat(record["received_at"]))
    message["Message-ID"] = f"<{record['external_id']}@{MESSAGE_ID_DOMAIN}>"
    if record["urgent"]:
        message["Importance"] = "high"
        message["X-Priority"] = "1"
    message.set_content(record["body"], subtype="plain", charset="utf-8")
    for attachment in record["attachments"]:
        message.add_attachment(
            attachment["text"], subtype="plain", charset="utf-8", filename=attachment["filename"]
        )
    return message


def write_eml_dir(records: Iterable[Record], directory: Path) -> int:
    """One ``<external_id>.eml`` file per record in ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in records:
        data = to_email_message(record).as_bytes(policy=WIRE_POLICY)
        (directory / f"{record['external_id']}.eml").write_bytes(data)
        count += 1
    return count


def write_mbox(records: Iterable[Record], path: Path) -> int:
    """An mbox file (replacing ``path``); the "From " lines carry the received time."""
    path.unlink(missing_ok=True)
    box = mailbox.mbox(path, create=True)
    box.lock()
    count = 0
    try:
        for record in records:
            received = dt.datetime.fromisoformat(record["received_at"]).astimezone(dt.UTC)
            from_line = f"From {MBOX_SENDER} {received:%a %b %d %H:%M:%S %Y}\n".encode()
            box.add(from_line + to_email_message(record).as_bytes(policy=WIRE_POLICY))
            count += 1
        box.flush()
    finally:
        box.unlock()
        box.close()
    return count
