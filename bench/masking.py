"""Masking quality and speed over the labelled sample e-mails.

    python bench/masking.py                       # 2,000 records of seed 101, 1 and 2 workers
    python bench/masking.py --unseen-names        # people the masker's name tables do not hold
    python bench/masking.py --ablation 1000       # what each name detector adds (both name sets)
    python bench/masking.py --misses 20 --no-speed  # print missed spans and false alarms
    python bench/masking.py --json

The ground truth is ``labels.pii`` and ``labels.lookalikes`` of
``sampledata.generate_records`` (see docs/sample-data.md). Each record is masked as the
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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, machine, percent, say
from name_negatives import NEGATIVES
from unseen_names import known_to_the_masker, unseen_names

from compliance.masking import Masker
from compliance.masking.names import NameBook
from compliance.masking.recognizers import name_rules, persons
from sampledata import generate_records

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "pii_sets"))
from independent import INDEPENDENT_SETS, independent_records
from scoring import (
    LOOKALIKES_TARGET,
    Item,
    Record,
    items_of,
    scoreboard,
)

_NEVER = re.compile(r"(?!x)x")


def records_of(count: int, seed: int, *, unseen: bool) -> list[Record]:
    with unseen_names() if unseen else ExitStack():
        return list(generate_records(count, seed))


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
        precision = "" if r is kept or r["precision"] is None else f"{r['precision']:.2f}"
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
    parser.add_argument(
        "--set",
        choices=("sample", *INDEPENDENT_SETS),
        default="sample",
        help="sample: the generator (--count, --seed); varied, handwritten: the independent "
        "sets of tests/pii_sets (--seed ignored for handwritten)",
    )
    parser.add_argument("--unseen-names", action="store_true", help="see bench/unseen_names.py")
    parser.add_argument("--ablation", type=int, default=0, metavar="N", help="on N records")
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    assert not known_to_the_masker(), known_to_the_masker()
    if args.set == "sample":
        records = records_of(args.count, args.seed, unseen=args.unseen_names)
    else:
        records = independent_records(args.set)
        args.count, args.seed = len(records), None
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
    if args.set != "sample":
        names = f"the independent set {args.set!r} (tests/pii_sets)"
        result["set"] = args.set
        result["lookalikes_by_type"] = {
            kind: score.row(kind, None) for kind, score in sorted(board.kept_by_type.items())
        }
        lines.append(
            "\nlook-alikes kept by type: "
            + ", ".join(
                f"{kind} {score.recalled}/{score.labelled}"
                for kind, score in sorted(board.kept_by_type.items())
            )
        )
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
