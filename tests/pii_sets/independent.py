"""The independent evaluation sets of the masker, in the shape of the sample generator's records.

Written apart from the masker and its generator, by people who read neither (see
docs/masking.md, "Evidence from text we did not write"):

- ``varied`` (:mod:`varied`): 320 e-mails from a generator of its own — 58 situations, other
  name and street sources, ALL CAPS, OCR'd attachments, transliteration, mixed scripts,
  forwarded chains, shouting — seed 2412;
- ``handwritten`` (``handwritten.txt``, parsed by :mod:`handwritten`): 182 e-mails written one
  by one, with inline labels (``{PERSON|…}``, ``{~ORDER_ID|…}`` for a look-alike);
- ``heldout`` (``heldout.txt``, :mod:`heldout`): 136 more e-mails written one by one by a third
  author (telecom, public services, retail, HR, notary, utilities), kept out of every tuning
  session: scored once, for the figures in docs/masking.md;
- ``heldout2`` (``heldout2.txt``, :mod:`heldout2`): 166 e-mails written one by one by a fourth
  author after ``heldout`` had been read (bank, telecom, utilities, public-service centres; RU,
  KK, EN and mixed, OCR'd attachments, ALL CAPS, transliteration, mixed scripts), never run
  through the masker while written: the unseen set for the next figures.

All give records with ``labels.pii`` and ``labels.lookalikes`` as ``sampledata`` does,
so ``bench/masking.py --set varied|handwritten`` and the tests score them the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INDEPENDENT_SETS = ("varied", "handwritten", "heldout", "heldout2")
VARIED_SEED = 2412
VARIED_COUNT = 320


def independent_records(name: str) -> list[dict[str, Any]]:
    """The records of one independent set (deterministic)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    if name == "varied":
        import varied

        return list(varied.generate(VARIED_COUNT, VARIED_SEED))
    if name == "handwritten":
        import handwritten

        return list(handwritten.load(str(HERE / "handwritten.txt")))
    if name == "heldout":
        import heldout

        return list(heldout.load(str(HERE / "heldout.txt")))
    if name == "heldout2":
        import heldout2

        return list(heldout2.load(str(HERE / "heldout2.txt")))
    raise ValueError(f"unknown set {name!r}; choose one of {', '.join(INDEPENDENT_SETS)}")
