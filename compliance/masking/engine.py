"""The Presidio analyzer nightshift masks with, built once per process.

- NLP engine: Presidio's ``no_op`` engine for ``en``, ``ru`` and ``kk`` — no spaCy model exists
  here and none is downloaded. Names come from natasha (:mod:`.recognizers.persons`) instead.
- Registry: only our recognizers (:func:`.recognizers.recognizers_for`) and the Presidio
  built-ins that need no NLP and pay their way (:mod:`.recognizers.builtin`), for each language.
- Context enhancement: off. Presidio's lemma-based enhancer needs tokens the no-op engine does
  not produce; our recognizers read their own context.
- tldextract (used by the e-mail check) reads its bundled suffix snapshot; nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine

LANGUAGES = ("en", "ru", "kk")
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


class NoContextEnhancer(ContextAwareEnhancer):
    """Leaves scores alone: with the no-op NLP engine there is no context to read."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


def build_analyzer(recognizers: Callable[[str], list[EntityRecognizer]]) -> AnalyzerEngine:
    """An analyzer over ``recognizers(language)`` for each of :data:`LANGUAGES`."""
    nlp_engine = NoOpNlpEngine(
        models=[{"lang_code": lang, "model_name": "no_op"} for lang in LANGUAGES]
    )
    nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=[r for lang in LANGUAGES for r in recognizers(lang)],
        supported_languages=list(LANGUAGES),
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(LANGUAGES),
        context_aware_enhancer=NoContextEnhancer(),
    )


def language_of(text: str) -> str:
    """``kk`` for text with Kazakh letters, ``ru`` for other Cyrillic, else ``en``."""
    if _KAZAKH_LETTERS.search(text):
        return "kk"
    return "ru" if _CYRILLIC.search(text) else "en"
