"""Fault injection: which admitted request fails, hangs, or answers badly.

One ``random.Random(seed)`` per app draws exactly two numbers for every admitted request, so
the sequence of faults depends only on the seed and the order of requests. The first number
picks the fault over consecutive intervals (server error, hang, malformed, empty, none), the
second its variant (500 or 503; truncated JSON or trailing garbage). Rate-limited and invalid
requests draw nothing: they are never also a fault.

A request with ``service_tier: "flex"`` first draws one number from a second generator (seeded
from the same seed, apart from the first so the fault sequence stays that of the seed): below
``flex_unavailable_rate`` it is answered 429 "resource unavailable", as OpenAI answers a flex
request it has no capacity for, and draws no fault.
"""

from __future__ import annotations

import enum
import json
import random
from dataclasses import dataclass

from simulator.config import SimulatorConfig


class Fault(enum.Enum):
    NONE = "none"
    SERVER_ERROR = "server_error"
    HANG = "hang"
    MALFORMED = "malformed"
    EMPTY = "empty"


@dataclass(frozen=True)
class FaultDraw:
    """The fault chosen for one request and the number that picks its variant."""

    fault: Fault
    variant: float

    @property
    def status(self) -> int:
        """HTTP status of a server error: 500 or 503 (even odds)."""
        return 503 if self.variant < 0.5 else 500


class FaultInjector:
    """Draws faults from a seeded generator; :meth:`reseed` restarts the sequence."""

    def __init__(self, config: SimulatorConfig) -> None:
        self._seed = config.seed
        self._random = random.Random(config.seed)
        self._flex_rate = config.flex_unavailable_rate
        self._flex = random.Random(_flex_seed(config.seed))
        self._bands = (
            (Fault.SERVER_ERROR, config.fail_rate),
            (Fault.HANG, config.hang_rate),
            (Fault.MALFORMED, config.malformed_rate),
            (Fault.EMPTY, config.empty_rate),
        )

    def draw(self) -> FaultDraw:
        pick, variant = self._random.random(), self._random.random()
        edge = 0.0
        for fault, rate in self._bands:
            edge += rate
            if pick < edge:
                return FaultDraw(fault, variant)
        return FaultDraw(Fault.NONE, variant)

    def flex_unavailable(self) -> bool:
        """Whether this flex request finds no capacity (one draw per admitted flex request)."""
        return self._flex.random() < self._flex_rate

    def reseed(self) -> None:
        self._random = random.Random(self._seed)
        self._flex = random.Random(_flex_seed(self._seed))


def _flex_seed(seed: int) -> str:
    return f"flex-{seed}"


def corrupt_json(text: str, variant: float) -> str:
    """Make valid JSON invalid: cut it mid-way, or append trailing garbage."""
    if variant < 0.5 and len(text) > 1:
        cut = text[: max(1, int(len(text) * (0.3 + 0.4 * variant)))]
        if not _parses(cut):
            return cut
    return text + ' "}\n<|end|> ...'


def garble_text(text: str, variant: float) -> str:
    """Make a plain-text answer unusable: reversed words and replacement characters."""
    words = text.split()
    garbled = " ".join(word[::-1] for word in words)
    cut = max(1, int(len(garbled) * (0.4 + 0.4 * variant)))
    return garbled[:cut] + " \ufffd\ufffd \x1b[0m<|endoftext|>"


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
