"""Threads of one process take turns as SQLite's single writer on a Python lock, not in SQLite's
sleeping busy handler; the lock is released however a transaction ends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.engine import make_engine


def _engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (i INTEGER)"))
    return engine


def test_concurrent_writers_of_one_process_all_commit(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for i in range(100):
                with engine.begin() as connection:
                    connection.execute(text("SELECT count(*) FROM t")).scalar()
                    connection.execute(text("INSERT INTO t VALUES (:i)"), {"i": offset + i})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(DISTINCT i) FROM t")).scalar() == 800


def test_the_write_lock_is_released_by_rollback_and_by_a_failed_statement(
    tmp_path: Path,
) -> None:
    engine = _engine(tmp_path)
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the unit of work failed")
    with pytest.raises(Exception, match="no such table"), engine.begin() as connection:
        connection.execute(text("INSERT INTO missing VALUES (1)"))
    done = threading.Event()

    def later_writer() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        done.set()

    thread = threading.Thread(target=later_writer)
    thread.start()
    thread.join(10)
    assert done.is_set()  # a lock still held would block this writer for the busy timeout
    with engine.connect() as connection:
        assert connection.execute(text("SELECT i FROM t")).scalars().all() == [2]


def test_readers_do_not_take_the_write_lock(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as writing:
        writing.execute(text("INSERT INTO t VALUES (1)"))
        # a reader on another connection answers while the writer holds the lock
        with engine.connect() as reading:
            assert reading.execute(text("SELECT count(*) FROM t")).scalar() == 0
