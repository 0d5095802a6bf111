"""The embedded database is opened the way the design requires."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from server.app import build_context, create_app
from server.clock import LOCAL_ZONE, FixedClock
from server.db import Database
from server.models import Branch
from server.settings import Settings


def test_sqlite_runs_in_wal_mode_with_foreign_keys_enforced(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.read() as session:
        assert session.exec(text("PRAGMA journal_mode")).one()[0] == "wal"  # type: ignore[call-overload]
        assert session.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
    database.dispose()


def test_a_row_pointing_at_a_missing_county_is_refused(database: Database) -> None:
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(Branch(member_code="nobody", county_code="999999", window_phone="0515-00000000"))


def test_server_start_logs_when_the_year_has_no_confirmed_holiday_schedule(
    settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(datetime(2027, 3, 1, 9, 0, tzinfo=LOCAL_ZONE))
    with caplog.at_level(logging.WARNING):
        create_app(build_context(settings, clock=clock, database=database))
    assert any("2027" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
