"""When a simulated batch finishes, and what becomes of each of its lines.

A batch's plan is drawn once, when it starts running, from its own generator
(``random.Random(f"{seed}:plan:{batch_id}")``): it depends only on the seed, the batch id
(itself seeded) and the number of lines, never on timing or on the fault sequence of the chat
endpoint. Times are *simulated* seconds counted from ``in_progress``; the batch service turns
them into real seconds with ``batch_time_scale``.

- **Turnaround** ``T``: one draw picks the batch's kind — an overrunning batch
  (``batch_expire_rate``: ``T`` uniform in 1.1–2 windows), a slow one (``batch_slow_rate``:
  ``T`` uniform in 0.5–1 window) or an ordinary one: lognormal with median
  ``batch_turnaround_median_s`` and shape ``batch_turnaround_sigma`` (0: always the median),
  which may itself overrun the window.
- **Lines**: each finishes at ``T × u / max(u)`` (``u`` uniform in (0, 1]: the last one at
  ``T``) and is, in this order of
  intervals: failed with a status code (``batch_line_fail_rate``), an error-only line
  (``batch_line_error_rate``), stuck — never finishing, so the batch runs to the end of its
  window and expires (``batch_expired_line_rate``) — or answered by the completion engine.
  With ``batch_no_output_rate`` a whole batch's lines fail (a completed batch with no output
  file).
- A batch whose plan has a line finishing after the window **expires** at the window's end;
  the lines finished by then are kept.
"""

from __future__ import annotations

import enum
import math
import random
import re
from dataclasses import dataclass

from simulator.config import SimulatorConfig

OVERRUN_RANGE = (1.1, 2.0)
SLOW_RANGE = (0.5, 1.0)
_WINDOW = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Fate(enum.Enum):
    ANSWER = "answer"
    FAIL = "fail"
    ERROR_ONLY = "error_only"
    STUCK = "stuck"


@dataclass(frozen=True)
class LineFate:
    """What happens to one line: its fate, when (simulated s after in_progress), a variant."""

    fate: Fate
    at_s: float
    variant: float


@dataclass(frozen=True)
class BatchPlan:
    turnaround_s: float
    window_s: float
    lines: tuple[LineFate, ...]

    @property
    def expires(self) -> bool:
        """Some line is not finished when the window closes (or the batch itself is not)."""
        return self.turnaround_s > self.window_s or any(
            line.at_s > self.window_s for line in self.lines
        )

    @property
    def end_s(self) -> float:
        """When the batch stops processing: its turnaround, or the window's end if it expires."""
        return self.window_s if self.expires else self.turnaround_s

    def finishes(self, index: int) -> bool:
        """The line at ``index`` finishes within the window."""
        return self.lines[index].at_s <= self.window_s


def parse_window(text: str) -> float:
    """Seconds of a completion window such as ``24h``, ``90m`` or ``30s``; ``ValueError`` else."""
    match = _WINDOW.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"completion_window must look like '24h' (or '90m', '30s'), got {text!r}")
    return float(int(match.group(1)) * _UNIT_S[match.group(2)])


def draw_plan(config: SimulatorConfig, batch_id: str, count: int, window_s: float) -> BatchPlan:
    """The seeded plan of a batch of ``count`` lines with a window of ``window_s``."""
    rng = random.Random(f"{config.seed}:plan:{batch_id}")
    turnaround = _turnaround(config, rng, window_s)
    no_output = rng.random() < config.batch_no_output_rate
    bands = (
        (Fate.FAIL, config.batch_line_fail_rate),
        (Fate.ERROR_ONLY, config.batch_line_error_rate),
        (Fate.STUCK, config.batch_expired_line_rate),
    )
    draws = [(1.0 - rng.random(), rng.random(), rng.random()) for _ in range(count)]
    last = max((share for share, _, _ in draws), default=1.0)
    lines: list[LineFate] = []
    for share, pick, variant in draws:
        fate = Fate.FAIL if no_output else _pick(bands, pick)
        at = math.inf if fate is Fate.STUCK else turnaround * share / last
        lines.append(LineFate(fate, at, variant))
    return BatchPlan(turnaround, window_s, tuple(lines))


def _turnaround(config: SimulatorConfig, rng: random.Random, window_s: float) -> float:
    pick, spread, shape = rng.random(), rng.random(), rng.gauss(0.0, 1.0)
    if pick < config.batch_expire_rate:
        low, high = OVERRUN_RANGE
        return window_s * (low + (high - low) * spread)
    if pick < config.batch_expire_rate + config.batch_slow_rate:
        low, high = SLOW_RANGE
        return window_s * (low + (high - low) * spread)
    return config.batch_turnaround_median_s * math.exp(config.batch_turnaround_sigma * shape)


def _pick(bands: tuple[tuple[Fate, float], ...], pick: float) -> Fate:
    edge = 0.0
    for fate, rate in bands:
        edge += rate
        if pick < edge:
            return fate
    return Fate.ANSWER
