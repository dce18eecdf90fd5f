"""Group commit: the writes of many coroutines, committed together by one writer.

A coroutine calls :meth:`GroupCommit.submit` and gets its result back only once its item is
**committed** — the same promise as writing it alone, at a fraction of the transactions. Items
waiting in one event loop form a queue; one writer task at a time takes everything queued (up to
``max_batch``) and hands it to ``write_batch`` in a worker thread, which commits it as one
transaction and returns one result per item. While it writes, new items queue up for the next
batch, so the batch size follows the load: one item when the load is light (no added latency),
hundreds when it is heavy.

Failures: when a batch fails, ``isolate=True`` writes each of its items again in a batch of its
own, so one bad item fails only its own submitter; otherwise every submitter of the batch gets
the error (for writes that must stay in order, such as the audit log). The error is made by
``failure(reason)``: the reason is the exception's type and the first line of its message, never
more (messages can quote parameters).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def short_reason(exc: BaseException) -> str:
    """``Type: first line of the message`` — what may be said about a failed write."""
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


@dataclass
class _Queue(Generic[In, Out]):
    items: list[tuple[In, asyncio.Future[Out]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class GroupCommit(Generic[In, Out]):
    """Commits submitted items in batches; one writer per event loop."""

    def __init__(
        self,
        write_batch: Callable[[Sequence[In]], Sequence[Out]],
        failure: Callable[[str], Exception],
        *,
        max_batch: int = 512,
        isolate: bool = False,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write_batch = write_batch
        self._failure = failure
        self._max_batch = max_batch
        self._isolate = isolate
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[In, Out]] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, item: In) -> Out:
        """Queue ``item``; returns its result once it is committed (or raises the failure)."""
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        future: asyncio.Future[Out] = loop.create_future()
        queue.items.append((item, future))
        if queue.writer is None:
            queue.writer = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[In, Out]) -> None:
        batch: list[tuple[In, asyncio.Future[Out]]] = []
        try:
            while queue.items:
                batch = queue.items[: self._max_batch]
                del queue.items[: self._max_batch]
                await self._write(batch)
                batch = []
        finally:
            queue.writer = None
            leftovers, queue.items = batch + queue.items, []
            for _, future in leftovers:
                if not future.done():
                    future.set_exception(self._failure("the writer was stopped"))

    async def _write(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            results = await asyncio.to_thread(self._write_batch, [item for item, _ in batch])
        except Exception as exc:
            if self._isolate and len(batch) > 1:
                for one in batch:
                    await self._write([one])
                return
            for _, future in batch:
                if not future.done():
                    future.set_exception(self._failure(short_reason(exc)))
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
