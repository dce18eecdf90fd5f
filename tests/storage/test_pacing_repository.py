"""The queries of ``route_pacing``: one atomic UPDATE ... RETURNING per booking."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.repositories import PacingRepository
from storage.repositories.pacing import greatest

NOW = 1_800_000_000.0


def test_greatest_is_max_on_sqlite_and_greatest_on_postgresql() -> None:
    statement = select(greatest(1.0, 2.0))
    assert "max(" in str(statement.compile(dialect=sqlite.dialect()))
    assert "greatest(" in str(statement.compile(dialect=postgresql.dialect())).lower()  # type: ignore[no-untyped-call]


def test_ensure_creates_the_row_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        assert repo.get("r") is None
        repo.ensure("r")
        repo.ensure("r")
        assert repo.get("r") == (0.0, 0.0)


def test_a_booking_starts_at_now_on_an_idle_route_and_moves_both_times(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        repo.ensure("r")
        assert repo.reserve("r", NOW, 0.5, 2.0, tolerance_s=1.0) == (NOW + 0.5, NOW + 2.0)
        # the next one queues after both; tokens are the later: requests follow them
        tat = repo.reserve("r", NOW, 0.5, 2.0, tolerance_s=1.0)
        assert tat == pytest.approx((NOW + 1.0 + 0.5, NOW + 4.0))
        assert repo.get("r") == pytest.approx(tat)


def test_a_booking_after_a_long_pause_starts_from_now(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        repo.ensure("r")
        repo.reserve("r", NOW, 1.0, 1.0, tolerance_s=0.0)
        assert repo.reserve("r", NOW + 100, 1.0, 1.0, tolerance_s=0.0) == (NOW + 101, NOW + 101)


def test_bookings_are_visible_to_other_sessions_once_committed(
    sessions: sessionmaker[Session],
) -> None:
    for _ in range(3):
        with sessions() as session, session.begin():
            repo = PacingRepository(session)
            repo.ensure("r")
            repo.reserve("r", NOW, 1.0, 0.0, tolerance_s=0.0)
    with sessions() as session:
        assert PacingRepository(session).get("r") == pytest.approx((NOW + 3, NOW + 2))


def test_shift_tokens_gives_back_or_takes_token_time(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        repo.ensure("r")
        repo.reserve("r", NOW, 0.0, 10.0, tolerance_s=0.0)
        repo.shift_tokens("r", -7.5)
        assert repo.get("r") == pytest.approx((NOW, NOW + 2.5))
        repo.shift_tokens("r", 1.0)
        assert repo.get("r") == pytest.approx((NOW, NOW + 3.5))


def test_hold_until_only_ever_moves_times_later(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        repo.ensure("r")
        repo.reserve("r", NOW, 5.0, 5.0, tolerance_s=0.0)
        repo.hold_until("r", NOW + 1, NOW + 30)
        assert repo.get("r") == pytest.approx((NOW + 5, NOW + 30))
        repo.hold_until("r", NOW + 60, None)
        assert repo.get("r") == pytest.approx((NOW + 60, NOW + 30))
        repo.hold_until("r", None, None)
        assert repo.get("r") == pytest.approx((NOW + 60, NOW + 30))


def test_routes_are_paced_independently(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        repo = PacingRepository(session)
        for name in ("a", "b"):
            repo.ensure(name)
        repo.reserve("a", NOW, 9.0, 0.0, tolerance_s=0.0)
        assert repo.reserve("b", NOW, 1.0, 0.0, tolerance_s=0.0)[0] == NOW + 1
