"""Documents over HTTP: process one now, ingest some, read the results (client role; reading
also admin, and auditor without any text).

A document sent here is owned by the caller's key. A client key of scope ``own`` reads only the
documents it owns: any other id is answered 404 exactly like a missing one, so the answer does
not tell that it exists. Sending a record whose identity (source and external id) is a document
the key does not own is refused with 409 and changes nothing (``flows.ingest.OwnedElsewhere``).

- ``POST /v1/process`` — one record in the ingest JSONL shape is stored (new, changed or
  unchanged, like ``nightshift ingest``) and run through the online steps **in this process**
  (DESIGN 9: never through the Prefect server); the answer has the extracted fields, the
  category with its urgent flag and the draft, re-identified for the client. ``?steps=`` asks
  for fewer steps. The calls are made for the caller's key: its limits apply (429 with
  ``Retry-After``), the audit names it. An erased document (data key shredded) is 410.
- ``POST /v1/documents`` — one record or a list: new / changed / unchanged / rejected with
  reasons, and the id of each stored document.
- ``GET /v1/documents/{id}`` — the latest result of each step. Client and admin keys see the
  outputs with the real values put back (DESIGN 3: re-identified for a role allowed to see them);
  an auditor key sees statuses, reasons, versions, routes and usage only — never an output,
  which is document text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from compliance.errors import DocumentErased
from compliance.keys.callers import Caller, Role
from compliance.keys.limits import LimitExceeded
from flows.config import STEPS
from flows.ingest import DocumentWriter, IncomingDocument, identity_key, record_from_mapping
from flows.ingest.errors import IngestError, OwnedElsewhere, RecordRejected
from flows.ingest.records import Rejection
from flows.ingest.sizes import too_large
from flows.online.flow import OnlineResult, process_online, store_record
from flows.results import document_results, reidentified_results, reidentify_results
from flows.runtime import Runtime
from service.api.errors import ApiError, retry_after_header
from service.api.support import ClientCaller, PathId, ReaderCaller, api_state
from storage.engine import transaction
from storage.models import Document, DocumentFormat, StepResult
from storage.repositories.step_results import StepResultRepository

router = APIRouter(tags=["documents"])

API_SOURCE = "api"
MAX_BATCH = 1000
STEPS_HELP = "Comma-separated steps to run, of extract, categorize, draft (default: all three)."


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    filename: str = "attachment"
    text: str = ""


class DocumentIn(BaseModel):
    """One record in the ingest JSONL shape (docs/ingest.md); unknown keys are ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    body: str | None = Field(
        default=None, description="Required: a record without a body is rejected, with why."
    )
    external_id: str | int | None = None
    received_at: str | None = Field(default=None, description="ISO 8601 (UTC when no offset).")
    sender: str | None = Field(default=None, alias="from", description='"Name <address>".')
    to: str | list[str] | None = None
    cc: str | list[str] | None = None
    subject: str | None = None
    attachments: list[AttachmentIn] | None = None
    urgent: bool | int | str | None = None
    labels: dict[str, Any] | None = Field(default=None, description="Ground truth; never sent.")


def parse_steps(steps: str | None) -> tuple[str, ...]:
    if steps is None:
        return STEPS
    wanted = {part.strip() for part in steps.split(",") if part.strip()}
    if not wanted or not wanted <= set(STEPS):
        raise ApiError(400, f"steps must be a comma-separated subset of {', '.join(STEPS)}")
    return tuple(step for step in STEPS if step in wanted)


def to_record(item: DocumentIn, where: str, max_bytes: int) -> IncomingDocument:
    """Validate one record like a JSONL line; :class:`RecordRejected` says why it is not."""
    data = item.model_dump(by_alias=True, exclude_unset=True)
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > max_bytes:
        raise RecordRejected(too_large(size, max_bytes))
    return record_from_mapping(data, where=where, format=DocumentFormat.API, size_bytes=size)


def limit_error(limit: LimitExceeded, document_id: int | None = None) -> ApiError:
    stored = f"document {document_id} is stored; " if document_id is not None else ""
    wait = (
        f"retry in {retry_after_header(limit.retry_after_s)['Retry-After']} s"
        if limit.retry_after_s is not None
        else "it will not pass before the period ends"
    )
    return ApiError(
        429,
        f"{stored}caller key {limit.key_id} is over its {limit.limit.split(':')[-1]} limit; {wait}",
        code=limit.limit,
        headers=retry_after_header(limit.retry_after_s),
    )


