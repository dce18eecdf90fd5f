"""Worker processes for :meth:`Masker.mask_many <compliance.masking.masker.Masker.mask_many>`.

Each worker loads its own masker once (spawned, not forked: the parent may run threads — a
Prefect worker, an HTTP server — and a fork would copy their locks mid-flight) and then masks
chunks of documents. The pool stays up between batches until :meth:`MaskingPool.close`.

Each worker's masker limits its BLAS to one thread, as every masker does (see :mod:`.blas`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from multiprocessing import resource_tracker
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.masking.masker import MaskResult

Item = tuple[dict[str, str], str | None]
_CHUNKS_PER_WORKER = 4
_worker_masker: Any = None


def _start_worker(public_numbers: tuple[str, ...]) -> None:
    global _worker_masker  # one masker per worker process, by design
    from compliance.masking.masker import Masker

    _worker_masker = Masker.load(public_numbers=public_numbers)


def _worker_pid() -> int:
    return os.getpid()


def _mask_chunk(offset: int, chunk: list[Item]) -> list[MaskResult]:
    return [
        _worker_masker._mask_in_batch(offset + i, parts, sender)
        for i, (parts, sender) in enumerate(chunk)
    ]


class MaskingPool:
    """``workers`` processes, each with a loaded masker."""

    def __init__(self, workers: int, public_numbers: tuple[str, ...]) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(public_numbers,),
        )
        # Start every worker now (each submit spawns one until all run), not mid-batch.
        wait([self._executor.submit(_worker_pid) for _ in range(workers)])

    def mask_many(self, items: Sequence[tuple[Mapping[str, str], str | None]]) -> list[MaskResult]:
        """Mask ``items`` in the processes; :class:`BrokenProcessPool` when one of them is gone
        (checked first: the executor itself notices a dead process only a moment later)."""
        if not self.healthy():
            raise BrokenProcessPool("a masking process is gone")
        plain: list[Item] = [(dict(parts), sender) for parts, sender in items]
        size = max(1, -(-len(plain) // (self.workers * _CHUNKS_PER_WORKER)))
        offsets = range(0, len(plain), size)
        chunks = [plain[i : i + size] for i in offsets]
        done = self._executor.map(_mask_chunk, offsets, chunks)
        return [result for chunk in done for result in chunk]

    def healthy(self) -> bool:
        """Every worker process is still running."""
        processes = list((self._executor._processes or {}).values())
        return len(processes) == self.workers and all(p.is_alive() for p in processes)

    def pids(self) -> list[int]:
        """The worker processes' ids (for operators and tests)."""
        return [int(pid) for pid in (self._executor._processes or {})]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        _reap_resource_tracker()


def _reap_resource_tracker() -> None:
    """Stop and reap multiprocessing's resource tracker, a child process the pool started.

    When a signal to the whole process group (``nightshift up``, a container runtime) ends the
    tracker before this process exits, nobody would wait for it: it would stay a zombie under an
    init that does not reap. The next pool starts a new one. ``_stop`` is CPython's own way
    (its tests use it); if a later Python lacks it, nothing is done.
    """
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        with suppress(ChildProcessError, OSError):
            stop()
