"""The online path: one document through the same steps, answered in seconds.

:func:`process_online` is the plain function the HTTP API calls in-process (DESIGN 9: the online
path never waits on the Prefect server); :func:`online_flow` wraps it for runs started from
Prefect (UI, automations) and the CLI. Both save every step result, so a later nightly run never
pays for the same document again, and a document already finished is answered from the store.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow

from compliance.errors import DocumentErased
from compliance.gateway.retry import RetryPolicy
from compliance.keys.encryption import DataKey
from compliance.keys.limits import LimitExceeded, limit_refusal
from compliance.keys.vault import VaultRecord
from flows.accounting import RunCounters
from flows.config import STEPS
from flows.documents import DocumentPayload, open_payload
from flows.ingest import DocumentWriter, IncomingDocument, identity_key
from flows.masker_versions import entry_of, open_entry, resolve, run_version
from flows.online.writes import OnlineWrite, RunFinish, RunStart
from flows.privacy import VERSION_MISSING, ToMask, mask_documents, masked_view, vault_entry
from flows.results import Finished, data_key_of, document_status, finished_outputs, outcome_row
from flows.runtime import Runtime
from flows.settings import load_settings
from flows.steps.base import StepOutcome
from flows.steps.sequencer import Turn, run_steps
from storage.engine import transaction
from storage.models import Document, VaultEntry
from storage.repositories.vault import VaultRepository

ONLINE_SOURCE = "online"
#: A person is waiting: short timeouts, few retries, no long backoff.
ONLINE_TIMEOUT_S = 20.0
ONLINE_RETRY = RetryPolicy(max_attempts=2, content_retries=1, base_delay_s=0.2, max_delay_s=1.0)


@dataclass
class StepView:
    status: str
    prompt_version: str | None
    output: dict[str, Any] | None
    reason: str | None
    from_store: bool
    #: The masker version of the text the step saw: its output's placeholders are that map's.
    masker_version: str | None = None


@dataclass
class OnlineResult:
    document_id: int
    run_id: str
    status: str
    steps: dict[str, StepView] = field(default_factory=dict)
    counters: RunCounters = field(default_factory=RunCounters)
    latency_ms: float = 0.0
    #: Time spent in model calls, as the gateway measured each attempt (the critical path).
    model_ms: float = 0.0
    #: Set when the caller key went over a limit: the steps after it were not tried.
    limit: LimitExceeded | None = None
    #: Placeholder → real value of this document (personal data: never in ``as_dict``, never
    #: printed), for a caller allowed to see the outputs re-identified; None when not masked.
    #: Of :attr:`masker_version`: it fits only outputs of steps with that version.
    mapping: Mapping[str, str] | None = field(default=None, repr=False)
    #: The masker version the steps of this request ran under.
    masker_version: str | None = None

    def one_version(self) -> bool:
        """True when every output was made with :attr:`masker_version` (``mapping`` fits)."""
        return all(
            view.masker_version == self.masker_version
            for view in self.steps.values()
            if view.output is not None
        )

    def as_dict(self, *, include_outputs: bool = True) -> dict[str, Any]:
        steps = {
            name: {
                "status": view.status,
                "prompt_version": view.prompt_version,
                "reason": view.reason,
                "from_store": view.from_store,
                **({"output": view.output} if include_outputs else {}),
            }
            for name, view in self.steps.items()
        }
        counters = self.counters.as_dict()
        return {
            "document_id": self.document_id,
            "run_id": self.run_id,
            "status": self.status,
            "steps": steps,
            "calls": counters["calls"],
            "tokens_in": counters["tokens_in"],
            "tokens_out": counters["tokens_out"],
            "cost": counters["cost"],
            "latency_ms": round(self.latency_ms, 1),
            "model_ms": round(self.model_ms, 1),
        }


def store_record(
    runtime: Runtime,
    record: IncomingDocument,
    source: str = ONLINE_SOURCE,
    *,
    owner_key_id: str | None = None,
) -> int:
    """Store one incoming record (new, changed or unchanged) and return its document id.

    ``owner_key_id``: the caller key the record comes from (HTTP API); a new document is its,
    and a document of another owner raises :class:`~flows.ingest.OwnedElsewhere` untouched.
    """
    writer = DocumentWriter(
        runtime.app.sessions, runtime.app.keyring, source, owner_key_id=owner_key_id
    )
    writer.add(record)
    ids = writer.flush()
    return ids[identity_key(source, record.external_id, record.content_hash)]


async def process_online(
    runtime: Runtime,
    document_id: int,
    steps: Sequence[str] = STEPS,
    *,
    timeout_s: float = ONLINE_TIMEOUT_S,
    retry: RetryPolicy = ONLINE_RETRY,
    caller_key_id: str | None = None,
    mask_workers: int = 1,
) -> OnlineResult:
    """Run the requested steps for one stored document (finished steps come from the store).

    ``caller_key_id``: the key the calls are made for (its limits apply, the audit names it).
    ``mask_workers``: > 1 masks in that many worker processes (a long-lived server: masking no
    longer holds this interpreter while other requests wait), 1 in a thread of this process.
    Raises :class:`~compliance.errors.DocumentErased` for an erased document (no run is
    recorded, no call made) and :class:`LookupError` for a missing one.
    """
    started = time.perf_counter()
    wanted = tuple(s for s in STEPS if s in steps)
    versions = runtime.versions(STEPS)
    run_id = str(uuid.uuid4())
    # Database and decryption work runs in threads: the HTTP API serves other requests on this
    # event loop meanwhile (measured: commits on the loop stalled every request in flight).
    opened = await asyncio.to_thread(_open_document, runtime, document_id, versions)
    document, done, payload, key = opened.document, opened.done, opened.payload, opened.key
    record, version = opened.record, opened.masker_version
    result = OnlineResult(document_id, run_id, document.status, masker_version=version)
    failures: dict[int, str] = {}
    # Each write is queued for commit as soon as it is known (the run, the vault entry, each
    # paid answer) while the next step's call runs; all are committed before the answer goes
    # back. The run row is first in the queue: the step results refer to it.
    start = RunStart(run_id, datetime.now(UTC), {"document_id": document_id, "steps": list(wanted)})
    writes: list[asyncio.Future[None]] = []
    entry = None
    if record is None and set(wanted) - set(done):  # not masked by its version yet
        record, entry, failures = await _mask(runtime, opened, mask_workers)
    view = masked_view(document, payload, record) if record else None
    result.mapping = record.mapping if record else None
    ctx = runtime.step_context(
        "online", run_id, timeout_s=timeout_s, retry=retry, caller_key_id=caller_key_id
    )
    # Only outputs of this request's masker version: placeholders of two versions never mix.
    previous = {
        s: f.output
        for s, f in done.items()
        if f.output is not None and opened.versions[s] == version
    }
    statuses = {s: f.status for s, f in done.items()}
    writes.append(_queue_write(runtime, start))
    if entry is not None:  # committed with or before the first answer
        writes.append(_queue_write(runtime, entry))

    async def answered(turn: Turn, step: str, outcome: StepOutcome | None) -> str | None:
        if outcome is None:  # answered from the store
            made = done[step]
            result.steps[step] = StepView(
                made.status.value, versions[step][0], made.output, None, True, opened.versions[step]
            )
            return None
        if turn is Turn.BLOCKED:  # not run, not saved
            result.steps[step] = StepView(
                outcome.status.value, None, None, outcome.reason, False, version
            )
            return None
        writes.append(_queue_write(runtime, outcome_row(document, key, outcome, run_id, version)))
        result.counters.add_outcome(outcome)
        statuses[step] = outcome.status
        result.steps[step] = StepView(
            outcome.status.value,
            outcome.prompt_version,
            outcome.output,
            outcome.reason,
            False,
            version,
        )
        result.model_ms += sum(a.latency_ms for r in outcome.responses for a in r.attempts)
        result.limit = limit_refusal(outcome.responses[-1]) if outcome.responses else None
        # Over a limit: the next steps would be refused as well.
        return "limit" if result.limit is not None else None

    try:
        await run_steps(
            ctx,
            runtime.registry,
            view,
            wanted,
            finished=done.keys(),
            previous=previous,
            not_sent=failures.get(document_id) if view is None else None,
            # The store refuses writes: stop paying for answers (raised below).
            stop=lambda: "write_failed" if _write_failed(writes) else None,
            on_step=answered,
        )
    except BaseException:  # a bug or a cancelled request: what was paid for is still saved
        await _settled(writes)
        raise
    overall = document_status(list(statuses.values()), len(STEPS))
    result.status = overall.value
    result.latency_ms = (time.perf_counter() - started) * 1000.0
    finish = RunFinish(
        run_id,
        document_id,
        overall,
        datetime.now(UTC),
        result.as_dict(include_outputs=False),
    )
    if not _write_failed(writes):
        writes.append(_queue_write(runtime, finish))  # with the last row, in one transaction
    await _commit_writes(writes)
    return result


async def _mask(
    runtime: Runtime, opened: _Opened, mask_workers: int
) -> tuple[VaultRecord | None, VaultEntry | None, dict[int, str]]:
    """Mask the document once by this process's masker: its record, the vault entry to write
    and the failures. Refused when its steps run under another version whose entry is gone
    (its finished outputs' placeholders would not match a new map)."""
    document_id = opened.document.id
    if opened.masker_version != runtime.masker_version:
        return None, None, {document_id: VERSION_MISSING}
    item = ToMask(opened.document, opened.payload, opened.key)
    made, failures = await asyncio.to_thread(mask_documents, runtime.masker(), [item], mask_workers)
    record = made.get(document_id)
    return record, vault_entry(item, record) if record is not None else None, failures


def _queue_write(runtime: Runtime, item: OnlineWrite) -> asyncio.Future[None]:
    """Queue ``item`` for the group commit now; the future is done once it is committed."""
    return asyncio.ensure_future(runtime.online_writes.submit(item))


def _write_failed(writes: Sequence[asyncio.Future[None]]) -> bool:
    return any(write.done() and write.exception() is not None for write in writes)


async def _settled(writes: Sequence[asyncio.Future[None]]) -> list[BaseException | None]:
    """Wait until every queued write is done (committed or failed).

    The writes are tasks of their own: a request cancelled meanwhile (the client went away)
    still saves every answer it paid for."""
    return await asyncio.shield(asyncio.gather(*writes, return_exceptions=True))


async def _commit_writes(writes: Sequence[asyncio.Future[None]]) -> None:
    """Wait until every queued write is done; raise the first failure, if any."""
    for outcome in await _settled(writes):
        if isinstance(outcome, BaseException):
            raise outcome


@dataclass
class _Opened:
    """What a request reads before its steps (one read-only transaction)."""

    document: Document
    done: Finished
    payload: DocumentPayload
    key: DataKey
    #: The masker version its steps run under (``flows.masker_versions.run_version``).
    masker_version: str
    #: The vault record of that version; None when it is not masked by it yet.
    record: VaultRecord | None
    #: The masker version of each finished step (None: its map is gone).
    versions: dict[str, str | None]


def _open_document(
    runtime: Runtime, document_id: int, versions: dict[str, tuple[str, str]]
) -> _Opened:
    """The document, its finished steps, its payload, data key, the masker version its steps
    run under and that version's vault record. One read-only transaction."""
    with transaction(runtime.app.sessions) as session:
        document = session.get(Document, document_id)
        if document is None:
            raise LookupError(f"document {document_id} does not exist")
        if document.wrapped_key is None:  # before the run is queued: an erased document is no run
            raise DocumentErased(document_id)
        finished = finished_outputs(session, runtime.app.keyring, {document.id: document}, versions)
        done = finished.get(document_id, {})
        payload = open_payload(runtime.app.keyring, document)
        key = data_key_of(runtime.app.keyring, document)
        entries = VaultRepository(session).for_content(document.id, document.content_hash)
    version = run_version(done.values(), entries, runtime.masker_version)
    entry = entry_of(entries, version)
    record = open_entry(key, entry) if entry is not None else None
    made_with = {step: resolve(f.masker_version, entries) for step, f in done.items()}
    return _Opened(document, done, payload, key, version, record, made_with)


@flow(name="online", persist_result=False, log_prints=False)
async def online_flow(document_id: int, steps: list[str] | None = None) -> dict[str, Any]:
    """One stored document through the steps (Prefect flow; returns ids and statuses only)."""
    runtime = Runtime.open(load_settings())
    try:
        result = await process_online(runtime, document_id, steps or STEPS)
    finally:
        await runtime.aclose()
    return result.as_dict(include_outputs=False)
