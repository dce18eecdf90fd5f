"""The morning report: what one nightly run did, in ids, counts and masked subjects.

``build_report(runtime_or_app, run_id=None, date=None)`` reads one nightly run — by id (or an
unambiguous prefix of at least 8 characters), the latest finished run that started on ``date``
(in ``nightly.timezone``), or the latest finished run — and returns a :class:`Report`:

- documents in, done, in review, failed and deferred (the run's own counters, ``Run.summary``);
  review and failure reasons with counts per code, from the run's step results;
- documents per category against the average of the previous nights
  (:mod:`flows.report.history`), growth flagged by :data:`GROWTH_RULE`;
- the work queue: urgent items, review items, failed items, drafts ready (all steps done and
  the draft passed its quality gates), each ``document id + masked subject + codes``;
- retries, timeouts, 429s and empty answers counted separately; tokens by step; cost in total
  and per 1,000 documents in ``billing.currency``; duration against the window; prompt versions.

Privacy: a subject is shown only as the vault keeps it — **masked** (``[PERSON_1]``) — and only
when the document has a vault record; otherwise it is withheld. Outputs are decrypted only to
read the category and the urgent flag; no field value, name or draft text enters the report.
Renderers: :mod:`flows.report.render`; files and the Prefect flow: :mod:`flows.report.flow`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.errors import EncryptionError
from compliance.keys.encryption import DataKey, KeyRing
from flows.config import NightlyConfig
from flows.context import AppContext
from flows.masker_versions import open_entry
from flows.nightly.window import window_deadline
from flows.planning.window import configured_window
from flows.report.history import Night, categories_of, nightly_runs, previous_nights
from flows.results import data_key_of, open_output
from flows.steps.draft import NO_REPLY
from storage.engine import transaction
from storage.errors import NightshiftError
from storage.models import Document, DocumentStatus, Run, StepResult, StepStatus
from storage.repositories.vault import VaultRepository

#: Growth: tonight at least this many times the average of the previous nights …
GROWTH_FACTOR = 1.5
#: … and at least this many documents more (so 1 → 2 is not "growth").
GROWTH_MIN_DOCUMENTS = 5
GROWTH_RULE = (
    f"growth = tonight >= {GROWTH_FACTOR:g} x the average of the previous nights with a run "
    f"(up to 7) and at least {GROWTH_MIN_DOCUMENTS} documents more"
)
#: Items listed per queue (the totals are always complete).
ITEMS_LIMIT = 500
WITHHELD = "(subject withheld: no masked copy)"
QUEUES = ("urgent", "review", "failed", "drafts_ready")
COUNTERS = (
    "calls", "retries", "escalations", "rate_limited", "timeouts", "server_errors",
    "connection_errors", "client_errors", "empty_responses", "invalid_json", "schema_invalid",
    "refused", "flex_calls", "resource_unavailable", "flex_fallbacks",
)  # fmt: skip


class ReportError(NightshiftError):
    """No report can be made as asked; the message says what to do."""


class HasApp(Protocol):
    app: AppContext


@dataclass(frozen=True)
class ReportItem:
    document_id: int
    #: The subject as masked in the vault (placeholders for personal data), or WITHHELD.
    subject: str
    status: str
    category: str | None
    urgent: bool
    #: ``step:reason code`` of the steps that did not end done.
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ItemList:
    total: int
    items: list[ReportItem]


@dataclass(frozen=True)
class CategoryRow:
    category: str
    tonight: int
    average: float
    #: Percent change against the average; None when the average is 0.
    change_pct: float | None
    growth: bool


@dataclass(frozen=True)
class WindowUse:
    window: str
    window_s: float | None
    started_at: str
    finished_at: str | None
    deadline: str
    duration_s: float
    used_share: float | None
    finished_in_window: bool | None


@dataclass(frozen=True)
class Report:
    run_id: str
    night: str
    status: str
    generated_at: str
    documents: dict[str, int]
    review_reasons: dict[str, int]
    failed_reasons: dict[str, int]
    categories: list[CategoryRow]
    growth_rule: str
    nights_averaged: int
    #: The last 7 nights with a run, this one included, oldest first (the chart).
    history: list[Night]
    urgent: ItemList
    review: ItemList
    failed: ItemList
    drafts_ready: ItemList
    counters: dict[str, int]
    tokens_by_step: dict[str, dict[str, int]]
    tokens_in: int
    tokens_out: int
    cost: str
    cost_per_1000_documents: str
    currency: str
    window: WindowUse
    prompt_versions: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _app(runtime_or_app: AppContext | HasApp) -> AppContext:
    return runtime_or_app if isinstance(runtime_or_app, AppContext) else runtime_or_app.app


def find_run(session: Session, timezone: str, run_id: str | None, date: dt.date | None) -> Run:
    """The nightly run asked for (see the module doc), or a ReportError saying what exists."""
    if run_id is not None:
        if len(run_id) < 8:
            raise ReportError(
                f"--run needs the run id or at least its first 8 characters: {run_id!r}"
            )
        found = [r for r in nightly_runs(session, prefix=run_id) if r.summary is not None]
        if len(found) != 1:
            what = "no finished nightly run" if not found else f"{len(found)} nightly runs"
            raise ReportError(f"{what} with id {run_id!r}; give the full id of a finished run")
        return found[0]
    runs = [r for r in nightly_runs(session, night=date, timezone=timezone) if r.summary]
    if not runs:
        when = f" that started on {date.isoformat()} ({timezone})" if date else ""
        raise ReportError(
            f"no finished nightly run{when}; run one (nightshift run nightly) or pick another date"
        )
    return runs[0]


def build_report(
    runtime_or_app: AppContext | HasApp,
    run_id: str | None = None,
    date: dt.date | None = None,
    *,
    items_limit: int = ITEMS_LIMIT,
) -> Report:
    """The morning report of one nightly run (default: the latest finished one)."""
    app = _app(runtime_or_app)
    settings = app.settings
    timezone = settings.nightly.timezone
    with transaction(app.sessions) as session:
        run = find_run(session, timezone, run_id, date)
        night = run.started_at.astimezone(ZoneInfo(timezone)).date()
        queues = _Queues(session, app.keyring, run.id)
        earlier = previous_nights(session, app.keyring, timezone, night, exclude=run.id)
        items = queues.items(items_limit)
    summary: dict[str, Any] = dict(run.summary or {})
    tonight = Night(night.isoformat(), [run.id], dict(queues.categories))
    rows, averaged = category_rows(tonight.categories, earlier)
    return Report(
        run_id=run.id,
        night=night.isoformat(),
        status=run.status,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        documents={
            "in": int(summary.get("documents_total", 0)),
            "done": int(summary.get("documents_done", 0)),
            "review": int(summary.get("documents_review", 0)),
            "failed": int(summary.get("documents_failed", 0)),
            "deferred": int(summary.get("documents_deferred", 0)),
        },
        review_reasons=dict(queues.reasons[StepStatus.REVIEW].most_common()),
        failed_reasons=dict(queues.reasons[StepStatus.FAILED].most_common()),
        categories=rows,
        growth_rule=GROWTH_RULE,
        nights_averaged=averaged,
        history=[*earlier[-6:], tonight],
        urgent=items["urgent"],
        review=items["review"],
        failed=items["failed"],
        drafts_ready=items["drafts_ready"],
        counters={k: int(summary.get(k, 0)) for k in COUNTERS},
        tokens_by_step=dict(summary.get("tokens_by_step", {})),
        tokens_in=int(summary.get("tokens_in", 0)),
        tokens_out=int(summary.get("tokens_out", 0)),
        cost=str(summary.get("cost", "0")),
        cost_per_1000_documents=str(summary.get("cost_per_1000_documents", "0")),
        currency=settings.billing.currency,
        window=window_use(run, summary, settings.nightly),
        prompt_versions=dict(summary.get("prompt_versions", {})),
    )


def category_rows(tonight: dict[str, int], earlier: list[Night]) -> tuple[list[CategoryRow], int]:
    """Each category tonight against the average of ``earlier`` nights (up to the last 7)."""
    nights = earlier[-7:]
    names = sorted(set(tonight).union(*(n.categories for n in nights)))
    rows = []
    for name in names:
        now = tonight.get(name, 0)
        average = sum(n.categories.get(name, 0) for n in nights) / len(nights) if nights else 0.0
        change = round(100.0 * (now - average) / average, 1) if average else None
        growth = bool(nights) and (
            now >= GROWTH_FACTOR * average and now - average >= GROWTH_MIN_DOCUMENTS
        )
        rows.append(CategoryRow(name, now, round(average, 2), change, growth))
    rows.sort(key=lambda r: (-r.tonight, r.category))
    return rows, len(nights)


def window_use(run: Run, summary: dict[str, Any], nightly: NightlyConfig) -> WindowUse:
    window = configured_window(nightly)
    zone = ZoneInfo(nightly.timezone)
    deadline = window_deadline(window.end, nightly.timezone, run.started_at)
    finished = run.finished_at
    duration = float(summary.get("duration_s") or 0.0)
    if not duration and finished is not None:
        duration = (finished - run.started_at).total_seconds()
    seconds = window.seconds
    return WindowUse(
        window=window.label(),
        window_s=seconds,
        started_at=run.started_at.astimezone(zone).isoformat(timespec="seconds"),
        finished_at=finished.astimezone(zone).isoformat(timespec="seconds") if finished else None,
        deadline=deadline.astimezone(zone).isoformat(timespec="minutes"),
        duration_s=round(duration, 1),
        used_share=round(duration / seconds, 4) if seconds else None,
        finished_in_window=None if finished is None else finished <= deadline,
    )


class _Queues:
    """The run's step results, per document: categories, reasons and the four queues."""

    def __init__(self, session: Session, keyring: KeyRing, run_id: str) -> None:
        self._session = session
        self._keyring = keyring
        rows = session.execute(
            select(StepResult, Document)
            .join(Document, Document.id == StepResult.document_id)
            .where(StepResult.run_id == run_id)
            .order_by(StepResult.document_id)
        ).all()
        self.documents: dict[int, Document] = {}
        self.results: dict[int, dict[str, StepResult]] = {}
        for result, document in rows:
            self.documents[document.id] = document
            self.results.setdefault(document.id, {})[result.step] = result
        self._keys: dict[int, DataKey | None] = {}
        self.reasons: dict[StepStatus, Counter[str]] = {
            StepStatus.REVIEW: Counter(),
            StepStatus.FAILED: Counter(),
        }
        for steps in self.results.values():
            for result in steps.values():
                status = StepStatus(result.status)
                if status in self.reasons:
                    self.reasons[status][_code(result.reason)] += 1
        self.labels = categories_of(session, keyring, list(self.documents), run_id)
        self.categories = Counter(c for c, _ in self.labels.values() if c)

    def _key(self, document: Document) -> DataKey | None:
        if document.id not in self._keys:
            try:
                self._keys[document.id] = data_key_of(self._keyring, document)
            except (EncryptionError, ValueError):
                self._keys[document.id] = None  # erased since the run
        return self._keys[document.id]

    def _draft_ready(self, document_id: int) -> bool:
        document, draft = self.documents[document_id], self.results[document_id].get("draft")
        if document.status != DocumentStatus.DONE.value or draft is None:
            return False
        if draft.status != StepStatus.DONE.value:
            return False
        key = self._key(document)
        output = open_output(key, draft) if key is not None else None
        return output is not None and output.get("skipped") != NO_REPLY

    def items(self, limit: int) -> dict[str, ItemList]:
        queues: dict[str, list[int]] = {
            "urgent": [],
            "review": [],
            "failed": [],
            "drafts_ready": [],
        }
        for document_id, steps in self.results.items():
            statuses = {StepStatus(r.status) for r in steps.values()}
            if self._urgent(document_id):
                queues["urgent"].append(document_id)
            if StepStatus.FAILED in statuses:
                queues["failed"].append(document_id)
            elif StepStatus.REVIEW in statuses:
                queues["review"].append(document_id)
            elif self._draft_ready(document_id):
                queues["drafts_ready"].append(document_id)
        return {
            name: ItemList(len(ids), [self._item(i) for i in self._ordered(ids)[:limit]])
            for name, ids in queues.items()
        }

    def _urgent(self, document_id: int) -> bool:
        return self.documents[document_id].urgent or self.labels.get(document_id, (None, False))[1]

    def _ordered(self, ids: list[int]) -> list[int]:
        return sorted(ids, key=lambda i: (not self._urgent(i), i))

    def _item(self, document_id: int) -> ReportItem:
        document = self.documents[document_id]
        reasons = [
            f"{step}:{result.reason or result.status}"
            for step, result in sorted(self.results[document_id].items())
            if result.status != StepStatus.DONE.value
        ]
        return ReportItem(
            document_id=document_id,
            subject=self._subject(document),
            status=document.status,
            category=self.labels.get(document_id, (None, False))[0],
            urgent=self._urgent(document_id),
            reasons=reasons,
        )

    def _subject(self, document: Document) -> str:
        """The masked subject from the (oldest) vault record of the document's current content."""
        entry = VaultRepository(self._session).oldest(document.id, document.content_hash)
        key = self._key(document)
        if entry is None or key is None:
            return WITHHELD
        record = open_entry(key, entry)
        subject = " ".join(record.parts.get("subject", "").split())
        return subject or "(no subject)"


def _code(reason: str | None) -> str:
    return (reason or "unknown").split(":", 1)[0]
