"""Repositories: each owns the queries of its tables. They never commit; the caller does."""

from storage.repositories.batches import KeyState, ProviderBatchRepository
from storage.repositories.callers import CallerKeyRepository, CallerLimitsRepository
from storage.repositories.documents import DocumentRepository
from storage.repositories.pacing import PacingRepository
from storage.repositories.runs import RunRepository
from storage.repositories.step_results import StepResultRepository
from storage.repositories.vault import VaultRepository

__all__ = [
    "CallerKeyRepository",
    "CallerLimitsRepository",
    "DocumentRepository",
    "KeyState",
    "PacingRepository",
    "ProviderBatchRepository",
    "RunRepository",
    "StepResultRepository",
    "VaultRepository",
]
