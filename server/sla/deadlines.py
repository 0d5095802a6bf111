"""SLA deadline arithmetic in working time (DESIGN.md §5).

Working time is the span between the opening and closing hour of a working
day, in Yancheng's local time; nights, weekends and holidays do not count.
No library does working-hours arithmetic over a custom holiday calendar with
a same-day cut-off, so it is written here, one day at a time.

All inputs must be timezone-aware (any zone; they are converted), all outputs
are aware datetimes in Asia/Shanghai. Sub-second parts are dropped: deadlines
are kept to the second, which also keeps the arithmetic exact in whole seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from server.clock import LOCAL_ZONE
from server.sla.calendar import MAX_DAYS_WITHOUT_WORK, NoWorkingDayError


# "升级处理的最长2天办结" (domain.json service.escalated_max_days).
ESCALATED_WORKING_DAYS = 2


class WorkingDays(Protocol):
    """The part of the working calendar the arithmetic needs (see WorkCalendar)."""

    def is_working_day(self, d: date) -> bool: ...

    def next_working_day(self, d: date) -> date: ...


@dataclass(frozen=True)
class WorkingHours:
    """The windows' opening hours and the latest submission still promised for today (local time)."""

    start: time = time(8, 30)
    end: time = time(17, 30)
    same_day_cutoff: time = time(16, 0)

    def __post_init__(self) -> None:
        for name in ("start", "end", "same_day_cutoff"):
            value: time = getattr(self, name)
            if value.tzinfo is not None or value.microsecond:
                raise ValueError(f"working hours: {name} must be a naive local time in whole seconds")
        if not self.start < self.same_day_cutoff <= self.end:
            raise ValueError("working hours must satisfy start < same_day_cutoff <= end")

    @property
    def day_seconds(self) -> int:
        """Length of one working day in seconds (9 hours by default)."""
        return _seconds_of_day(self.end) - _seconds_of_day(self.start)

    def opening(self, d: date) -> datetime:
        """When the windows open on `d`, local time."""
        return datetime.combine(d, self.start, tzinfo=LOCAL_ZONE)

    def closing(self, d: date) -> datetime:
        """When the windows close on `d`, local time."""
        return datetime.combine(d, self.end, tzinfo=LOCAL_ZONE)


def _seconds_of_day(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _local(moment: datetime) -> datetime:
    """`moment` in local time, truncated to the second; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timezone-aware datetime required, got {moment!r}")
    return moment.astimezone(LOCAL_ZONE).replace(microsecond=0)


def initial_deadline(submitted_at: datetime, *, calendar: WorkingDays, hours: WorkingHours) -> datetime:
    """The normal deadline: closing time today, or of the next working day.

    Today counts when it is a working day and the submission came before the
    cut-off (strictly), including before opening: the day has not begun yet.
    """
    local = _local(submitted_at)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < hours.same_day_cutoff):
        day = calendar.next_working_day(day)
    return hours.closing(day)


def escalated_deadline(submitted_at: datetime, *, calendar: WorkingDays, hours: WorkingHours) -> datetime:
    """The deadline of a case needing a superior: two working days of working time from submission.

    Outside working hours the count starts at the next opening, so e.g. Mon
    10:00 → Wed 10:00 and Fri 17:00 → Tue 17:00 in a normal week.
    """
    return add_working_seconds(submitted_at, ESCALATED_WORKING_DAYS * hours.day_seconds, calendar=calendar, hours=hours)


def working_seconds_between(start: datetime, end: datetime, *, calendar: WorkingDays, hours: WorkingHours) -> int:
    """Working seconds from `start` to `end`; negative when `end` is earlier (e.g. overdue by).

    Additive: between(a, b) + between(b, c) == between(a, c) for any a, b, c.
    """
    low, high = _local(start), _local(end)
    if high < low:
        return -working_seconds_between(end, start, calendar=calendar, hours=hours)
    total = 0
    day = low.date()
    # The span is given by the caller, so this loop is bounded by it.
    while day <= high.date():
        if calendar.is_working_day(day):
            overlap = min(high, hours.closing(day)) - max(low, hours.opening(day))
            if overlap > timedelta(0):
                total += int(overlap.total_seconds())
        day += timedelta(days=1)
    return total


def add_working_seconds(start: datetime, seconds: int, *, calendar: WorkingDays, hours: WorkingHours) -> datetime:
    """The earliest moment by which `seconds` of working time have passed since `start`.

    Landing exactly on a closing time gives that closing time, not the next
    opening; adding 0 gives `start` itself. Raises NoWorkingDayError when the
    calendar has no working day for MAX_DAYS_WITHOUT_WORK days in a row.
    """
    if seconds < 0:
        raise ValueError(f"cannot add a negative working time ({seconds} s)")
    cursor = _local(start)
    if seconds == 0:
        return cursor
    remaining = timedelta(seconds=seconds)
    day = cursor.date()
    days_without_work = 0
    while True:
        if calendar.is_working_day(day):
            days_without_work = 0
            begin = max(cursor, hours.opening(day))
            available = hours.closing(day) - begin
            if remaining <= available:
                return begin + remaining
            if available > timedelta(0):
                remaining -= available
        else:
            days_without_work += 1
            if days_without_work > MAX_DAYS_WITHOUT_WORK:
                raise NoWorkingDayError(
                    f"no working day within {MAX_DAYS_WITHOUT_WORK} days after {cursor.isoformat()}"
                )
        day += timedelta(days=1)


def resumed_deadline(
    due_at: datetime, paused_at: datetime, resumed_at: datetime, *, calendar: WorkingDays, hours: WorkingHours
) -> datetime:
    """The deadline after the clock stood still from `paused_at` to `resumed_at` (awaiting a supplement).

    The working time that was left from `paused_at` to `due_at` is given again
    from `resumed_at`. If the case was paused at or after its deadline, nothing
    was left: `due_at` is returned unchanged and the case stays overdue.
    """
    if _local(resumed_at) < _local(paused_at):
        raise ValueError("resumed_at is before paused_at")
    if _local(paused_at) >= _local(due_at):
        return due_at
    remaining = working_seconds_between(paused_at, due_at, calendar=calendar, hours=hours)
    return add_working_seconds(resumed_at, remaining, calendar=calendar, hours=hours)