def not_yours(where: Sequence[str]) -> ApiError:
    """409 for records naming documents the caller's key does not own (whose, never said)."""
    return ApiError(
        409,
        f"{', '.join(where)}: a document with the same identity (source and external_id) is not "
        "this key's: another caller key sent it, or it was ingested outside the API. Nothing "
        "was stored; send it with another external_id or source",
    )


def erased_error(document_id: int) -> ApiError:
    return ApiError(410, f"document {document_id} was erased; its text cannot be read")


def _reveal(
    runtime: Runtime, result: OnlineResult
) -> tuple[dict[str, dict[str, Any] | None], list[str]]:
    """The step outputs with the document's real values put back (for a client): from the
    result's ``mapping`` when every output was made with its masker version, else from the
    vault, each output with the map of its own version."""
    results = {
        step: {"output": view.output, "masker_version": view.masker_version}
        for step, view in result.steps.items()
    }
    if result.mapping is not None and result.one_version():
        restored, unknown = reidentify_results(results, result.mapping)
    else:
        with transaction(runtime.app.sessions) as session:
            document = session.get(Document, result.document_id)
            assert document is not None
            restored, unknown = reidentified_results(
                session, runtime.app.keyring, document, results
            )
    return {step: info["output"] for step, info in restored.items()}, unknown


def _process_answer(
    result: OnlineResult, outputs: dict[str, dict[str, Any] | None], unknown: list[str]
) -> dict[str, Any]:
    summary = result.as_dict(include_outputs=False)
    category = outputs.get("categorize")
    return {
        "document_id": result.document_id,
        "run_id": result.run_id,
        "status": result.status,
        "fields": outputs.get("extract"),
        "category": category,
        "urgent": category.get("urgent") if category else None,
        "draft": outputs.get("draft"),
        "steps": summary["steps"],
        "usage": {key: summary[key] for key in ("calls", "tokens_in", "tokens_out", "cost")},
        "latency_ms": summary["latency_ms"],
        "model_ms": summary["model_ms"],
        "unknown_placeholders": unknown,
    }


@router.post("/v1/process", summary="Process one document now (online steps, in-process)")
async def process_document(
    document: DocumentIn,
    caller: ClientCaller,
    request: Request,
    steps: Annotated[str | None, Query(description=STEPS_HELP, max_length=64)] = None,
) -> dict[str, Any]:
    state = api_state(request)
    wanted = parse_steps(steps)
    try:
        record = to_record(document, "request", state.settings.ingest.max_record_bytes)
    except RecordRejected as exc:
        raise ApiError(413 if "over the limit" in exc.reason else 400, exc.reason) from None
    runtime = state.runtime
    try:
        document_id = await run_in_threadpool(
            partial(store_record, owner_key_id=caller.key_id), runtime, record
        )
    except OwnedElsewhere as exc:
        raise not_yours(exc.where) from None
    try:
        result = await process_online(
            runtime,
            document_id,
            wanted,
            caller_key_id=caller.key_id,
            mask_workers=state.mask_workers,
        )
        if result.limit is not None:
            raise limit_error(result.limit, document_id)
        if result.mapping is not None and result.one_version():
            revealed, unknown = _reveal(runtime, result)  # the map is at hand: no thread, no lookup
        else:
            revealed, unknown = await run_in_threadpool(_reveal, runtime, result)
    except DocumentErased:
        raise erased_error(document_id) from None
    return _process_answer(result, revealed, unknown)


def _writer(runtime: Runtime, source: str, caller: Caller) -> DocumentWriter:
    """A writer for the caller's key whose one batch holds a whole request: a request is
    stored in one transaction, or (409) not at all."""
    try:
        return DocumentWriter(
            runtime.app.sessions,
            runtime.app.keyring,
            source,
            batch_size=MAX_BATCH,
            owner_key_id=caller.key_id,
        )
    except IngestError as exc:
        raise ApiError(400, str(exc)) from None


