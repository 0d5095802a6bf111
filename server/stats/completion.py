"""Whether a completed case kept the promise: the same working day, or at most 2 working days.

One definition for the coordinator's board and the statistics, so the two
never disagree. "The same working day" is the SLA's own first deadline
(`initial_deadline`: the end of the submission's working day when it came in
before the cut-off, else the end of the next working day); "within 2 days" is
the limit for escalated cases (`escalated_deadline`). Both are measured on
wall-clock time from submission to completion, so a case that waited for the
customer's supplement counts as late: the citizen waited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.sla.deadlines import (
    WorkingDays,
    WorkingHours,
    escalated_deadline,
    initial_deadline,
)


@dataclass(frozen=True)
class CompletionMarks:
    """How one completed case measures against the promise."""

    same_day: bool
    within_two_days: bool


def completion_marks(
    submitted_at: datetime, finished_at: datetime, *, calendar: WorkingDays, hours: WorkingHours
) -> CompletionMarks:
    """The marks of a case submitted at `submitted_at` and completed at `finished_at` (both aware)."""
    return CompletionMarks(
        same_day=finished_at <= initial_deadline(submitted_at, calendar=calendar, hours=hours),
        within_two_days=finished_at <= escalated_deadline(submitted_at, calendar=calendar, hours=hours),
    )


def rate(kept: int, total: int) -> float | None:
    """`kept / total` rounded to 4 places, or None when there is nothing to measure (shown as "—")."""
    return round(kept / total, 4) if total else None
