"""What one document of tonight costs, per step, measured before the night (the plan's input).

A sample of up to ``size`` documents is drawn (seeded) from the population: the pending work, or
every stored readable document when a number of documents is given. Per document and step:

- a finished result at the active version for the current content → its **real** usage
  (attempts, tokens in and out: retries and escalations included);
- otherwise the active prompt **rendered on the masked view** (the vault record; a document
  without one is masked now, in memory only) and counted with :mod:`compliance.gateway.tokens` —
  what the pacer books and what the simulator counts — times the retry and escalation shares of
  :mod:`flows.planning.history`; output tokens from history, else ``max_tokens`` (an upper
  bound, said so in the notes). Draft is not counted for ``no_reply_needed`` (known from the
  stored categorize output, else the share seen in history). Its ``{previous}`` comes from the
  stored outputs when they exist, else the median size seen in the sample, else the output
  tokens of extract and categorize.

Only counts leave this module: no text, no placeholder map.
"""

from __future__ import annotations

import logging
import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from compliance.errors import EncryptionError
from compliance.gateway.routes import RouteConfig
from compliance.gateway.structured import schema_instruction
from compliance.gateway.tokens import estimate_tokens
from compliance.keys.vault import VaultRecord
from compliance.masking import Masker
from flows.config import STEPS, StepsConfig
from flows.context import AppContext
from flows.documents import open_payload
from flows.masker_versions import open_entry
from flows.planning.history import History
from flows.privacy import ToMask, mask_documents, masked_view
from flows.prompts.registry import Prompt, PromptRegistry
from flows.results import data_key_of, open_output
from flows.steps.base import DocumentView
from flows.steps.draft import INPUTS as DRAFT_INPUTS
from flows.steps.draft import NO_REPLY
from storage.engine import transaction
from storage.models import Document, StepResult
from storage.repositories.step_results import StepResultRepository
from storage.repositories.vault import VaultRepository

logger = logging.getLogger("nightshift.planning")


@dataclass(frozen=True)
class StepLoad:
    """What one planned document costs on one step, on average (documents that skip the step
    count as zero): attempts, tokens, and the share of them that goes to ``escalate_to``."""

    step: str
    route: str
    escalate_to: str | None
    calls: float
    tokens_in: float
    tokens_out: float
    escalated_share: float = 0.0


@dataclass(frozen=True)
class DocumentCost:
    """One sampled document: per step (calls, tokens in, tokens out); sizes in bytes."""

    document_id: int
    size_bytes: int
    steps: dict[str, tuple[float, float, float]]
    real_steps: int = 0


