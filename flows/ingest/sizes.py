"""The one wording of the record size limit, shared by every reader."""

from __future__ import annotations

SETTING = "ingest.max_record_bytes"


def too_large(size: int, limit: int) -> str:
    return (
        f"record is {size:,} bytes, over the limit of {limit:,} bytes; "
        f"split it or raise the setting {SETTING}"
    )
