"""Provider batches: the JSONL files a step's lines were sent in, and each line's fate.

A ``provider_batches`` row is written (status ``created``) in the same transaction as its lines
and before anything is uploaded; the provider's file and batch ids are recorded as soon as they
are known, so a killed submitter or collector resumes from here (docs/batch.md). A line's
``custom_id`` is the idempotency key of the step result it asks for; a key is sent at most twice
(attempt 1 and one resubmission), which the unique (custom_id, attempt) pair and the attempt
check hold in the database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, TimestampMixin
from storage.types import UTCDateTime

#: A line is sent at most this many times: once, then one resubmission.
MAX_LINE_ATTEMPTS = 2


class BatchStatus(StrEnum):
    """Ours (``created``, ``uploaded``, ``collected``) and the provider's (the rest)."""

    CREATED = "created"  # lines and intents recorded, nothing uploaded yet
    UPLOADED = "uploaded"  # input file at the provider, no batch created yet
    VALIDATING = "validating"
    IN_PROGRESS = "in_progress"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    COLLECTED = "collected"  # every line's result stored or its fate decided


#: The provider may still be working on these (the collector polls them).
OPEN_STATUSES = (
    BatchStatus.VALIDATING.value,
    BatchStatus.IN_PROGRESS.value,
    BatchStatus.FINALIZING.value,
    BatchStatus.CANCELLING.value,
)
#: The provider is done with these; their files are ready to collect.
ENDED_STATUSES = (
    BatchStatus.COMPLETED.value,
    BatchStatus.FAILED.value,
    BatchStatus.EXPIRED.value,
    BatchStatus.CANCELLED.value,
)


class LineStatus(StrEnum):
    SUBMITTED = "submitted"  # in a batch the provider may still answer
    DONE = "done"  # its result is stored as a step result (done, review or failed step)
    FAILED = "failed"  # the provider answered with an error line
    EXPIRED = "expired"  # no answer before the window closed, or missing from both files
    RESUBMITTED = "resubmitted"  # failed or expired, and sent again as attempt 2


class ProviderBatch(TimestampMixin, Base):
    __tablename__ = "provider_batches"

    #: Our id (uuid4), known before anything is uploaded; sent as the batch's metadata.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    route: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(16))
    prompt_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.CREATED, index=True)
    provider_batch_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    input_file_id: Mapped[str | None] = mapped_column(String(128))
    output_file_id: Mapped[str | None] = mapped_column(String(128))
    error_file_id: Mapped[str | None] = mapped_column(String(128))
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    input_bytes: Mapped[int] = mapped_column(Integer, default=0)
    completed_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the provider's completion window closes: past it the batch is cancelled.
    window_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The collector's backoff: not polled again before this.
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    polls: Mapped[int] = mapped_column(Integer, default=0)


class ProviderBatchLine(TimestampMixin, Base):
    __tablename__ = "provider_batch_lines"
    __table_args__ = (
        UniqueConstraint("custom_id", "attempt"),
        CheckConstraint(f"attempt BETWEEN 1 AND {MAX_LINE_ATTEMPTS}", name="attempt_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(
        ForeignKey("provider_batches.id", ondelete="CASCADE"), index=True
    )
    #: The idempotency key of the step result the line asks for.
    custom_id: Mapped[str] = mapped_column(String(128), index=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(16))
    prompt_version: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[str] = mapped_column(String(32))
    input_hash: Mapped[str] = mapped_column(String(80))
    #: The masker version of the text the line was built from: its answer is re-identified with
    #: that version's vault entry.
    masker_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=LineStatus.SUBMITTED)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: ``sha256:<hex>`` of the line's request body as uploaded (the audit intent names it too).
    request_sha256: Mapped[str] = mapped_column(String(80))
    #: The audit attempt id of the line's intent entry (its outcome entry shares it).
    attempt_id: Mapped[str] = mapped_column(String(32))
