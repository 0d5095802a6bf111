"""Service-level agreement: the working calendar and deadline arithmetic (DESIGN.md §5)."""

from server.sla.calendar import (
    CalendarStatus,
    HolidayFileError,
    NoWorkingDayError,
    WorkCalendar,
    YearSchedule,
    load_overlay,
    parse_overlay,
)
from server.sla.deadlines import (
    LOCAL_ZONE,
    WorkingHours,
    add_working_seconds,
    escalated_deadline,
    initial_deadline,
    resumed_deadline,
    working_seconds_between,
)

__all__ = [
    "LOCAL_ZONE",
    "CalendarStatus",
    "HolidayFileError",
    "NoWorkingDayError",
    "WorkCalendar",
    "WorkingHours",
    "YearSchedule",
    "add_working_seconds",
    "escalated_deadline",
    "initial_deadline",
    "load_overlay",
    "parse_overlay",
    "resumed_deadline",
    "working_seconds_between",
]
