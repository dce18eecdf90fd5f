"""The Presidio analyzer nightshift masks with, built once per process.

- NLP engine: Presidio's ``no_op`` engine for ``en``, ``ru`` and ``kk`` — no spaCy model exists
  here and none is downloaded. Names come from natasha (:mod:`.recognizers.persons`) instead.
- Registry: only our recognizers (:func:`.recognizers.recognizers_for`) and the Presidio
  built-ins that need no NLP and pay their way (:mod:`.recognizers.builtin`), for each language.
- Context enhancement: off. Presidio's lemma-based enhancer needs tokens the no-op engine does
  not produce; our recognizers read their own context.
- tldextract (used by the e-mail check) reads its bundled suffix snapshot; nothing is fetched.
- Per call, :class:`Analyzer` runs the registry's recognizers and Presidio's own score filter
  and de-duplication, and skips the steps that cannot change a result here (the no-op NLP
  pass, per-recognizer context enhancement, the registry lookups), which cost more than some
  recognizers on short texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine

from compliance.masking.recognizers.base import FinderRecognizer

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


class Analyzer:
    """Presidio's ``AnalyzerEngine.analyze`` for our registry, with the same results.

    The engine's own call also runs the NLP engine (here the no-op one: a spaCy ``Doc`` no
    recognizer reads), looks the recognizers and entities up again, and asks every recognizer
    and the context enhancer to enhance scores (none of ours does: checked here, else the
    engine's call is used). What is left is what decides the results: each recognizer's
    matches, the score thresholds, and ``EntityRecognizer.remove_duplicates``.
    """

    def __init__(self, engine: AnalyzerEngine) -> None:
        self.engine = engine
        self._plans = {language: self._plan(language) for language in LANGUAGES}
        self._lean = isinstance(engine.context_aware_enhancer, NoContextEnhancer) and all(
            _reads_no_context(recognizer)
            for recognizers, _ in self._plans.values()
            for recognizer, _ in recognizers
        )

    def _plan(
        self, language: str
    ) -> tuple[list[tuple[EntityRecognizer, dict[str, float]]], list[str]]:
        recognizers = self.engine.registry.get_recognizers(language=language, all_fields=True)
        entities = self.engine.get_supported_entities(language=language)
        return [(r, r.score_thresholds) for r in recognizers], entities

    def analyze(self, text: str, language: str) -> list[RecognizerResult]:
        if not self._lean:
            return self.engine.analyze(text=text, language=language)
        recognizers, entities = self._plans[language]
        default = self.engine.default_score_threshold
        results: list[RecognizerResult] = []
        for recognizer, thresholds in recognizers:
            found = recognizer.analyze(text, entities, None)  # type: ignore[arg-type]  # see _lean
            for result in found:
                threshold = thresholds.get(result.entity_type, thresholds.get("default", default))
                if result.score >= threshold:
                    results.append(result)
        return EntityRecognizer.remove_duplicates(results)


def _reads_no_context(recognizer: EntityRecognizer) -> bool:
    """The recognizer keeps Presidio's enhance_using_context (which returns its results as
    they are) and reads no NLP artifacts (Presidio's pattern recognizers and our finders)."""
    inherited = type(recognizer).enhance_using_context is EntityRecognizer.enhance_using_context
    return inherited and isinstance(recognizer, PatternRecognizer | FinderRecognizer)


def build_analyzer(recognizers: Callable[[str], list[EntityRecognizer]]) -> Analyzer:
    """An analyzer over ``recognizers(language)`` for each of :data:`LANGUAGES`."""
    nlp_engine = NoOpNlpEngine(
        models=[{"lang_code": lang, "model_name": "no_op"} for lang in LANGUAGES]
    )
    nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=[r for lang in LANGUAGES for r in recognizers(lang)],
        supported_languages=list(LANGUAGES),
    )
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(LANGUAGES),
        context_aware_enhancer=NoContextEnhancer(),
    )
    return Analyzer(engine)


def language_of(text: str) -> str:
    """``kk`` for text with Kazakh letters, ``ru`` for other Cyrillic, else ``en``."""
    if _KAZAKH_LETTERS.search(text):
        return "kk"
    return "ru" if _CYRILLIC.search(text) else "en"
