"""Token estimate of the simulator (no tokenizer, on purpose).

A text costs ``ceil(utf8_bytes / 4)`` tokens. A prompt costs, for every message, the tokens of
its text content plus 4 (role and framing). A completion costs the tokens of the produced
content; an empty completion costs 0. ``max_tokens`` truncates the content to ``4 × max_tokens``
UTF-8 bytes (on a character boundary), so a truncated answer never exceeds the limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

BYTES_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4


def text_tokens(text: str) -> int:
    """Tokens of one text: ``ceil(utf8_bytes / 4)``."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def prompt_tokens(message_texts: Iterable[str]) -> int:
    """Tokens of a prompt given the text of each message."""
    return sum(text_tokens(text) + TOKENS_PER_MESSAGE for text in message_texts)


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` whose estimate is at most ``max_tokens``."""
    encoded = text.encode("utf-8")
    limit = max_tokens * BYTES_PER_TOKEN
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
