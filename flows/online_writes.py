"""What the online path writes, committed together when requests overlap.

An online request writes one step-result row per step it ran and, at the end, the run's
summary and the document's status (:class:`RunFinish`). They go through one
:class:`~storage.batching.GroupCommit` per runtime, so the rows of requests that finish a step
at the same moment, and a request's last row with its :class:`RunFinish`, share one
transaction. Within a batch the rows are written before the finishes: a finish always comes
after its own rows in the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage.engine import transaction
from storage.models import DocumentStatus, RunStatus
from storage.repositories.documents import DocumentRepository
from storage.repositories.runs import RunRepository
from storage.repositories.step_results import StepResultRepository


@dataclass(frozen=True)
class RunFinish:
    """The end of an online run: its summary (ids and counts only) and the document's status."""

    run_id: str
    document_id: int
    document_status: DocumentStatus
    finished_at: datetime
    summary: dict[str, Any]


#: A step-result row (``flows.results.outcome_row``), or the end of a run.
OnlineWrite = dict[str, Any] | RunFinish


def write_online(sessions: sessionmaker[Session], items: Sequence[OnlineWrite]) -> list[None]:
    """Commit ``items`` in one transaction: step-result rows first, then the run finishes."""
    rows = [item for item in items if not isinstance(item, RunFinish)]
    finishes = [item for item in items if isinstance(item, RunFinish)]
    with transaction(sessions) as session:
        if rows:
            StepResultRepository(session).upsert_many(rows)
        if finishes:
            # Two requests for one document in one batch: the later finish wins, as it would
            # have committed last.
            DocumentRepository(session).set_statuses(
                {finish.document_id: finish.document_status for finish in finishes}
            )
            runs = RunRepository(session)
            for finish in finishes:
                runs.finish(finish.run_id, RunStatus.COMPLETED, finish.finished_at, finish.summary)
    return [None] * len(items)
