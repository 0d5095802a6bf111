"""The working calendar: the maintained holiday file over the `holidays` library."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from server.sla.calendar import (
    HolidayFileError,
    NoWorkingDayError,
    WorkCalendar,
    YearSchedule,
    load_overlay,
)

HOLIDAY_FILE = Path(__file__).resolve().parents[3] / "resources" / "holidays_cn.toml"


class WeekendsOnly:
    """A library that lags behind: it knows weekends, no holidays, no adjusted working days."""

    def is_working_day(self, key: date) -> bool:
        return key.weekday() < 5


class NeverWorking:
    """A broken library under which no day is a working day."""

    def is_working_day(self, key: date) -> bool:
        return False


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_file(HOLIDAY_FILE)


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays_cn.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the maintained file ------------------------------------------------------


def test_maintained_file_confirms_2025_and_2026_but_not_2027(calendar: WorkCalendar) -> None:
    assert calendar.confirmed_years == frozenset({2025, 2026})
    assert calendar.is_confirmed(2026)
    assert not calendar.is_confirmed(2027)


def test_maintained_file_names_the_state_council_notice(calendar: WorkCalendar) -> None:
    schedule = calendar.schedule(2026)
    assert schedule is not None
    assert schedule.source == "国务院办公厅关于2026年部分节假日安排的通知"


@pytest.mark.parametrize("year", [2025, 2026])
def test_maintained_file_agrees_with_the_holidays_library_every_day(calendar: WorkCalendar, year: int) -> None:
    library = holidays.China(years=year)
    disagreements = [d for d in _days_of(year) if calendar.is_working_day(d) != library.is_working_day(d)]
    assert disagreements == []


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)],
)
def test_adjusted_weekends_of_2026_are_working_days_even_with_a_lagging_library(day: date) -> None:
    calendar = WorkCalendar(load_overlay(HOLIDAY_FILE), library=WeekendsOnly())
    assert calendar.is_working_day(day)


def test_spring_festival_2026_is_off_from_the_15th_to_the_23rd_even_with_a_lagging_library() -> None:
    calendar = WorkCalendar(load_overlay(HOLIDAY_FILE), library=WeekendsOnly())
    festival = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert [calendar.is_working_day(d) for d in festival] == [False] * 9
    assert calendar.is_working_day(date(2026, 2, 24))


# --- overlay against library -----------------------------------------------------


def test_overlay_day_off_overrides_a_normal_tuesday() -> None:
    tuesday = date(2026, 3, 10)
    overlay = {2026: YearSchedule(2026, frozenset({tuesday}), frozenset(), "test notice")}
    calendar = WorkCalendar(overlay)
    assert not calendar.is_working_day(tuesday)
    assert calendar.next_working_day(date(2026, 3, 9)) == date(2026, 3, 11)


def test_overlay_working_day_overrides_a_normal_sunday() -> None:
    sunday = date(2026, 3, 8)
    overlay = {2026: YearSchedule(2026, frozenset(), frozenset({sunday}), "test notice")}
    assert WorkCalendar(overlay).is_working_day(sunday)


def test_library_decides_dates_the_overlay_does_not_list() -> None:
    calendar = WorkCalendar({})
    assert calendar.is_working_day(date(2026, 2, 14))  # 调休 Saturday known to holidays 0.109
    assert not calendar.is_working_day(date(2027, 1, 1))  # fixed New Year holiday
    assert not calendar.is_working_day(date(2026, 3, 7))  # plain Saturday


# --- next working day -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 10)),  # a working Monday → Tuesday, strictly after
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday → Monday
        (date(2026, 2, 13), date(2026, 2, 14)),  # → 调休 Saturday
        (date(2026, 2, 14), date(2026, 2, 24)),  # across the Spring Festival
        (date(2026, 9, 30), date(2026, 10, 8)),  # across National Day
        (date(2026, 12, 31), date(2027, 1, 4)),  # into unconfirmed 2027, past New Year's Day
    ],
)
def test_next_working_day_is_the_first_working_day_strictly_after(
    calendar: WorkCalendar, day: date, expected: date
) -> None:
    assert calendar.next_working_day(day) == expected


def test_next_working_day_gives_up_when_no_day_is_working() -> None:
    with pytest.raises(NoWorkingDayError, match="no working day"):
        WorkCalendar({}, library=NeverWorking()).next_working_day(date(2026, 3, 9))


# --- status ---------------------------------------------------------------------


def test_status_on_new_years_eve_warns_that_next_year_is_unconfirmed(calendar: WorkCalendar) -> None:
    status = calendar.status(date(2026, 12, 31))
    assert status.current_year_confirmed
    assert not status.next_year_confirmed
    assert status.warning is not None
    assert "2027" in status.warning
    assert str(HOLIDAY_FILE) in status.warning


def test_status_in_summer_does_not_warn_yet_about_next_year(calendar: WorkCalendar) -> None:
    status = calendar.status(date(2026, 6, 1))
    assert status.current_year_confirmed and not status.next_year_confirmed
    assert status.warning is None


def test_status_in_december_is_quiet_once_next_year_is_confirmed(calendar: WorkCalendar) -> None:
    status = calendar.status(date(2025, 12, 15))
    assert status.next_year_confirmed
    assert status.warning is None
    assert status.confirmed_years == frozenset({2025, 2026})


def test_status_warns_when_the_current_year_is_unconfirmed(calendar: WorkCalendar) -> None:
    status = calendar.status(date(2027, 3, 1))
    assert not status.current_year_confirmed
    assert status.warning is not None and "2027" in status.warning


# --- bad files -----------------------------------------------------------------


_VALID_2026 = '[2026]\nsource = "通知"\ndays_off = [2026-10-01]\nworking_days = [2026-10-10]\n'


def test_a_well_formed_custom_file_loads(tmp_path: Path) -> None:
    calendar = WorkCalendar.from_file(_write(tmp_path, _VALID_2026))
    assert calendar.confirmed_years == frozenset({2026})
    assert calendar.schedule(2026) == YearSchedule(
        2026, frozenset({date(2026, 10, 1)}), frozenset({date(2026, 10, 10)}), "通知"
    )


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[2026\nsource = 1", "not valid TOML"),
        (
            _VALID_2026.replace("days_off = [2026-10-01]", "days_off = [2025-10-01]"),
            r"\[2026\].*2025-10-01 is not in 2026",
        ),
        (
            _VALID_2026.replace("working_days = [2026-10-10]", "working_days = [2026-10-01]"),
            r"\[2026\].*2026-10-01 is listed both",
        ),
        (_VALID_2026.replace("working_days", "workingdays"), r"\[2026\].*unknown keys \['workingdays'\]"),
        (_VALID_2026.replace("[2026]", "[twenty-six]"), r"\[twenty-six\].*four-digit years"),
        (_VALID_2026.replace("2026-10-01]", "2026-10-01T09:00:00]"), r"\[2026\].*not a date"),
        (_VALID_2026.replace("2026-10-01]", "2026-10-01, 2026-10-01]"), r"\[2026\].*twice"),
        (_VALID_2026.replace('source = "通知"', 'source = ""'), r"\[2026\].*source"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_entry(tmp_path: Path, text: str, complaint: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(HolidayFileError, match=complaint) as raised:
        WorkCalendar.from_file(path)
    assert str(path) in str(raised.value)


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(HolidayFileError, match="cannot read") as raised:
        WorkCalendar.from_file(path)
    assert str(path) in str(raised.value)


def test_a_schedule_filed_under_another_year_is_refused() -> None:
    schedule = YearSchedule(2026, frozenset(), frozenset(), "通知")
    with pytest.raises(HolidayFileError, match="filed under 2027"):
        WorkCalendar({2027: schedule})
