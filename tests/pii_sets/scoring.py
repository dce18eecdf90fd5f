"""Scoring a masker against labelled records (the sample generator's and the independent sets').

Shared by ``bench/masking.py`` and ``tests/compliance/test_masking_independent.py`` so the figures
in docs/masking.md and the floors the tests hold are computed the same way:

- **recall** of a type: labelled spans every character of which (spaces aside) lies inside a
  detection of the same type; **masked** also counts spans hidden under another type;
- **precision** of a type: detections that overlap a labelled span of the same type;
- **look-alikes kept**: labelled look-alikes that no detection touches;
- names and addresses are also counted by script and by hard case (ALL CAPS, mixed scripts,
  attachment text), for recall only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from compliance.masking import ENTITY_TYPES, Masker, MaskResult

TARGETS = {
    "KZ_IIN": 100.0,
    "KZ_BIN": 100.0,
    "CREDIT_CARD": 100.0,
    "IBAN_CODE": 100.0,
    "PHONE_NUMBER": 100.0,
    "EMAIL_ADDRESS": 100.0,
    "ID_DOC": 100.0,
    "PERSON": 98.0,
    "ADDRESS": 95.0,
}
LOOKALIKES_TARGET = 98.0
_DISPLAY = re.compile(r"^\s*(.*?)\s*<[^<>]+>\s*$")


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


Record = dict[str, Any]
Item = tuple[dict[str, str], str | None]


def parts_of(record: Record) -> dict[str, str]:
    parts = {"from": record["from"], "subject": record["subject"], "body": record["body"]}
    for index, attachment in enumerate(record["attachments"]):
        parts[f"attachments[{index}].text"] = attachment["text"]
    return parts


def sender_of(record: Record) -> str | None:
    match = _DISPLAY.match(record["from"])
    return match.group(1) if match else None


def items_of(records: Sequence[Record]) -> list[Item]:
    return [(parts_of(r), sender_of(r)) for r in records]


class Score:
    """Counts for one entity type (or one name script)."""

    def __init__(self) -> None:
        self.labelled = self.recalled = self.masked = self.detected = self.correct = 0

    def row(self, name: str, target: float | None) -> dict[str, Any]:
        recall = percent(self.recalled, self.labelled)
        return {
            "type": name,
            "labelled": self.labelled,
            "recall": recall,
            "masked": percent(self.masked, self.labelled),
            "detected": self.detected,
            "precision": percent(self.correct, self.detected) if self.detected else None,
            "target": target,
            "met": None if target is None else recall >= target,
        }


class Scoreboard:
    """Scores of every type, the look-alikes, and the misses for ``--misses``."""

    def __init__(self) -> None:
        self.types: dict[str, Score] = defaultdict(Score)
        self.kept = Score()
        self.kept_by_type: dict[str, Score] = defaultdict(Score)
        self.misses: list[str] = []

    def add(self, record: Record, result: MaskResult) -> None:
        same_type: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        any_type: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for e in result.entities:
            same_type[(e.part, e.entity_type)].append((e.start, e.end))
            any_type[e.part].append((e.start, e.end))
        for span in record["labels"]["pii"]:
            self._labelled(record, span, same_type, any_type)
        for e in result.entities:
            self._detected(record, e.part, e.entity_type, e.start, e.end)
        for span in record["labels"]["lookalikes"]:
            self._look_alike(record, span, any_type[span["field"]])

    def rows(self) -> list[dict[str, Any]]:
        order: list[str] = [t for t in ENTITY_TYPES if t in self.types]
        order += sorted(t for t in self.types if "/" in t and self.types[t].labelled)
        return [self.types[t].row(t, TARGETS.get(t.split("/")[0])) for t in order]

    def _labelled(
        self, record: Record, span: dict[str, Any], same_type: Any, any_type: Any
    ) -> None:
        recalled = _covered(span, same_type[(span["field"], span["type"])])
        for key in _slices(span):
            score = self.types[key]
            score.labelled += 1
            score.recalled += recalled
            score.masked += _covered(span, any_type[span["field"]])
        if not recalled:
            self.misses.append(f"MISS  {span['type']:14} {record['external_id']} {span['value']!r}")

    def _detected(self, record: Record, part: str, kind: str, start: int, end: int) -> None:
        truth = [s for s in record["labels"]["pii"] if s["field"] == part and s["type"] == kind]
        ok = any(s["start"] < end and start < s["end"] for s in truth)
        value = parts_of(record)[part][start:end]
        keys = [kind] + ([f"{kind}/{_script_of(value)}"] if kind in ("PERSON", "ADDRESS") else [])
        for key in keys:
            self.types[key].detected += 1
            self.types[key].correct += ok
        if not ok:
            self.misses.append(f"FALSE {kind:14} {record['external_id']} {value!r}")

    def _look_alike(
        self, record: Record, span: dict[str, Any], boxes: list[tuple[int, int]]
    ) -> None:
        untouched = not any(s < span["end"] and span["start"] < e for s, e in boxes)
        self.kept.labelled += 1
        self.kept.recalled += untouched
        self.kept_by_type[span["type"]].labelled += 1
        self.kept_by_type[span["type"]].recalled += untouched
        if not untouched:
            self.misses.append(f"LOST  {span['type']:14} {record['external_id']} {span['value']!r}")


def _slices(span: dict[str, Any]) -> list[str]:
    """The rows a labelled span counts in: its type, its script, and for names and addresses
    the hard cases (ALL CAPS, mixed scripts, attachment text) apart."""
    kind = span["type"]
    keys = [kind]
    if "script" in span and kind in ("PERSON", "ADDRESS"):
        keys.append(f"{kind}/{span['script']}")
        if any(ch.isalpha() for ch in span["value"]) and span["value"].isupper():
            keys.append(f"{kind}/ALL CAPS")
        if span.get("mixed_script"):
            keys.append(f"{kind}/mixed script")
        if span["field"].startswith("attachments"):
            keys.append(f"{kind}/attachment text")
    return keys


def _covered(span: dict[str, Any], boxes: Iterable[tuple[int, int]]) -> bool:
    """Every character of the span but spaces lies in one of the boxes."""
    needed = {span["start"] + i for i, ch in enumerate(span["value"]) if not ch.isspace()}
    for start, end in boxes:
        needed -= set(range(start, end))
    return not needed


def _script_of(value: str) -> str:
    return "cyrillic" if re.search(r"[\u0400-\u04ff]", value) else "latin"


def scoreboard(masker: Masker, records: Sequence[Record]) -> Scoreboard:
    board = Scoreboard()
    for record, result in zip(records, masker.mask_many(items_of(records)), strict=True):
        board.add(record, result)
    return board
