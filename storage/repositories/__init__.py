"""Repositories: each owns the queries of its tables. They never commit; the caller does."""

from storage.repositories.documents import DocumentRepository

__all__ = ["DocumentRepository"]
