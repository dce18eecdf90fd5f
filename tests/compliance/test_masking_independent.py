"""The masker on text nobody tuned it on: the independent sets of tests/pii_sets.

``varied`` (320 e-mails of a generator written apart from the masker) and ``handwritten`` (182
e-mails written one by one) are scored as ``bench/masking.py --set …`` scores them; the floors
below are the figures docs/masking.md reports, so a change that loses recall or masks
look-alikes fails here. The third set, ``heldout``, was scored once unseen and then tuned on
(its misses read in the second round), so it has floors too. The fourth, ``heldout2``, written
after ``heldout`` had been read, is the unseen one now: the benchmark scores it, and it is
checked here for its form only (it parses, every label is well-formed); no floors, so nobody
tunes on it by making a test pass.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compliance.masking import Masker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pii_sets"))
from independent import independent_records
from scoring import Scoreboard, scoreboard

#: Recall floors (%) per set and row, and the share of look-alikes kept.
FLOORS: dict[str, dict[str, float]] = {
    "varied": {
        "PERSON": 98.0,
        "PERSON/ALL CAPS": 98.0,
        "PERSON/mixed script": 98.0,
        "PERSON/attachment text": 98.0,
        "EMAIL_ADDRESS": 100.0,
        "CREDIT_CARD": 100.0,
        "IBAN_CODE": 100.0,
        "KZ_BIN": 100.0,
        "ID_DOC": 100.0,
        "PHONE_NUMBER": 100.0,
        "DATE_OF_BIRTH": 100.0,
        "KZ_IIN": 100.0,
        "ADDRESS": 99.5,
        "look-alikes kept": 99.5,
    },
    "handwritten": {
        "PERSON": 98.0,
        "EMAIL_ADDRESS": 100.0,
        "CREDIT_CARD": 100.0,
        "IBAN_CODE": 100.0,
        "KZ_BIN": 100.0,
        "PHONE_NUMBER": 100.0,
        "KZ_IIN": 100.0,
        "ID_DOC": 100.0,
        "DATE_OF_BIRTH": 100.0,
        "ADDRESS": 96.5,
        "look-alikes kept": 98.5,
    },
    # Tuned on since heldout2 was written (its misses were read in the second round).
    "heldout": {
        "PERSON": 96.5,
        "EMAIL_ADDRESS": 100.0,
        "CREDIT_CARD": 100.0,
        "IBAN_CODE": 100.0,
        "KZ_BIN": 100.0,
        "PHONE_NUMBER": 100.0,
        "KZ_IIN": 100.0,
        "ID_DOC": 100.0,
        "DATE_OF_BIRTH": 100.0,
        "ADDRESS": 98.5,
        "look-alikes kept": 98.5,
    },
}


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


def _recall(board: Scoreboard) -> dict[str, float]:
    rows: list[dict[str, Any]] = board.rows()
    recall = {row["type"]: row["recall"] for row in rows}
    recall["look-alikes kept"] = board.kept.row("look-alikes kept", None)["recall"]
    return recall


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_masker_holds_its_floors_on_a_set_written_apart_from_it(
    masker: Masker, name: str
) -> None:
    records = independent_records(name)
    recall = _recall(scoreboard(masker, records))

    below = {
        row: (recall.get(row, 0.0), floor)
        for row, floor in FLOORS[name].items()
        if recall.get(row, 0.0) < floor
    }
    assert below == {}, f"{name}: (measured, floor) {below}"


def test_the_sets_are_what_they_claim_to_be() -> None:
    """Offsets, checksums and sizes, checked by each set's own ``check``."""
    import handwritten
    import varied

    varied.check(independent_records("varied"))
    handwritten.check(independent_records("handwritten"), verbose=False)
    assert len(independent_records("heldout")) >= 130


def test_the_second_held_out_set_parses_and_every_label_is_well_formed() -> None:
    """Offsets, types, checksums (IIN after its label only, BIN, Luhn, IBAN mod-97), no
    overlaps, the four languages, at least 160 e-mails, checked by ``heldout``'s ``check``."""
    import heldout2

    records = independent_records("heldout2")

    assert len(records) >= 160
    assert {r["meta"]["language"] for r in records} == {"ru", "kk", "en", "mixed"}
    assert heldout2.check(records, verbose=False)


def test_the_held_out_check_fails_on_a_label_that_does_not_match_its_text() -> None:
    import heldout2

    records = independent_records("heldout2")
    label = records[0]["labels"]["pii"][0]
    label["end"] += 1

    assert not heldout2.check(records, verbose=False)
