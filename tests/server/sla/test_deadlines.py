"""SLA deadlines in working time, on the 2026 Chinese statutory calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sla.calendar import NoWorkingDayError, WorkCalendar
from server.sla.deadlines import (
    LOCAL_ZONE,
    WorkingHours,
    add_working_seconds,
    escalated_deadline,
    initial_deadline,
    resumed_deadline,
    working_seconds_between,
)

HOLIDAY_FILE = Path(__file__).resolve().parents[3] / "resources" / "holidays_cn.toml"
HOUR = 3600


class NeverWorking:
    """A broken library under which no day is a working day."""

    def is_working_day(self, key: date) -> bool:
        return False


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_file(HOLIDAY_FILE)


@pytest.fixture(scope="module")
def hours() -> WorkingHours:
    return WorkingHours()


def at(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Yancheng local time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_ZONE)


# --- working hours --------------------------------------------------------------


def test_default_working_hours_match_the_domain_catalogue(hours: WorkingHours) -> None:
    assert (hours.start, hours.end, hours.same_day_cutoff) == (time(8, 30), time(17, 30), time(16, 0))
    assert hours.day_seconds == 9 * HOUR


def test_working_hours_refuse_a_cutoff_after_closing() -> None:
    with pytest.raises(ValueError, match="same_day_cutoff"):
        WorkingHours(same_day_cutoff=time(18, 0))


# --- initial deadline -------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (at(2026, 3, 9, 10), at(2026, 3, 9, 17, 30)),  # Monday morning: same day
        (at(2026, 3, 9, 7), at(2026, 3, 9, 17, 30)),  # before opening: the day has not begun
        (at(2026, 3, 9, 15, 59, 59), at(2026, 3, 9, 17, 30)),  # just before the cut-off
        (at(2026, 3, 9, 16), at(2026, 3, 10, 17, 30)),  # at the cut-off: next working day
        (at(2026, 3, 6, 18), at(2026, 3, 9, 17, 30)),  # Friday evening → Monday
        (at(2026, 3, 8, 10), at(2026, 3, 9, 17, 30)),  # plain Sunday → Monday
        (at(2026, 2, 13, 16, 30), at(2026, 2, 14, 17, 30)),  # → 调休 Saturday before Spring Festival
        (at(2026, 2, 14, 10), at(2026, 2, 14, 17, 30)),  # on the 调休 Saturday itself
        (at(2026, 2, 14, 17), at(2026, 2, 24, 17, 30)),  # across the Spring Festival
        (at(2026, 9, 20, 9), at(2026, 9, 20, 17, 30)),  # 调休 Sunday before National Day
        (at(2026, 9, 30, 16, 30), at(2026, 10, 8, 17, 30)),  # across National Day
        (at(2026, 10, 9, 16, 30), at(2026, 10, 10, 17, 30)),  # → 调休 Saturday after National Day
        (at(2026, 12, 31, 16, 30), at(2027, 1, 4, 17, 30)),  # into unconfirmed 2027, past New Year's Day
    ],
)
def test_initial_deadline(calendar: WorkCalendar, hours: WorkingHours, submitted: datetime, due: datetime) -> None:
    assert initial_deadline(submitted, calendar=calendar, hours=hours) == due


def test_initial_deadline_reads_any_zone_as_yancheng_time(calendar: WorkCalendar, hours: WorkingHours) -> None:
    # 08:30 UTC is 16:30 in Yancheng: after the cut-off.
    due = initial_deadline(datetime(2026, 3, 9, 8, 30, tzinfo=UTC), calendar=calendar, hours=hours)
    assert due == at(2026, 3, 10, 17, 30)
    assert due.tzinfo == LOCAL_ZONE


def test_initial_deadline_refuses_a_naive_datetime(calendar: WorkCalendar, hours: WorkingHours) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        initial_deadline(datetime(2026, 3, 9, 10), calendar=calendar, hours=hours)


# --- escalated deadline -----------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (at(2026, 3, 9, 10), at(2026, 3, 11, 10)),  # Monday 10:00 → Wednesday 10:00
        (at(2026, 3, 9, 8, 30), at(2026, 3, 10, 17, 30)),  # at opening: ends at a closing, not the next opening
        (at(2026, 3, 6, 17), at(2026, 3, 10, 17)),  # Friday 17:00 → across the weekend → Tuesday 17:00
        (at(2026, 3, 6, 18), at(2026, 3, 10, 17, 30)),  # Friday evening counts from Monday's opening
        (at(2026, 3, 7, 10), at(2026, 3, 10, 17, 30)),  # Saturday counts from Monday's opening
        (at(2026, 2, 13, 10), at(2026, 2, 24, 10)),  # 7.5 h Fri + 9 h 调休 Sat, then after the festival
        (at(2026, 2, 14, 17), at(2026, 2, 25, 17)),  # 0.5 h on the 调休 Saturday, resumes on the 24th
    ],
)
def test_escalated_deadline_gives_two_working_days_of_working_time(
    calendar: WorkCalendar, hours: WorkingHours, submitted: datetime, due: datetime
) -> None:
    assert escalated_deadline(submitted, calendar=calendar, hours=hours) == due


# --- building blocks --------------------------------------------------------------


def test_adding_a_full_day_from_opening_lands_on_that_days_closing(calendar: WorkCalendar, hours: WorkingHours) -> None:
    result = add_working_seconds(at(2026, 3, 9, 8, 30), 9 * HOUR, calendar=calendar, hours=hours)
    assert result == at(2026, 3, 9, 17, 30)


def test_adding_one_second_at_closing_continues_at_the_next_opening(
    calendar: WorkCalendar, hours: WorkingHours
) -> None:
    result = add_working_seconds(at(2026, 3, 9, 17, 30), 1, calendar=calendar, hours=hours)
    assert result == at(2026, 3, 10, 8, 30, 1)


def test_adding_nothing_outside_working_hours_stays_put(calendar: WorkCalendar, hours: WorkingHours) -> None:
    assert add_working_seconds(at(2026, 3, 7, 22), 0, calendar=calendar, hours=hours) == at(2026, 3, 7, 22)


def test_adding_negative_working_time_is_refused(calendar: WorkCalendar, hours: WorkingHours) -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_seconds(at(2026, 3, 9, 10), -1, calendar=calendar, hours=hours)


def test_working_time_over_a_weekend_counts_only_friday_and_monday(calendar: WorkCalendar, hours: WorkingHours) -> None:
    seconds = working_seconds_between(at(2026, 3, 6, 17), at(2026, 3, 9, 9), calendar=calendar, hours=hours)
    assert seconds == HOUR  # 17:00–17:30 Friday + 08:30–09:00 Monday


def test_working_time_over_the_spring_festival_counts_two_days(calendar: WorkCalendar, hours: WorkingHours) -> None:
    seconds = working_seconds_between(at(2026, 2, 13, 8, 30), at(2026, 2, 24, 8, 30), calendar=calendar, hours=hours)
    assert seconds == 2 * 9 * HOUR  # Friday the 13th and the 调休 Saturday


def test_working_time_backwards_is_negative(calendar: WorkCalendar, hours: WorkingHours) -> None:
    seconds = working_seconds_between(at(2026, 3, 9, 11), at(2026, 3, 9, 10), calendar=calendar, hours=hours)
    assert seconds == -HOUR


def test_adding_working_time_gives_up_on_a_calendar_without_working_days(hours: WorkingHours) -> None:
    broken = WorkCalendar({}, library=NeverWorking())
    with pytest.raises(NoWorkingDayError):
        add_working_seconds(at(2026, 3, 9, 10), HOUR, calendar=broken, hours=hours)


# --- pause and resume -------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "paused", "resumed", "expected"),
    [
        # 2.5 h left on Monday; the supplement arrives Tuesday 10:00.
        (at(2026, 3, 9, 17, 30), at(2026, 3, 9, 15), at(2026, 3, 10, 10), at(2026, 3, 10, 12, 30)),
        # 2.5 h left; resumed Monday 16:00: 1.5 h that evening, 1 h over the night into Tuesday.
        (at(2026, 3, 9, 17, 30), at(2026, 3, 9, 15), at(2026, 3, 9, 16), at(2026, 3, 10, 9, 30)),
        # 3.5 h left on Friday; the supplement arrives on Saturday: counts from Monday's opening.
        (at(2026, 3, 13, 17, 30), at(2026, 3, 13, 14), at(2026, 3, 14, 10), at(2026, 3, 16, 12)),
        # Paused on Friday night with all of Monday left; resumed on Sunday.
        (at(2026, 3, 16, 17, 30), at(2026, 3, 13, 20), at(2026, 3, 15, 11), at(2026, 3, 16, 17, 30)),
        # Paused and resumed at once: nothing changes.
        (at(2026, 3, 9, 17, 30), at(2026, 3, 9, 15), at(2026, 3, 9, 15), at(2026, 3, 9, 17, 30)),
    ],
)
def test_resumed_deadline_gives_back_the_working_time_that_was_left(
    calendar: WorkCalendar, hours: WorkingHours, due: datetime, paused: datetime, resumed: datetime, expected: datetime
) -> None:
    assert resumed_deadline(due, paused, resumed, calendar=calendar, hours=hours) == expected


@pytest.mark.parametrize("paused", [at(2026, 3, 9, 17, 30), at(2026, 3, 10, 9)])
def test_a_case_paused_at_or_after_its_deadline_stays_overdue(
    calendar: WorkCalendar, hours: WorkingHours, paused: datetime
) -> None:
    due = at(2026, 3, 9, 17, 30)
    assert resumed_deadline(due, paused, at(2026, 3, 12, 9), calendar=calendar, hours=hours) is due


def test_resuming_before_pausing_is_refused(calendar: WorkCalendar, hours: WorkingHours) -> None:
    with pytest.raises(ValueError, match="before paused_at"):
        resumed_deadline(at(2026, 3, 9, 17, 30), at(2026, 3, 9, 15), at(2026, 3, 9, 14), calendar=calendar, hours=hours)


# --- properties -------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2027, 1, 31),
    timezones=st.sampled_from([LOCAL_ZONE, UTC, ZoneInfo("Europe/Berlin")]),
)

# The longest wait in that range: after the cut-off on 2026-02-14, nine days
# off follow, so the deadline is 10 days 1.5 hours later.
MAX_GAP_DAYS = 11


@settings(deadline=None)
@given(a=moments, b=moments)
def test_adding_the_working_time_between_two_moments_never_overshoots(
    calendar: WorkCalendar, hours: WorkingHours, a: datetime, b: datetime
) -> None:
    start, end = sorted((a, b))
    seconds = working_seconds_between(start, end, calendar=calendar, hours=hours)
    reached = add_working_seconds(start, seconds, calendar=calendar, hours=hours)
    assert reached <= end
    assert working_seconds_between(start, reached, calendar=calendar, hours=hours) == seconds


@settings(deadline=None)
@given(a=moments, b=moments, c=moments)
def test_working_time_is_additive_and_grows_with_the_span(
    calendar: WorkCalendar, hours: WorkingHours, a: datetime, b: datetime, c: datetime
) -> None:
    ab = working_seconds_between(a, b, calendar=calendar, hours=hours)
    bc = working_seconds_between(b, c, calendar=calendar, hours=hours)
    assert ab + bc == working_seconds_between(a, c, calendar=calendar, hours=hours)
    first, middle, last = sorted((a, b, c))
    shorter = working_seconds_between(first, middle, calendar=calendar, hours=hours)
    assert 0 <= shorter <= working_seconds_between(first, last, calendar=calendar, hours=hours)


@settings(deadline=None)
@given(submitted=moments)
def test_initial_deadline_is_a_closing_time_on_a_working_day_not_before_submission(
    calendar: WorkCalendar, hours: WorkingHours, submitted: datetime
) -> None:
    due = initial_deadline(submitted, calendar=calendar, hours=hours)
    assert due.tzinfo == LOCAL_ZONE
    assert due.timetz().replace(tzinfo=None) == hours.end
    assert calendar.is_working_day(due.date())
    assert due >= submitted
    assert due - submitted < timedelta(days=MAX_GAP_DAYS)


@settings(deadline=None)
@given(submitted=moments)
def test_escalated_deadline_is_never_earlier_than_the_initial_one(
    calendar: WorkCalendar, hours: WorkingHours, submitted: datetime
) -> None:
    escalated = escalated_deadline(submitted, calendar=calendar, hours=hours)
    assert escalated >= initial_deadline(submitted, calendar=calendar, hours=hours)
    assert working_seconds_between(submitted, escalated, calendar=calendar, hours=hours) == 2 * hours.day_seconds
