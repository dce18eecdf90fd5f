"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from storage.models import audit as audit  # the audit log tables: storage.models.audit
from storage.models.base import Base, TimestampMixin
from storage.models.batches import (
    MAX_LINE_ATTEMPTS,
    BatchStatus,
    LineStatus,
    ProviderBatch,
    ProviderBatchLine,
)
from storage.models.callers import CallerKey, CallerKeySlot, CallerKeyState, CallerKeyUsage
from storage.models.documents import Document, DocumentFormat, DocumentStatus
from storage.models.pacing import RoutePacing
from storage.models.runs import Run, RunKind, RunStatus
from storage.models.step_results import Step, StepResult, StepStatus
from storage.models.vault import VaultEntry

__all__ = [
    "MAX_LINE_ATTEMPTS",
    "Base",
    "BatchStatus",
    "CallerKey",
    "CallerKeySlot",
    "CallerKeyState",
    "CallerKeyUsage",
    "Document",
    "DocumentFormat",
    "DocumentStatus",
    "LineStatus",
    "ProviderBatch",
    "ProviderBatchLine",
    "RoutePacing",
    "Run",
    "RunKind",
    "RunStatus",
    "Step",
    "StepResult",
    "StepStatus",
    "TimestampMixin",
    "VaultEntry",
]
