"""The queries of ``step_results``: the checkpoint of record for every step of every document."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select, tuple_, update
from sqlalchemy.orm import Session

from storage.models.documents import Document
from storage.models.step_results import StepResult, StepStatus
from storage.repositories.common import upsert_insert
from storage.types import utcnow

#: A step counts as finished — never sent again for the same input — when it is done or in review.
FINISHED = (StepStatus.DONE.value, StepStatus.REVIEW.value)
LOOKUP_BATCH = 500
#: The unique key of a step result: one row per (document, step, versions, input).
_KEY = ("document_id", "step", "prompt_version", "schema_version", "input_hash")
#: The upsert statement per (dialect, columns): built once, compiled once (SQLAlchemy caches the
#: compiled form by statement).
_UPSERTS: dict[tuple[str, tuple[str, ...]], Any] = {}


class StepResultRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert each result for its key, or overwrite the row a failed or running attempt left.

        One prepared ``INSERT … ON CONFLICT DO UPDATE`` on the unique key, executed for all rows
        (a lookup and then a write would be two statements per row; building the statement per
        row cost the batch more CPU than the database did). Rows share one set of columns. When
        several rows have the same key (a checkpoint and then the final answer of one step) the
        last one wins: one statement may not update the same row twice on PostgreSQL.
        """
        if not rows:
            return
        last: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        for row in rows:
            last[tuple(row[k] for k in _KEY)] = row
        now = utcnow()
        params = [{**row, "created_at": now, "updated_at": now} for row in last.values()]
        columns = tuple(params[0])
        dialect = self.session.get_bind().dialect.name
        statement = _UPSERTS.get((dialect, columns))
        if statement is None:
            insert = upsert_insert(self.session, StepResult)
            changes = {k: insert.excluded[k] for k in columns if k not in (*_KEY, "created_at")}
            statement = insert.on_conflict_do_update(index_elements=_KEY, set_=changes)
            _UPSERTS[(dialect, columns)] = statement
        self.session.execute(statement, params)

    def finished_keys(self, versions: Mapping[str, tuple[str, str]]) -> set[tuple[int, str]]:
        """(document id, step) pairs finished for the active (prompt, schema) version of the step
        and the document's current content."""
        if not versions:
            return set()
        per_step = [
            and_(
                StepResult.step == step,
                StepResult.prompt_version == prompt,
                StepResult.schema_version == schema,
            )
            for step, (prompt, schema) in versions.items()
        ]
        statement = (
            select(StepResult.document_id, StepResult.step)
            .join(Document, Document.id == StepResult.document_id)
            .where(StepResult.input_hash == Document.content_hash)
            .where(StepResult.status.in_(FINISHED))
            .where(or_(*per_step))
        )
        return {(int(doc), str(step)) for doc, step in self.session.execute(statement)}

    def documents_with_other_versions(self, versions: Mapping[str, tuple[str, str]]) -> set[int]:
        """Documents with a finished result made by a prompt or schema version other than the
        active one: re-processing them is archive work, after new and changed mail."""
        keys = [(step, p, s) for step, (p, s) in versions.items()]
        statement = (
            select(StepResult.document_id)
            .where(StepResult.status.in_(FINISHED))
            .where(
                tuple_(
                    StepResult.step, StepResult.prompt_version, StepResult.schema_version
                ).not_in(keys)
            )
            .distinct()
        )
        return {int(doc) for doc in self.session.scalars(statement)}

    def latest_finished(
        self, document_ids: Collection[int], versions: Mapping[str, tuple[str, str]]
    ) -> list[StepResult]:
        """Finished results of these documents for the active versions and current content."""
        return self._current(document_ids, versions, FINISHED)

    def latest_running(
        self, document_ids: Collection[int], versions: Mapping[str, tuple[str, str]]
    ) -> list[StepResult]:
        """Running results (a first answer saved before escalating, by a run that stopped) of
        these documents for the active versions and current content: a re-run resumes them."""
        return self._current(document_ids, versions, (StepStatus.RUNNING.value,))

    def _current(
        self,
        document_ids: Collection[int],
        versions: Mapping[str, tuple[str, str]],
        statuses: Collection[str],
    ) -> list[StepResult]:
        rows: list[StepResult] = []
        ids = sorted(set(document_ids))
        keys = [(step, p, s) for step, (p, s) in versions.items()]
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start : start + LOOKUP_BATCH]
            statement = (
                select(StepResult)
                .join(Document, Document.id == StepResult.document_id)
                .where(StepResult.document_id.in_(batch))
                .where(StepResult.input_hash == Document.content_hash)
                .where(StepResult.status.in_(statuses))
                .where(
                    tuple_(
                        StepResult.step, StepResult.prompt_version, StepResult.schema_version
                    ).in_(keys)
                )
            )
            rows.extend(self.session.scalars(statement))
        return rows

    def for_documents(self, document_ids: Iterable[int]) -> Sequence[StepResult]:
        ids = sorted(set(document_ids))
        return self.session.scalars(
            select(StepResult).where(StepResult.document_id.in_(ids)).order_by(StepResult.id)
        ).all()

    def in_review(
        self,
        versions: Mapping[str, tuple[str, str]],
        *,
        after: int = 0,
        limit: int = 100,
        owner_key_id: str | None = None,
    ) -> Sequence[StepResult]:
        """The review queue: results in review for the active versions and current content,
        by id (``after`` an id, for paging); with ``owner_key_id``, only those of documents
        owned by that caller key (None: of every document)."""
        keys = [(step, p, s) for step, (p, s) in versions.items()]
        statement = (
            select(StepResult)
            .join(Document, Document.id == StepResult.document_id)
            .where(StepResult.status == StepStatus.REVIEW.value)
            .where(StepResult.input_hash == Document.content_hash)
            .where(
                tuple_(StepResult.step, StepResult.prompt_version, StepResult.schema_version).in_(
                    keys
                )
            )
            .where(StepResult.id > after)
            .order_by(StepResult.id)
            .limit(limit)
        )
        if owner_key_id is not None:
            statement = statement.where(Document.owner_key_id == owner_key_id)
        return self.session.scalars(statement).all()

    def resolve_review(self, result_id: int, status: StepStatus, reason: str) -> bool:
        """Move one result out of review (compare-and-set: False when it was not in review)."""
        result = self.session.execute(
            update(StepResult)
            .where(StepResult.id == result_id, StepResult.status == StepStatus.REVIEW.value)
            .values(status=status.value, reason=reason, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))
