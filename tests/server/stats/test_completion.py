"""The promise as the board and the statistics measure it."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from common.resources import resources_dir
from server.clock import LOCAL_ZONE
from server.sla.calendar import WorkCalendar
from server.sla.deadlines import WorkingHours
from server.stats.completion import completion_marks, rate

HOURS = WorkingHours(start=time(8, 30), end=time(17, 30), same_day_cutoff=time(16, 0))


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_file(resources_dir() / "holidays_cn.toml")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_ZONE)


def test_completed_before_closing_on_the_day_of_a_morning_submission_is_same_day(calendar: WorkCalendar) -> None:
    # Tuesday 24 November 2026.
    marks = completion_marks(at(24, 9), at(24, 17, 0), calendar=calendar, hours=HOURS)
    assert marks.same_day and marks.within_two_days


def test_completed_next_morning_is_late_for_the_day_but_within_two(calendar: WorkCalendar) -> None:
    marks = completion_marks(at(24, 9), at(25, 10), calendar=calendar, hours=HOURS)
    assert not marks.same_day and marks.within_two_days


def test_after_the_cutoff_the_next_working_day_still_counts_as_the_same_day(calendar: WorkCalendar) -> None:
    # Friday 27 November after 16:00: done on Monday the 30th keeps the promise.
    marks = completion_marks(at(27, 16, 30), at(30, 11), calendar=calendar, hours=HOURS)
    assert marks.same_day


def test_three_working_days_breaks_both(calendar: WorkCalendar) -> None:
    marks = completion_marks(at(24, 9), at(27, 9), calendar=calendar, hours=HOURS)
    assert not marks.same_day and not marks.within_two_days


def test_rate_of_nothing_is_unknown_not_zero() -> None:
    assert rate(0, 0) is None
    assert rate(1, 3) == 0.3333
