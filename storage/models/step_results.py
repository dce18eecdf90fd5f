"""Step results: the checkpoint of record for every (document, step, prompt version) pair.

A row is keyed by (document, step, prompt version, schema version, input content hash); a re-run
skips every key that is already ``done``. ``output`` is encrypted with the document's data key.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, TimestampMixin


class Step(StrEnum):
    EXTRACT = "extract"
    CATEGORIZE = "categorize"
    DRAFT = "draft"


class StepStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    REVIEW = "review"
    FAILED = "failed"


class StepResult(TimestampMixin, Base):
    __tablename__ = "step_results"
    __table_args__ = (
        UniqueConstraint("document_id", "step", "prompt_version", "schema_version", "input_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(16))
    prompt_version: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[str] = mapped_column(String(32))
    input_hash: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=StepStatus.RUNNING)
    route: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(0))
    #: nonce || AES-256-GCM ciphertext of the step's JSON output, under the document's data key.
    output: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Why the step is in review or failed; a reason code and counts, never document text.
    reason: Mapped[str | None] = mapped_column(String(500))
    #: The masker version of the text the step saw: its output's placeholders are that version's
    #: (``vault_entries.masker_version``). None on rows written before migration 0009: the
    #: version of the oldest vault entry of the document's content (docs/masking.md).
    masker_version: Mapped[str | None] = mapped_column(String(32))