def _store(
    writer: DocumentWriter, items: Sequence[DocumentIn], source: str, max_bytes: int
) -> list[str | None]:
    """Write the items (a rejected one with its reason); the identity key of each (or None)."""
    keys: list[str | None] = []
    for index, item in enumerate(items):
        where = f"item {index}"
        try:
            record = to_record(item, where, max_bytes)
        except RecordRejected as exc:
            writer.add(Rejection(where, exc.reason))
            keys.append(None)
            continue
        writer.add(record)
        keys.append(identity_key(source, record.external_id, record.content_hash))
    writer.flush()
    return keys


def _ingest(
    runtime: Runtime, items: Sequence[DocumentIn], source: str, max_bytes: int, caller: Caller
) -> dict[str, Any]:
    writer = _writer(runtime, source, caller)
    try:
        keys = _store(writer, items, source, max_bytes)
    except OwnedElsewhere as exc:
        raise not_yours(exc.where) from None
    wanted = [key for key in keys if key is not None]
    with transaction(runtime.app.sessions) as session:
        rows = session.execute(
            select(Document.identity_key, Document.id).where(Document.identity_key.in_(wanted))
        )
        ids = {str(key): int(document_id) for key, document_id in rows}
    report = writer.report.as_dict()
    report.pop("files", None)
    report["document_ids"] = [ids.get(key) if key else None for key in keys]
    return report


@router.post("/v1/documents", summary="Ingest one document or a list (stored, not processed)")
async def ingest_documents(
    documents: DocumentIn | list[DocumentIn],
    caller: ClientCaller,
    request: Request,
    source: Annotated[
        str, Query(description="Source name (part of each document's identity).", max_length=100)
    ] = API_SOURCE,
) -> dict[str, Any]:
    state = api_state(request)
    items = documents if isinstance(documents, list) else [documents]
    if len(items) > MAX_BATCH:
        raise ApiError(413, f"at most {MAX_BATCH} documents per request; send several requests")
    limit = state.settings.ingest.max_record_bytes
    return await run_in_threadpool(_ingest, state.runtime, items, source, limit, caller)


def _step_facts(row: StepResult) -> dict[str, Any]:
    """What anyone may see of a step result: no output."""
    return {
        "status": row.status,
        "prompt_version": row.prompt_version,
        "reason": row.reason,
        "route": row.route,
        "model": row.model,
        "attempts": row.attempts,
        "tokens_in": row.tokens_in,
        "tokens_out": row.tokens_out,
        "cost": str(row.cost),
    }


def _document_view(runtime: Runtime, document_id: int, caller: Caller) -> dict[str, Any]:
    versions = runtime.versions(STEPS)
    with transaction(runtime.app.sessions) as session:
        document = session.get(Document, document_id)
        if document is None or not caller.may_see(document.owner_key_id):
            raise ApiError(404, f"there is no document {document_id}")  # the same: not revealed
        rows = [
            row
            for row in StepResultRepository(session).for_documents([document_id])
            if row.input_hash == document.content_hash
            and (row.prompt_version, row.schema_version) == versions.get(row.step)
        ]
        steps = {row.step: _step_facts(row) for row in rows}
        view: dict[str, Any] = {
            "document_id": document.id,
            "source": document.source,
            "format": document.format,
            "status": document.status,
            "urgent": document.urgent,
            "revision": document.revision,
            "received_at": document.received_at.isoformat() if document.received_at else None,
            "attachment_count": document.attachment_count,
            "steps": steps,
        }
        if caller.role is Role.AUDITOR:  # never document text, not even the external id
            return view
        if document.wrapped_key is None:
            raise erased_error(document_id)
        results = document_results(session, runtime.app.keyring, document, versions)
        restored, unknown = reidentified_results(session, runtime.app.keyring, document, results)
    for step, info in restored.items():
        steps.setdefault(step, {})["output"] = info.get("output")
    view["external_id"] = document.external_id
    view["unknown_placeholders"] = unknown
    return view


@router.get("/v1/documents/{document_id}", summary="The results of one document")
async def read_document(
    document_id: PathId, caller: ReaderCaller, request: Request
) -> dict[str, Any]:
    state = api_state(request)
    return await run_in_threadpool(_document_view, state.runtime, document_id, caller)
