"""The review queue over HTTP (client and admin keys): list it, resolve an item.

A review item is a step result in ``review`` for its document's current content and the active
prompt version — an answer a person must look at (low confidence, a failed quality gate,
masking failed …). Its id is the step result's id. The list holds ids, steps, reasons and the
urgent flag, never text: read the output with ``GET /v1/documents/{id}``.

A client key of document scope ``own`` sees and resolves only the items of documents it owns
(another's item is 404, like a missing one); a key of scope ``all`` and an admin key, every item.

Resolving (``POST /v1/review/{id}`` with ``{"decision": "accept" | "reject", "note": "<code>"}``):

- **accept** — the output stands: the step becomes ``done``;
- **reject** — the step becomes ``failed``, so the next run (nightly, or ``POST /v1/process``)
  asks the model again.

The reason becomes ``review_accepted:<note>;by=<key id>`` (or ``review_rejected``), so who
decided is kept with the result. The note is a short code (``wrong_category``), not free text:
it is stored in clear and must never hold personal data. Resolving is a compare-and-set: of two
people resolving the same item at once, one gets 409. The document's status follows its steps.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from compliance.keys.callers import Caller
from flows.config import STEPS
from flows.results import document_status
from flows.runtime import Runtime
from service.api.errors import ApiError
from service.api.support import MAX_ID, PathId, ReviewerCaller, api_state
from storage.engine import transaction
from storage.models import Document, StepResult, StepStatus
from storage.repositories.step_results import StepResultRepository

router = APIRouter(tags=["review"])

NOTE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "reject"]
    note: str = Field(
        pattern=NOTE_PATTERN,
        description="A short code for why (lowercase letters, digits, _ . -), never free text.",
    )


def _queue(runtime: Runtime, caller: Caller, after: int, limit: int) -> dict[str, Any]:
    versions = runtime.versions(STEPS)
    owner = None if caller.sees_every_document else caller.key_id
    with transaction(runtime.app.sessions) as session:
        rows = StepResultRepository(session).in_review(
            versions, after=after, limit=limit, owner_key_id=owner
        )
        ids = sorted({row.document_id for row in rows})
        found = session.execute(select(Document.id, Document.urgent).where(Document.id.in_(ids)))
        urgent = {int(document_id): bool(flag) for document_id, flag in found}
        items = [
            {
                "id": row.id,
                "document_id": row.document_id,
                "step": row.step,
                "reason": row.reason,
                "prompt_version": row.prompt_version,
                "urgent": urgent.get(row.document_id, False),
                "since": row.updated_at.isoformat(),
            }
            for row in rows
        ]
    return {"items": items, "next_after": items[-1]["id"] if len(items) == limit else None}


@router.get("/v1/review", summary="The review queue: ids, steps and reasons (no text)")
async def review_queue(
    caller: ReviewerCaller,
    request: Request,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Only items with a larger id (paging).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    return await run_in_threadpool(_queue, api_state(request).runtime, caller, after, limit)


def _current(row: StepResult, document: Document, versions: dict[str, tuple[str, str]]) -> bool:
    return row.input_hash == document.content_hash and (
        row.prompt_version,
        row.schema_version,
    ) == versions.get(row.step)


def _resolve(
    runtime: Runtime, item_id: int, decision: ReviewDecision, caller: Caller
) -> dict[str, Any]:
    versions = runtime.versions(STEPS)
    with transaction(runtime.app.sessions) as session:
        row = session.get(StepResult, item_id)
        document = session.get(Document, row.document_id) if row is not None else None
        if (
            row is None
            or document is None
            or not caller.may_see(document.owner_key_id)
            or not _current(row, document, versions)
        ):
            raise ApiError(404, f"there is no review item {item_id}; GET /v1/review lists them")
        if row.status != StepStatus.REVIEW.value:
            raise ApiError(409, f"review item {item_id} is already resolved ({row.status})")
        if decision.decision == "accept" and row.output is None:
            raise ApiError(
                409,
                f"review item {item_id} has no output to accept ({row.reason}); reject it "
                "so that the next run tries again",
            )
        accept = decision.decision == "accept"
        status = StepStatus.DONE if accept else StepStatus.FAILED
        verb = "accepted" if accept else "rejected"
        reason = f"review_{verb}:{decision.note};by={caller.key_id}"
        if not StepResultRepository(session).resolve_review(item_id, status, reason):
            raise ApiError(409, f"review item {item_id} was resolved by someone else just now")
        session.expire_all()
        current = [
            StepStatus(r.status)
            for r in StepResultRepository(session).for_documents([document.id])
            if _current(r, document, versions)
        ]
        document.status = document_status(current, len(STEPS)).value
        return {
            "id": item_id,
            "document_id": document.id,
            "step": row.step,
            "status": status.value,
            "reason": reason,
            "document_status": document.status,
        }


@router.post("/v1/review/{item_id}", summary="Resolve a review item: accept or reject")
async def resolve_review(
    item_id: PathId, decision: ReviewDecision, caller: ReviewerCaller, request: Request
) -> dict[str, Any]:
    runtime = api_state(request).runtime
    return await run_in_threadpool(_resolve, runtime, item_id, decision, caller)
