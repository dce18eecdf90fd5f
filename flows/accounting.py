"""Run counters: what a batch did, in ids and counts only (safe for Prefect, logs and reports)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from compliance.gateway.calls import Attempt, Outcome
from flows.steps.base import StepOutcome
from storage.models import DocumentStatus

_PER_OUTCOME = {
    Outcome.RATE_LIMITED: "rate_limited",
    Outcome.RESOURCE_UNAVAILABLE: "resource_unavailable",
    Outcome.TIMEOUT: "timeouts",
    Outcome.SERVER_ERROR: "server_errors",
    Outcome.CONNECTION_ERROR: "connection_errors",
    Outcome.EMPTY: "empty_responses",
    Outcome.INVALID_JSON: "invalid_json",
    Outcome.SCHEMA_INVALID: "schema_invalid",
    Outcome.CLIENT_ERROR: "client_errors",
    Outcome.REFUSED: "refused",
}


@dataclass
class RunCounters:
    documents_done: int = 0
    documents_review: int = 0
    documents_failed: int = 0
    documents_deferred: int = 0
    #: Attempts that reached the provider (refusals excluded).
    calls: int = 0
    #: Attempts beyond the first of each logical call on one route.
    retries: int = 0
    #: Calls repeated on the step's escalate_to route.
    escalations: int = 0
    rate_limited: int = 0
    #: A flex call's 429 "resource unavailable": no capacity then, not a rate limit.
    resource_unavailable: int = 0
    #: Attempts sent at the flex tier (batch prices).
    flex_calls: int = 0
    #: Attempts of a flex route sent as standard calls: the window's flex share was gone.
    flex_fallbacks: int = 0
    timeouts: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    client_errors: int = 0
    empty_responses: int = 0
    invalid_json: int = 0
    schema_invalid: int = 0
    refused: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    tokens_by_step: dict[str, dict[str, int]] = field(default_factory=dict)
    steps_by_status: dict[str, int] = field(default_factory=dict)
    review_reasons: dict[str, int] = field(default_factory=dict)
    #: Why documents were deferred: ``window_end``, or the service key's budget
    #: (``key_limit:daily_tokens``, ``key_limit:monthly_budget``).
    deferred_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def invalid_outputs(self) -> int:
        return self.invalid_json + self.schema_invalid

    def add_outcome(self, outcome: StepOutcome) -> None:
        status = outcome.status.value
        self.steps_by_status[status] = self.steps_by_status.get(status, 0) + 1
        if outcome.reason and status != "done":
            code = outcome.reason.split(":", 1)[0]
            self.review_reasons[code] = self.review_reasons.get(code, 0) + 1
        self.escalations += max(len(outcome.responses) - 1, 0)
        by_step = self.tokens_by_step.setdefault(outcome.step, {"in": 0, "out": 0})
        for response in outcome.responses:
            for attempt in response.attempts:
                self._add_attempt(attempt)
            by_step["in"] += response.tokens_in
            by_step["out"] += response.tokens_out
        self.retries += sum(max(len(r.attempts) - 1, 0) for r in outcome.responses)
        self.tokens_in += outcome.tokens_in
        self.tokens_out += outcome.tokens_out
        self.cost += outcome.cost

    def _add_attempt(self, attempt: Attempt) -> None:
        outcome = attempt.outcome
        if outcome is not Outcome.REFUSED:
            self.calls += 1
            self.flex_calls += attempt.service_tier == "flex"
            self.flex_fallbacks += attempt.flex_fallback
        name = _PER_OUTCOME.get(outcome)
        if name is not None:
            setattr(self, name, getattr(self, name) + 1)

    def add_deferred(self, reason: str) -> None:
        self.documents_deferred += 1
        self.deferred_reasons[reason] = self.deferred_reasons.get(reason, 0) + 1

    def add_document(self, status: DocumentStatus) -> None:
        if status is DocumentStatus.DONE:
            self.documents_done += 1
        elif status is DocumentStatus.REVIEW:
            self.documents_review += 1
        elif status is DocumentStatus.FAILED:
            self.documents_failed += 1

    def merge(self, other: RunCounters) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                _merge_dict(mine, theirs)
            else:
                setattr(self, f.name, mine + theirs)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["cost"] = str(self.cost)
        data["invalid_outputs"] = self.invalid_outputs
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunCounters:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["cost"] = Decimal(str(values.get("cost", "0")))
        return cls(**values)


def _merge_dict(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    for key, value in theirs.items():
        if isinstance(value, dict):
            _merge_dict(mine.setdefault(key, {}), value)
        else:
            mine[key] = mine.get(key, 0) + value
