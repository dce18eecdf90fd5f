"""Token estimates before a call, for pacing and limits (the provider's usage settles it after).

The estimate is deliberately simple — UTF-8 bytes / 4 plus a per-message overhead — and the gateway
corrects it per route with the ratio of reported to estimated prompt tokens it has seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

BYTES_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4


def estimate_tokens(messages: Iterable[Mapping[str, str]]) -> int:
    total = 0
    for message in messages:
        size = len(message.get("content", "").encode("utf-8"))
        total += -(-size // BYTES_PER_TOKEN) + MESSAGE_OVERHEAD
    return max(total, 1)


class EstimateCalibration:
    """A running ratio of reported to estimated prompt tokens (exponential moving average)."""

    def __init__(self, alpha: float = 0.1) -> None:
        self._alpha = alpha
        self.ratio = 1.0
        self.samples = 0

    def observe(self, estimated: int, reported: int) -> None:
        if estimated <= 0 or reported <= 0:
            return
        sample = reported / estimated
        self.ratio = (
            sample if self.samples == 0 else self.ratio + self._alpha * (sample - self.ratio)
        )
        self.samples += 1

    def correct(self, estimated: int) -> int:
        return max(int(estimated * self.ratio + 0.5), 1)
