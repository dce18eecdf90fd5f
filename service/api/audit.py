"""The audit log over HTTP (auditor keys only), the same reads as ``nightshift audit``.

- ``GET /v1/audit/entries`` — what ``nightshift audit query --json`` lists: each attempt once
  (intent and outcome merged; outcome ``unknown`` when the intent has none), with its filters
  (``from``, ``to``: a seq or a UTC date/time; ``document``, ``key``, ``route``, ``outcome``,
  ``run``), in seq order of the attempts' first entries;
- ``GET /v1/audit/checkpoint`` — a signed checkpoint of the log now (the latest one when
  nothing was appended since);
- ``GET /v1/audit/proof/{seq}`` — the entry, its inclusion proof and the checkpoint covering it;
- ``GET /v1/audit/consistency?first=&second=`` — the proof that the log of ``second`` entries
  extends the log of ``first`` (``second`` defaults to the latest checkpoint's size).

Entries hold hashes, counts, ids and outcomes — never text (DESIGN 4). An auditor verifies a
proof offline with the public key (``nightshift audit keys``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from compliance.audit.errors import NoteError
from compliance.audit.keys import AuditKeys
from service.api.audit_queries import (
    consistency_proof,
    entry_filter,
    find_attempts,
    inclusion_proof,
)
from service.api.errors import ApiError
from service.api.support import MAX_ID, ApiState, AuditorCaller, api_state

router = APIRouter(prefix="/v1/audit", tags=["audit"])

BOUND = "A seq (digits) or a UTC date/time (ISO 8601); inclusive."


@router.get("/entries", summary="Audited attempts matching every filter, each once")
async def audit_entries(
    caller: AuditorCaller,
    request: Request,
    start: Annotated[str | None, Query(alias="from", description=BOUND, max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", description=BOUND, max_length=40)] = None,
    document: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Document id.")] = None,
    key: Annotated[str | None, Query(description="Caller key id.", max_length=64)] = None,
    route: Annotated[str | None, Query(description="Route name.", max_length=64)] = None,
    outcome: Annotated[
        str | None, Query(description="ok, refused, ...; unknown", max_length=32)
    ] = None,
    run: Annotated[str | None, Query(description="Run id.", max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    try:
        where = entry_filter(
            start, end, document=document, key=key, route=route, outcome=outcome, run=run
        )
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    sessions = api_state(request).runtime.app.sessions
    entries = await run_in_threadpool(find_attempts, sessions, where, limit)
    return {"entries": entries, "count": len(entries), "limit": limit}


@router.get("/checkpoint", summary="A signed checkpoint of the log now")
async def audit_checkpoint(caller: AuditorCaller, request: Request) -> dict[str, Any]:
    log = api_state(request).runtime.audit
    signed = await run_in_threadpool(log.checkpoint_now)
    return {
        "id": signed.id,
        "tree_size": signed.checkpoint.tree_size,
        "key_id": signed.key_id,
        "note": signed.note,
    }


def _proof(state: ApiState, seq: int) -> dict[str, Any]:
    runtime = state.runtime
    verifiers = AuditKeys.load(state.settings.keys_dir).verifiers
    try:
        return inclusion_proof(runtime.app.sessions, runtime.audit, verifiers, seq)
    except LookupError as exc:
        raise ApiError(404, str(exc)) from None
    except NoteError as exc:
        raise ApiError(
            500, f"the checkpoint covering seq {seq} does not verify: {exc}", "server_error"
        ) from None


@router.get("/proof/{seq}", summary="Inclusion proof of one entry")
async def audit_proof(
    seq: Annotated[int, Path(ge=0, le=MAX_ID)], caller: AuditorCaller, request: Request
) -> dict[str, Any]:
    return await run_in_threadpool(_proof, api_state(request), seq)


def _consistency(state: ApiState, first: int, second: int | None) -> dict[str, Any]:
    try:
        return consistency_proof(state.runtime.app.sessions, first, second)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


@router.get("/consistency", summary="Consistency proof between two tree sizes")
async def audit_consistency(
    caller: AuditorCaller,
    request: Request,
    first: Annotated[int, Query(ge=0, le=MAX_ID, description="The older tree size.")],
    second: Annotated[
        int | None,
        Query(ge=0, le=MAX_ID, description="The newer tree size (default: latest checkpoint)."),
    ] = None,
) -> dict[str, Any]:
    return await run_in_threadpool(_consistency, api_state(request), first, second)
