"""Planning a batch: which (document, step) pairs still need a model, in what order.

A pair needs work when no finished (done or review) result exists for the step's active prompt
and schema version and the document's current content hash. Order: urgent first, then new
documents, then changed ones, then archive re-processing (documents whose earlier results were
made with older prompt versions), oldest first within each group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, DocumentStatus
from storage.repositories.step_results import StepResultRepository


class Priority(IntEnum):
    URGENT = 0
    NEW = 1
    CHANGED = 2
    ARCHIVE = 3


@dataclass(frozen=True)
class WorkItem:
    document_id: int
    steps: tuple[str, ...]
    priority: Priority


@dataclass(frozen=True)
class Plan:
    items: tuple[WorkItem, ...]
    documents_total: int
    #: Documents still marked pending although every step is finished (a worker was killed
    #: between saving the last step and the document's status): the run settles them.
    unsettled: tuple[int, ...] = ()

    @property
    def calls_planned(self) -> int:
        return sum(len(item.steps) for item in self.items)

    def by_priority(self) -> dict[str, int]:
        counts = {p.name.lower(): 0 for p in Priority}
        for item in self.items:
            counts[item.priority.name.lower()] += 1
        return counts


def plan_work(
    session: Session,
    versions: Mapping[str, tuple[str, str]],
    steps: Sequence[str],
    limit: int | None = None,
) -> Plan:
    """The pending work for ``steps`` at the active ``versions``, in processing order."""
    repo = StepResultRepository(session)
    finished = repo.finished_keys({s: versions[s] for s in steps})
    reprocessed = repo.documents_with_other_versions({s: versions[s] for s in steps})
    rows = session.execute(
        select(Document.id, Document.urgent, Document.revision, Document.status)
        .where(Document.wrapped_key.is_not(None))
        .order_by(Document.id)
    ).all()
    items, unsettled = [], []
    for document_id, urgent, revision, status in rows:
        needed = tuple(s for s in steps if (document_id, s) not in finished)
        if not needed:
            if status == DocumentStatus.PENDING.value:
                unsettled.append(document_id)
            continue
        items.append(
            WorkItem(document_id, needed, _priority(urgent, revision, document_id in reprocessed))
        )
    items.sort(key=lambda item: (item.priority, item.document_id))
    if limit is not None:
        items = items[:limit]
    return Plan(tuple(items), len(rows), tuple(unsettled))


def _priority(urgent: bool, revision: int, reprocessed: bool) -> Priority:
    if urgent:
        return Priority.URGENT
    if revision > 1:
        return Priority.CHANGED
    if reprocessed:
        return Priority.ARCHIVE
    return Priority.NEW
