"""Telling text from binary content, for whole files and for single records.

A file is binary when its first :data:`SAMPLE_BYTES` bytes hold a NUL byte or are mostly control
characters; a record's text is binary by the same rule. UTF-16 files (NUL-rich) get a hint to
save them as UTF-8.
"""

from __future__ import annotations

import re

SAMPLE_BYTES = 8192
#: More than this share of control characters makes content binary.
CONTROL_SHARE = 0.30

#: Control characters that ordinary text carries: \b \t \n \v \f \r and ESC.
_TEXT_CONTROL_BYTES = {0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}
#: C0 and C1 control characters other than those.
_CONTROL_CHARS = re.compile("[\x00-\x07\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def binary_file_reason(sample: bytes) -> str | None:
    """Why a file starting with ``sample`` is binary, or None when it looks like text."""
    if sample.startswith(_UTF16_BOMS):
        return "binary file (UTF-16 text; save it as UTF-8)"
    if b"\x00" in sample:
        return "binary file"
    if not sample:
        return None
    controls = sum(1 for byte in sample if _is_control_byte(byte))
    if controls / len(sample) > CONTROL_SHARE:
        return "binary file"
    return None


def _is_control_byte(byte: int) -> bool:
    return (byte < 0x20 and byte not in _TEXT_CONTROL_BYTES) or byte == 0x7F


def looks_binary(text: str) -> bool:
    """True when ``text`` holds a NUL or is mostly control characters."""
    if "\x00" in text:
        return True
    if not text or not _CONTROL_CHARS.search(text):
        return False
    controls = len(text) - len(_CONTROL_CHARS.sub("", text))
    return controls / len(text) > CONTROL_SHARE
