"""natasha's model run by :class:`NerRunner` gives natasha's own spans and scores, bit for bit.

The runner exists for speed only (docs/benchmarks.md, issue 12): any difference from natasha's
tagger would be a change in what is masked, so the two are compared on every text of the
``handwritten`` set (whole parts and the sentences the masker hands natasha) and on edge cases.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from slovnet.token import tokenize

from compliance.masking.recognizers.name_rules import name_view
from compliance.masking.recognizers.ner_runner import NerRunner
from compliance.masking.recognizers.persons import sentences_for_ner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pii_sets"))
from independent import independent_records
from scoring import items_of


@cache
def _natasha() -> Any:
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


def _texts() -> list[str]:
    texts = []
    for parts, _ in items_of(independent_records("handwritten")):
        for text in parts.values():
            if text.strip():
                sentences = sentences_for_ner(name_view(text))
                texts += [text, "\n".join(sentence for _, sentence in sentences)]
    return [text for text in texts if text.strip()]


EDGE_CASES = [
    "Иван",
    "Звонила Жанар Ахметова.",
    "  Здравствуйте,   Мирон   Прохорович!  ",
    "АЙГҮЛ СЕРІКҚЫЗЫ\nЖАҚСЫЛЫҚОВ ДАРХАН",
    "Письмо от <pad> и <unk>: Болат Сейткали, ИИН 880412300123.",
    "Мы в Алматы, ул. Абая 150, а менеджер Ерлан Кусаинов в Астане.",
    "— Ок.\n— Да!\n— Нет?",
    "!!!",
]


def _spans(tagger: Any, text: str) -> list[tuple[int, int, str]]:
    return [(span.start, span.stop, span.type) for span in tagger(text).spans]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_the_runner_finds_natashas_spans_in_edge_cases(text: str) -> None:
    tagger = _natasha()
    assert NerRunner(tagger)(text) == _spans(tagger, text)


def test_the_runner_finds_natashas_spans_and_scores_on_a_set_written_apart() -> None:
    tagger = _natasha()
    runner = NerRunner(tagger)
    texts = _texts()
    assert len(texts) > 300
    found = 0
    for text in texts:
        spans = runner(text)
        assert spans == _spans(tagger, text), text[:60]
        found += len(spans)
        words = [token.text for token in tokenize(text)]
        batch = next(iter(tagger.infer.encoder([words])))
        expected = tagger.infer.model(batch.word_id, batch.shape_id, batch.pad_mask)
        scores = runner.emissions(*runner._ids(words))
        assert scores.dtype == expected.dtype
        assert np.array_equal(scores, expected), text[:60]
    assert found > 100  # natasha found names: the comparison is not of empty lists
