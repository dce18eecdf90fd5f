"""The queries of ``provider_batches`` and ``provider_batch_lines`` (the batch path's state)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storage.models.batches import (
    ENDED_STATUSES,
    MAX_LINE_ATTEMPTS,
    OPEN_STATUSES,
    BatchStatus,
    LineStatus,
    ProviderBatch,
    ProviderBatchLine,
)
from storage.types import utcnow

LOOKUP_BATCH = 500
#: A key with a line in one of these is never put in a new batch: it is in flight or answered.
_BUSY = (LineStatus.SUBMITTED.value, LineStatus.DONE.value)


@dataclass(frozen=True)
class KeyState:
    """What the batch path already did for one idempotency key."""

    attempts: int
    busy: bool  # a line is in flight or answered: never send it again

    @property
    def sendable(self) -> bool:
        return not self.busy and self.attempts < MAX_LINE_ATTEMPTS


class ProviderBatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writing ---------------------------------------------------------------------------

    def add(self, batch: ProviderBatch, lines: Sequence[ProviderBatchLine]) -> None:
        """A new batch (status ``created``) and its lines; flushed, not committed."""
        batch.line_count = len(lines)
        self.session.add(batch)
        self.session.flush()
        self.session.add_all(lines)
        self.session.flush()

    def record_upload(self, batch_id: str, input_file_id: str) -> None:
        self._set(batch_id, status=BatchStatus.UPLOADED.value, input_file_id=input_file_id)

    def record_submitted(
        self,
        batch_id: str,
        *,
        provider_batch_id: str,
        status: str,
        submitted_at: datetime,
        window_deadline: datetime,
        next_poll_at: datetime,
    ) -> None:
        self._set(
            batch_id,
            provider_batch_id=provider_batch_id,
            status=status,
            submitted_at=submitted_at,
            window_deadline=window_deadline,
            next_poll_at=next_poll_at,
        )

    def record_poll(
        self,
        batch_id: str,
        *,
        status: str,
        completed: int,
        failed: int,
        output_file_id: str | None,
        error_file_id: str | None,
        finished_at: datetime | None,
        next_poll_at: datetime | None,
    ) -> None:
        self._set(
            batch_id,
            status=status,
            completed_count=completed,
            failed_count=failed,
            output_file_id=output_file_id,
            error_file_id=error_file_id,
            finished_at=finished_at,
            next_poll_at=next_poll_at,
            polls=ProviderBatch.polls + 1,
        )

    def mark_collected(self, batch_id: str) -> None:
        self._set(batch_id, status=BatchStatus.COLLECTED.value)

    def set_line_status(self, line_ids: Iterable[int], status: LineStatus) -> None:
        ids = list(line_ids)
        for start in range(0, len(ids), LOOKUP_BATCH):
            self.session.execute(
                update(ProviderBatchLine)
                .where(ProviderBatchLine.id.in_(ids[start : start + LOOKUP_BATCH]))
                .values(status=status.value, updated_at=utcnow())
            )

    def _set(self, batch_id: str, **values: object) -> None:
        self.session.execute(
            update(ProviderBatch)
            .where(ProviderBatch.id == batch_id)
            .values(**values, updated_at=utcnow())
        )

    # -- reading ---------------------------------------------------------------------------

    def get(self, batch_id: str) -> ProviderBatch | None:
        return self.session.get(ProviderBatch, batch_id)

    def lines(self, batch_id: str) -> Sequence[ProviderBatchLine]:
        statement = select(ProviderBatchLine).where(ProviderBatchLine.batch_id == batch_id)
        return self.session.scalars(statement.order_by(ProviderBatchLine.id)).all()

    def due(self, now: datetime) -> Sequence[ProviderBatch]:
        """Batches the collector should look at now: the provider may still be working on them,
        or it is done and their results are not collected yet; backoff respected."""
        statement = (
            select(ProviderBatch)
            .where(ProviderBatch.status.in_((*OPEN_STATUSES, *ENDED_STATUSES)))
            .where(or_(ProviderBatch.next_poll_at.is_(None), ProviderBatch.next_poll_at <= now))
            .order_by(ProviderBatch.submitted_at, ProviderBatch.id)
        )
        return self.session.scalars(statement).all()

    def unsubmitted(self) -> Sequence[ProviderBatch]:
        """Batches a killed submitter left before the provider accepted them."""
        statement = select(ProviderBatch).where(
            ProviderBatch.status.in_((BatchStatus.CREATED.value, BatchStatus.UPLOADED.value))
        )
        return self.session.scalars(statement.order_by(ProviderBatch.created_at)).all()

    def unsettled_count(self) -> int:
        """Batches not collected yet (created, uploaded, open or ended)."""
        statement = select(func.count()).where(ProviderBatch.status != BatchStatus.COLLECTED.value)
        return int(self.session.scalar(statement.select_from(ProviderBatch)) or 0)

    def key_states(self, custom_ids: Collection[str]) -> dict[str, KeyState]:
        """For each key that has lines: how many attempts were made and whether one is busy.
        Keys without lines are absent (never sent)."""
        keys = list(custom_ids)
        attempts: dict[str, int] = {}
        busy: set[str] = set()
        for start in range(0, len(keys), LOOKUP_BATCH):
            statement = select(
                ProviderBatchLine.custom_id, ProviderBatchLine.attempt, ProviderBatchLine.status
            ).where(ProviderBatchLine.custom_id.in_(keys[start : start + LOOKUP_BATCH]))
            for key, attempt, status in self.session.execute(statement):
                attempts[key] = max(attempts.get(key, 0), int(attempt))
                if status in _BUSY:
                    busy.add(key)
        return {key: KeyState(attempts=n, busy=key in busy) for key, n in attempts.items()}

    def line_counts(self, batch_ids: Collection[str] | None = None) -> Mapping[str, int]:
        """Lines by status (all batches, or these)."""
        statement = select(ProviderBatchLine.status, func.count()).group_by(
            ProviderBatchLine.status
        )
        if batch_ids is not None:
            statement = statement.where(ProviderBatchLine.batch_id.in_(list(batch_ids)))
        return {str(status): int(n) for status, n in self.session.execute(statement)}
