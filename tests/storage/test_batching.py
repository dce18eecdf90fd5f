"""GroupCommit: each submitter gets its own result once committed, in as few batches as the load
allows; failures reach only the submitters they concern."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from storage.batching import GroupCommit, short_reason


class Failed(Exception):
    pass


class Recorder:
    """A batch writer that records each batch; ``bad`` items make their whole batch fail."""

    def __init__(self, bad: frozenset[int] = frozenset()) -> None:
        self.batches: list[list[int]] = []
        self.bad = bad
        self.release = threading.Event()
        self.release.set()

    def write(self, items: Sequence[int]) -> list[int]:
        self.release.wait(5)
        self.batches.append(list(items))
        if self.bad & set(items):
            raise ValueError("constraint failed\nDETAIL: value 'Айгуль' quoted by the driver")
        return [i * 10 for i in items]


async def test_items_queued_while_one_batch_writes_go_together_into_the_next() -> None:
    writer = Recorder()
    writer.release.clear()
    commits: GroupCommit[int, int] = GroupCommit(writer.write, Failed)
    first = asyncio.create_task(commits.submit(0))
    await asyncio.sleep(0.05)  # the writer now holds item 0 and waits for `release`
    rest = [asyncio.create_task(commits.submit(i)) for i in range(1, 50)]
    await asyncio.sleep(0.05)
    writer.release.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [i * 10 for i in range(1, 50)]
    assert writer.batches == [[0], list(range(1, 50))]


async def test_a_batch_is_never_larger_than_max_batch() -> None:
    writer = Recorder()
    commits: GroupCommit[int, int] = GroupCommit(writer.write, Failed, max_batch=7)
    assert await asyncio.gather(*(commits.submit(i) for i in range(30))) == [
        i * 10 for i in range(30)
    ]
    assert max(len(b) for b in writer.batches) <= 7
    assert sorted(i for b in writer.batches for i in b) == list(range(30))


async def test_isolated_batches_fail_only_the_bad_item() -> None:
    writer = Recorder(bad=frozenset({3}))
    commits: GroupCommit[int, int] = GroupCommit(writer.write, Failed, isolate=True)
    results = await asyncio.gather(*(commits.submit(i) for i in range(6)), return_exceptions=True)
    assert [r for i, r in enumerate(results) if i != 3] == [0, 10, 20, 40, 50]
    assert isinstance(results[3], Failed)
    # the reason is the type and the first line only: nothing the driver quoted
    assert str(results[3]) == "ValueError: constraint failed"
    assert "Айгуль" not in str(results[3])


async def test_without_isolation_every_submitter_of_the_batch_gets_the_failure() -> None:
    writer = Recorder(bad=frozenset({2}))
    writer.release.clear()
    commits: GroupCommit[int, int] = GroupCommit(writer.write, Failed)
    first = asyncio.create_task(commits.submit(0))
    await asyncio.sleep(0.05)
    rest = [asyncio.create_task(commits.submit(i)) for i in (1, 2, 3)]
    await asyncio.sleep(0.05)
    writer.release.set()
    assert await first == 0
    outcomes = await asyncio.gather(*rest, return_exceptions=True)
    assert all(isinstance(o, Failed) for o in outcomes)
    # and the writer goes on for later submitters
    assert await commits.submit(4) == 40


def test_short_reason_names_the_type_even_without_a_message() -> None:
    assert short_reason(KeyError()) == "KeyError"
    assert short_reason(ValueError("a\nb")) == "ValueError: a"


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(Recorder().write, Failed, max_batch=0)
