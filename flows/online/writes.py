"""What the online path writes, committed together when requests overlap.

An online request writes its run's row (:class:`RunStart`), the document's vault entry when it
masked it, one step-result row per step it ran and, at the end, the run's summary and the
document's status (:class:`RunFinish`). They go through one
:class:`~storage.batching.GroupCommit` per runtime, so the writes of requests that reach the
same point at the same moment, and a request's last row with its :class:`RunFinish`, share one
transaction; reading the document at the start takes no write lock. Within a batch the runs
are inserted first, then the vault entries, the rows and the finishes: the queue keeps each
request's writes in that order too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import transaction
from storage.models import DocumentStatus, Run, RunKind, RunStatus, VaultEntry
from storage.repositories.documents import DocumentRepository
from storage.repositories.runs import RunRepository
from storage.repositories.step_results import StepResultRepository
from storage.repositories.vault import VaultRepository


@dataclass(frozen=True)
class RunStart:
    """An online run's row, inserted 'running' (its parameters are ids and step names)."""

    run_id: str
    started_at: datetime
    parameters: dict[str, Any]


@dataclass(frozen=True)
class RunFinish:
    """The end of an online run: its summary (ids and counts only) and the document's status."""

    run_id: str
    document_id: int
    document_status: DocumentStatus
    finished_at: datetime
    summary: dict[str, Any]


#: A vault entry (``flows.privacy.vault_entry``), a step-result row
#: (``flows.results.outcome_row``), or the end of a run.
OnlineWrite = RunStart | VaultEntry | dict[str, Any] | RunFinish


def write_online(sessions: sessionmaker[Session], items: Sequence[OnlineWrite]) -> list[None]:
    """Commit ``items`` in one transaction: runs, vault entries, step-result rows, finishes."""
    starts = [item for item in items if isinstance(item, RunStart)]
    entries = [item for item in items if isinstance(item, VaultEntry)]
    rows = [item for item in items if isinstance(item, dict)]
    finishes = [item for item in items if isinstance(item, RunFinish)]
    with transaction(sessions) as session:
        if starts:  # before the rows, whose run_id refers to them
            session.execute(
                insert(Run),
                [
                    {
                        "id": start.run_id,
                        "kind": RunKind.ONLINE.value,
                        "status": RunStatus.RUNNING.value,
                        "started_at": start.started_at,
                        "parameters": start.parameters,
                    }
                    for start in starts
                ],
            )
        vault = VaultRepository(session)
        for entry in entries:
            vault.put(entry)  # a copy is stored: the entry itself stays unattached
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