@dataclass
class Sample:
    documents: list[DocumentCost]
    population: int
    masked_now: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def mean(self, step: str) -> tuple[float, float, float]:
        if not self.documents:
            return 0.0, 0.0, 0.0
        values = [d.steps.get(step, (0.0, 0.0, 0.0)) for d in self.documents]
        n = len(values)
        return (
            sum(v[0] for v in values) / n,
            sum(v[1] for v in values) / n,
            sum(v[2] for v in values) / n,
        )

    def loads(self, steps: StepsConfig, history: History) -> list[StepLoad]:
        loads = []
        for step in STEPS:
            calls, tokens_in, tokens_out = self.mean(step)
            route = getattr(steps, step)
            loads.append(
                StepLoad(
                    step=step,
                    route=route.route,
                    escalate_to=route.escalate_to,
                    calls=calls,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    escalated_share=history.escalated_share.get(step, 0.0)
                    if route.escalate_to
                    else 0.0,
                )
            )
        return loads

    def per_document(self, top_share: float = 0.05) -> dict[str, dict[str, dict[str, float]]]:
        """Tokens (in, out) per step: typical (median), top ``top_share`` by size, and mean."""
        ordered = sorted(self.documents, key=lambda d: d.size_bytes)
        top = ordered[-max(1, round(len(ordered) * top_share)) :] if ordered else []
        result: dict[str, dict[str, dict[str, float]]] = {"typical": {}, "top_5pct": {}, "mean": {}}
        for step in STEPS:
            ins = [d.steps.get(step, (0, 0, 0))[1] for d in ordered]
            outs = [d.steps.get(step, (0, 0, 0))[2] for d in ordered]
            top_values = [d.steps.get(step, (0, 0, 0)) for d in top]
            result["typical"][step] = _pair(_median(ins), _median(outs))
            result["top_5pct"][step] = _pair(
                _avg([v[1] for v in top_values]), _avg([v[2] for v in top_values])
            )
            result["mean"][step] = _pair(_avg(ins), _avg(outs))
        return result

    def as_dict(self) -> dict[str, Any]:
        sizes = sorted(d.size_bytes for d in self.documents)
        return {
            "documents": len(self.documents),
            "population": self.population,
            "with_real_usage": sum(1 for d in self.documents if d.real_steps),
            "masked_now": self.masked_now,
            "skipped": self.skipped,
            "size_bytes": {
                "median": _median(sizes),
                "top_5pct_from": sizes[-max(1, round(len(sizes) * 0.05))] if sizes else 0,
            },
        }


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _avg(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _pair(tokens_in: float, tokens_out: float) -> dict[str, float]:
    return {"in": round(tokens_in, 1), "out": round(tokens_out, 1)}


def sent_messages(
    prompt: Prompt, view: DocumentView, previous: Mapping[str, Any], route: RouteConfig
) -> list[dict[str, str]]:
    """The messages as the gateway sends them (the schema in the prompt for non-strict routes)."""
    messages = [dict(m) for m in prompt.render(view, previous)]
    if route.structured_output != "json_schema":
        messages[0]["content"] += "\n\n" + schema_instruction(prompt.output_schema)
    return messages


@dataclass
class _Loaded:
    document: Document
    view: DocumentView | None
    outputs: dict[str, dict[str, Any]]
    real: dict[str, StepResult]


def _load(
    app: AppContext, ids: Sequence[int], versions: Mapping[str, tuple[str, str]]
) -> tuple[list[_Loaded], list[ToMask]]:
    keyring = app.keyring
    loaded, to_mask = [], []
    with transaction(app.sessions) as session:
        documents = session.scalars(select(Document).where(Document.id.in_(list(ids)))).all()
        results: dict[int, dict[str, StepResult]] = {}
        for row in StepResultRepository(session).latest_finished(ids, versions):
            results.setdefault(row.document_id, {})[row.step] = row
        vault = VaultRepository(session).for_contents({d.id: d.content_hash for d in documents})
        for document in sorted(documents, key=lambda d: d.id):
            try:
                key = data_key_of(keyring, document)
                payload = open_payload(keyring, document)
            except (EncryptionError, ValueError) as exc:
                logger.warning("document %s cannot be read: %s", document.id, type(exc).__name__)
                continue
            real = results.get(document.id, {})
            outputs = {s: out for s, row in real.items() if (out := open_output(key, row))}
            item = _Loaded(document, None, outputs, real)
            entries = vault.get(document.id)
            if entries:  # any version's masked text costs the same to send: the oldest
                item.view = masked_view(document, payload, open_entry(key, entries[0]))
            else:
                to_mask.append(ToMask(document, payload, key))
            loaded.append(item)
    return loaded, to_mask


def measure_sample(
    app: AppContext,
    registry: PromptRegistry,
    masker: Callable[[], Masker],
    population: Mapping[int, Sequence[str]],
    history: History,
    *,
    size: int = 300,
    seed: int = 0,
) -> Sample:
    """Per-step costs of up to ``size`` documents of ``population`` ({id: steps needed})."""
    chosen = sorted(random.Random(seed).sample(sorted(population), min(size, len(population))))
    versions = {s: (p.version, p.schema_version) for s in STEPS for p in (registry.active(s),)}
    loaded, to_mask = _load(app, chosen, versions)
    sample = Sample([], len(population))
    if to_mask:
        records, failures = mask_documents(masker(), to_mask)
        sample.masked_now, sample.skipped = len(records), len(failures)
        _attach(loaded, to_mask, records)
    estimator = _Estimator(app.settings.routes, app.settings.step_routes, registry, history)
    estimator.learn_previous([item for item in loaded if item.view is not None])
    for item in loaded:
        if item.view is None:
            continue
        sample.documents.append(estimator.cost(item, population[item.document.id]))
    sample.notes.extend(estimator.notes())
    return sample


def _attach(
    loaded: Sequence[_Loaded], to_mask: Sequence[ToMask], records: Mapping[int, VaultRecord]
) -> None:
    payloads = {item.document.id: item.payload for item in to_mask}
    for item in loaded:
        record = records.get(item.document.id)
        if item.view is None and record is not None:
            item.view = masked_view(item.document, payloads[item.document.id], record)


class _Estimator:
    """Turns one loaded document into its per-step (calls, tokens in, tokens out)."""

    def __init__(
        self,
        routes: Mapping[str, RouteConfig],
        steps: StepsConfig,
        registry: PromptRegistry,
        history: History,
    ) -> None:
        self._routes = routes
        self._steps = steps
        self._prompts = {s: registry.active(s) for s in STEPS}
        self._history = history
        self._previous_tokens: float | None = None
        self._guessed_output: set[str] = set()

    def _prompt_tokens(self, step: str, view: DocumentView, previous: Mapping[str, Any]) -> int:
        route = self._routes[getattr(self._steps, step).route]
        return estimate_tokens(sent_messages(self._prompts[step], view, previous, route))

    def learn_previous(self, items: Sequence[_Loaded]) -> None:
        """The typical extra prompt tokens of draft's ``{previous}`` (see the module doc)."""
        extra = [
            self._prompt_tokens("draft", item.view, _inputs(item.outputs))
            - self._prompt_tokens("draft", item.view, {})
            for item in items
            if item.view is not None and "categorize" in item.outputs
        ]
        if extra:
            self._previous_tokens = statistics.median(extra)

    def _previous_guess(self) -> float:
        if self._previous_tokens is not None:
            return self._previous_tokens
        return sum(self._output_tokens(s) for s in DRAFT_INPUTS)

    def _output_tokens(self, step: str) -> float:
        known = self._history.output_tokens.get(step)
        if known is not None:
            return known
        self._guessed_output.add(step)
        return float(self._prompts[step].max_tokens)

    def _draft_weight(self, outputs: Mapping[str, Mapping[str, Any]]) -> float:
        category = outputs.get("categorize", {}).get("category")
        if category is not None:
            return 0.0 if category == NO_REPLY else 1.0
        return self._history.called_share.get("draft", 1.0)

    def cost(self, item: _Loaded, needed: Sequence[str]) -> DocumentCost:
        assert item.view is not None
        steps: dict[str, tuple[float, float, float]] = {}
        real_steps = 0
        history = self._history
        for step in STEPS:
            if step not in needed:
                continue
            row = item.real.get(step)
            if row is not None:
                steps[step] = (float(row.attempts), float(row.tokens_in), float(row.tokens_out))
                real_steps += 1
                continue
            weight, prompt = 1.0, 0.0
            if step == "draft":
                weight = self._draft_weight(item.outputs)
                previous = _inputs(item.outputs)
                prompt = self._prompt_tokens(step, item.view, previous)
                if "categorize" not in previous:
                    prompt += self._previous_guess()
            else:
                prompt = self._prompt_tokens(step, item.view, {})
            responses = 1.0 / (1.0 - history.escalated_share.get(step, 0.0))
            steps[step] = (
                weight * responses * history.retry_factor,
                weight * responses * history.token_factor * prompt,
                weight * self._output_tokens(step),
            )
        return DocumentCost(item.document.id, item.document.size_bytes, steps, real_steps)

    def notes(self) -> list[str]:
        return [
            f"{step}: no finished result at the active version yet; its output tokens are "
            f"counted at max_tokens ({self._prompts[step].max_tokens}), an upper bound"
            for step in sorted(self._guessed_output)
        ]


def _inputs(outputs: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {s: outputs[s] for s in DRAFT_INPUTS if s in outputs}
