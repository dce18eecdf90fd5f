"""Nightly runs by night, and the categories their documents got: the report's history.

A **night** is the calendar date on which a run started, in ``nightly.timezone`` (a run that
starts at 01:00 in Almaty on 10 May belongs to the night of 2026-05-10). The categories of a run
are read from its categorize step results (decrypted: the category and the urgent flag only).
Nights without a finished run are left out of averages, so a new installation is compared with
the nights it has, not with empty ones.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.errors import EncryptionError
from compliance.keys.encryption import DataKey, KeyRing
from flows.results import data_key_of, open_output
from storage.models import Document, Run, RunKind, StepResult
from storage.repositories.step_results import FINISHED

#: Nights before the reported one that the averages and the chart look at.
HISTORY_NIGHTS = 7


@dataclass(frozen=True)
class Night:
    date: str
    run_ids: list[str]
    categories: dict[str, int]


def night_range(night: dt.date, timezone: str, days: int = 1) -> tuple[datetime, datetime]:
    """[start, end) in UTC of ``days`` local calendar days starting on ``night``."""
    start = datetime.combine(night, time(0), tzinfo=ZoneInfo(timezone))
    end = datetime.combine(night + timedelta(days=days), time(0), tzinfo=ZoneInfo(timezone))
    return start.astimezone(UTC), end.astimezone(UTC)


def nightly_runs(
    session: Session,
    *,
    prefix: str | None = None,
    night: dt.date | None = None,
    timezone: str = "UTC",
    days: int = 1,
) -> Sequence[Run]:
    """Nightly runs, newest first: with an id starting with ``prefix``, or started on ``night``
    (and the ``days - 1`` nights after it)."""
    statement = select(Run).where(Run.kind == RunKind.NIGHTLY.value)
    if prefix is not None:
        statement = statement.where(Run.id.startswith(prefix, autoescape=True))
    if night is not None:
        start, end = night_range(night, timezone, days)
        statement = statement.where(Run.started_at >= start, Run.started_at < end)
    return session.scalars(statement.order_by(Run.started_at.desc())).all()


def category_outputs(
    session: Session, keyring: KeyRing, run_ids: Sequence[str]
) -> Iterator[tuple[str, int, str | None, bool]]:
    """(run id, document id, category, urgent) of every finished categorize result of the runs."""
    if not run_ids:
        return
    rows = session.execute(
        select(StepResult, Document)
        .join(Document, Document.id == StepResult.document_id)
        .where(
            StepResult.run_id.in_(list(run_ids)),
            StepResult.step == "categorize",
            StepResult.status.in_(FINISHED),
            StepResult.output.is_not(None),
        )
    )
    keys: dict[int, DataKey] = {}
    for result, document in rows:
        try:
            key = keys.get(document.id) or data_key_of(keyring, document)
        except (EncryptionError, ValueError):
            continue  # erased since: it no longer counts
        keys[document.id] = key
        output = open_output(key, result) or {}
        category = output.get("category")
        yield (
            str(result.run_id),
            document.id,
            category if isinstance(category, str) else None,
            output.get("urgent") is True,
        )


def categories_of(
    session: Session, keyring: KeyRing, document_ids: Sequence[int], run_id: str
) -> dict[int, tuple[str | None, bool]]:
    """{document id: (category, urgent)} as the run's categorize step decided them."""
    wanted = set(document_ids)
    return {
        doc: (category, urgent)
        for _, doc, category, urgent in category_outputs(session, keyring, [run_id])
        if doc in wanted
    }


def previous_nights(
    session: Session, keyring: KeyRing, timezone: str, night: dt.date, exclude: str
) -> list[Night]:
    """The nights among the ``HISTORY_NIGHTS`` before ``night`` that had a finished nightly
    run, oldest first, with their documents per category."""
    first = night - timedelta(days=HISTORY_NIGHTS)
    runs = [
        r
        for r in nightly_runs(session, night=first, timezone=timezone, days=HISTORY_NIGHTS)
        if r.summary is not None and r.id != exclude
    ]
    zone = ZoneInfo(timezone)
    by_night: dict[str, list[str]] = {}
    for run in runs:
        by_night.setdefault(run.started_at.astimezone(zone).date().isoformat(), []).append(run.id)
    counts: dict[str, Counter[str]] = {run.id: Counter() for run in runs}
    for run_id, _, category, _ in category_outputs(session, keyring, list(counts)):
        if category:
            counts[run_id][category] += 1
    nights = []
    for date in sorted(by_night):
        total: Counter[str] = Counter()
        for run_id in by_night[date]:
            total.update(counts[run_id])
        nights.append(Night(date, sorted(by_night[date]), dict(sorted(total.items()))))
    return nights
