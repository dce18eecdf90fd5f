"""Masking quality and speed over the labelled sample e-mails.

    python bench/masking.py                       # 2,000 records of seed 101, 1 and 2 workers
    python bench/masking.py --unseen-names        # people the masker's name tables do not hold
    python bench/masking.py --ablation 1000       # what each name detector adds (both name sets)
    python bench/masking.py --misses 20 --no-speed  # print missed spans and false alarms
    python bench/masking.py --json

The ground truth is ``labels.pii`` and ``labels.lookalikes`` of
``service.sample_data.generate_records`` (see docs/sample-data.md). Each record is masked as the
flows mask it: parts ``from`` (the ``Display Name <address>`` line), ``subject``, ``body`` and
``attachments[i].text``, with the display name as ``sender_name``.

- **recall** of a type: labelled spans every character of which (spaces aside) lies inside a
  detection of the same type; **masked** also counts spans hidden under another type.
- **precision** of a type: detections that overlap a labelled span of the same type.
- **look-alikes kept**: request/contract numbers, amounts, deadlines, hotlines and masked cards
  that no detection touches.
- **throughput**: documents/s of ``Masker.mask_many`` with every recognizer on, in one process
  and in a pool of ``--workers`` (default 2); pool start-up and masker load are reported apart.
- ``--unseen-names`` swaps the generator's people for names in none of the masker's tables
  (``bench/unseen_names.py``): the honest figure for people the tables do not know.

The tests use seed 7 and hand-written texts; these figures use seed 101.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, machine, percent, say
from name_negatives import NEGATIVES
from unseen_names import known_to_the_masker, unseen_names

from compliance.masking import ENTITY_TYPES, Masker, MaskResult
from compliance.masking.names import NameBook
from compliance.masking.recognizers import name_rules, persons
from service.sample_data import generate_records

TARGETS = {
    "KZ_IIN": 100.0,
    "KZ_BIN": 100.0,
    "CREDIT_CARD": 100.0,
    "IBAN_CODE": 100.0,
    "PHONE_NUMBER": 100.0,
    "EMAIL_ADDRESS": 100.0,
    "ID_DOC": 100.0,
    "PERSON": 95.0,
    "ADDRESS": 90.0,
}
LOOKALIKES_TARGET = 98.0
_DISPLAY = re.compile(r"^\s*(.*?)\s*<[^<>]+>\s*$")
_NEVER = re.compile(r"(?!x)x")

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


def records_of(count: int, seed: int, *, unseen: bool) -> list[Record]:
    with unseen_names() if unseen else ExitStack():
        return list(generate_records(count, seed))


# -- scoring -------------------------------------------------------------------------------


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
            "precision": percent(self.correct, self.detected),
            "target": target,
            "met": None if target is None else recall >= target,
        }


class Scoreboard:
    """Scores of every type, the look-alikes, and the misses for ``--misses``."""

    def __init__(self) -> None:
        self.types: dict[str, Score] = defaultdict(Score)
        self.kept = Score()
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
        order += [t for t in ("PERSON/cyrillic", "PERSON/latin") if t in self.types]
        return [self.types[t].row(t, TARGETS.get(t.split("/")[0])) for t in order]

    def _labelled(
        self, record: Record, span: dict[str, Any], same_type: Any, any_type: Any
    ) -> None:
        recalled = _covered(span, same_type[(span["field"], span["type"])])
        keys = [span["type"]] + ([f"PERSON/{span['script']}"] if "script" in span else [])
        for key in keys:
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
        keys = [kind] + ([f"PERSON/{_script_of(value)}"] if kind == "PERSON" else [])
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
        if not untouched:
            self.misses.append(f"LOST  {span['type']:14} {record['external_id']} {span['value']!r}")


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


# -- what each name detector adds ----------------------------------------------------------


@contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, saved)


def _off(stack: ExitStack, *switches: str) -> None:
    patches: dict[str, Callable[[], Any]] = {
        "context": lambda: _patched(name_rules, "CONTEXT_RULES", ()),
        "shape": lambda: _patched(name_rules, "ANY_RUN", _NEVER),
        "pairs": lambda: _patched(name_rules, "find_capitalized_pairs", lambda text: iter(())),
        "neighbours": lambda: _patched(NameBook, "learn_neighbours", lambda self, text: None),
        "ner": lambda: _patched(persons, "CYRILLIC", _NEVER),
    }
    for switch in switches:
        stack.enter_context(patches[switch]())


#: (variant, detectors switched off); each adds one detector to the one above it.
VARIANTS = (
    ("sender name only (+ natasha on Cyrillic)", ("context", "shape", "pairs", "neighbours")),
    ("+ context rules (greeting, sign-off, header, label)", ("shape", "pairs", "neighbours")),
    ("+ first-name tables and name shapes", ("pairs", "neighbours")),
    ("+ capitalized pairs in mid-sentence", ("neighbours",)),
    ("+ neighbours of known names (full masker)", ()),
    ("full masker without natasha", ("ner",)),
)


def ablation(masker: Masker, count: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for unseen in (False, True):
        records = records_of(count, seed, unseen=unseen)
        for variant, switches in VARIANTS:
            with ExitStack() as stack:
                _off(stack, *switches)
                board = scoreboard(masker, records)
                false_names = _false_names(masker)
            row: dict[str, Any] = {"names": "unseen" if unseen else "sample", "variant": variant}
            for script in ("cyrillic", "latin"):
                score = board.types[f"PERSON/{script}"]
                row[script] = {
                    "recall": percent(score.recalled, score.labelled),
                    "precision": percent(score.correct, score.detected),
                }
            row["false_names"] = false_names
            rows.append(row)
    return rows


def _false_names(masker: Masker) -> list[str]:
    """The "persons" a variant finds in :data:`NEGATIVES` (sentences without people)."""
    found = []
    for sentence in NEGATIVES:
        result = masker.mask({"body": sentence})
        found += [sentence[e.start : e.end] for e in result.entities if e.entity_type == "PERSON"]
    return found


# -- speed ---------------------------------------------------------------------------------


def throughput(masker: Masker, items: list[Item], workers: int) -> dict[str, float]:
    started = time.perf_counter()
    masker.mask_many(items[:8], workers=workers)  # warm-up, and the pool's start-up
    ready = time.perf_counter()
    masker.mask_many(items, workers=workers)
    elapsed = time.perf_counter() - ready
    return {
        "workers": workers,
        "documents": len(items),
        "seconds": round(elapsed, 3),
        "documents_per_s": round(len(items) / elapsed, 1),
        "ms_per_document": round(1000 * elapsed / len(items), 2),
        "startup_s": round(ready - started, 2),
    }


# -- report --------------------------------------------------------------------------------


def quality_lines(rows: list[dict[str, Any]], kept: dict[str, Any]) -> Iterator[str]:
    yield "| type | labelled | recall % | masked % | detected | precision % | target |"
    yield "|---|---:|---:|---:|---:|---:|---|"
    for r in [*rows, kept]:
        target = "" if r["target"] is None else f"≥ {r['target']:g} % ({_verdict(r['met'])})"
        detected = "" if r is kept else r["detected"]
        precision = "" if r is kept else f"{r['precision']:.2f}"
        masked = "" if r is kept else f"{r['masked']:.2f}"
        yield (
            f"| {r['type']} | {r['labelled']} | {r['recall']:.2f} | {masked} | {detected} | "
            f"{precision} | {target} |"
        )


def speed_lines(speed: list[dict[str, Any]]) -> Iterator[str]:
    yield "| workers | documents | documents/s | ms/document | pool start-up s |"
    yield "|---:|---:|---:|---:|---:|"
    for s in speed:
        yield (
            f"| {s['workers']} | {s['documents']} | {s['documents_per_s']} | "
            f"{s['ms_per_document']} | {s['startup_s']} |"
        )


def ablation_lines(rows: list[dict[str, Any]]) -> Iterator[str]:
    yield (
        "| names | detectors | Cyrillic recall / precision % | Latin recall / precision % "
        f"| false names in {len(NEGATIVES)} sentences without people |"
    )
    yield "|---|---|---:|---:|---|"
    for r in rows:
        cyr, lat = r["cyrillic"], r["latin"]
        false = ", ".join(r["false_names"]) or "none"
        yield (
            f"| {r['names']} | {r['variant']} | {cyr['recall']:.2f} / {cyr['precision']:.2f} | "
            f"{lat['recall']:.2f} / {lat['precision']:.2f} | {len(r['false_names'])}: {false} |"
        )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--unseen-names", action="store_true", help="see bench/unseen_names.py")
    parser.add_argument("--ablation", type=int, default=0, metavar="N", help="on N records")
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    assert not known_to_the_masker(), known_to_the_masker()
    records = records_of(args.count, args.seed, unseen=args.unseen_names)
    started = time.perf_counter()
    masker = Masker.load()
    load_s = round(time.perf_counter() - started, 2)
    say(args, f"masker loaded in {load_s} s; scoring {len(records)} records ...")
    board = scoreboard(masker, records)
    rows, kept = board.rows(), board.kept.row("look-alikes kept", LOOKALIKES_TARGET)
    result: dict[str, Any] = {
        "records": args.count,
        "seed": args.seed,
        "unseen_names": args.unseen_names,
        "masker": masker.version,
        "load_s": load_s,
        "types": rows,
        "lookalikes": kept,
    }
    lines = [*quality_lines(rows, kept), *_optional_parts(args, masker, records, result)]
    masker.close()
    result["machine"] = machine()
    names = "unseen names" if args.unseen_names else "sample names"
    lines.append(
        f"\n{masker.version}, load {load_s} s; {args.count} records, seed {args.seed}, {names}"
    )
    lines.append(f"machine: {result['machine']}")
    if args.misses:
        counts = Counter(" ".join(m.split()[:2]) for m in board.misses)
        lines += ["", *(f"{what}: {n}" for what, n in counts.most_common())]
        lines += board.misses[: args.misses]
    emit(args, result, lines)
    return 0


def _optional_parts(
    args: argparse.Namespace, masker: Masker, records: list[Record], result: dict[str, Any]
) -> Iterator[str]:
    """The ablation and the throughput, when asked for; their numbers go into ``result``."""
    if args.ablation:
        say(args, f"ablation on {args.ablation} records, sample and unseen names ...")
        result["ablation"] = ablation(masker, args.ablation, args.seed)
        yield from ["", *ablation_lines(result["ablation"])]
    if not args.no_speed:
        say(args, "throughput ...")
        items = items_of(records)
        result["throughput"] = [throughput(masker, items, w) for w in sorted({1, args.workers})]
        yield from ["", *speed_lines(result["throughput"])]


if __name__ == "__main__":
    raise SystemExit(main())
