"""Detections inside one text, and how overlapping ones are settled.

Recognizers overlap: a card number inside an IBAN, a street named after a person inside an
address, a name found both by natasha and by the sender's name. Overlapping detections are merged
into one span covering all of them (masking more never leaks), typed after the strongest
member: the longest, then the highest score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Detection:
    """``entity_type`` at ``text[start:end]``; ``person`` indexes the document's NameBook."""

    entity_type: str
    start: int
    end: int
    score: float
    person: int | None = None

    @property
    def rank(self) -> tuple[int, float]:
        return self.end - self.start, self.score


def settle(detections: Iterable[Detection]) -> list[Detection]:
    """Non-overlapping detections in text order, each overlap merged into its strongest member."""
    settled: list[Detection] = []
    group: list[Detection] = []
    group_end = -1
    for detection in sorted(detections, key=lambda d: (d.start, -d.end)):
        if group and detection.start >= group_end:
            settled.append(_merged(group))
            group = []
        group.append(detection)
        group_end = max(group_end, detection.end) if len(group) > 1 else detection.end
    if group:
        settled.append(_merged(group))
    return settled


def _merged(group: list[Detection]) -> Detection:
    strongest = max(group, key=lambda d: d.rank)
    start = min(d.start for d in group)
    end = max(d.end for d in group)
    return Detection(strongest.entity_type, start, end, strongest.score, strongest.person)
