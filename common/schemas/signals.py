"""Schemas of the coordinator's signals to act on (预警).

Four lists: citizens' ratings, their complaints, phones that look like an
illegal intermediary at work (one phone applying for several different
owners), and cases overdue by more than a day. Phone numbers only ever
appear masked here (``138****1234``): the full number never leaves the
server in a list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from common.validators import ValidationProblem

# The intermediary rule's defaults and the bounds a coordinator may set it within.
DEFAULT_THRESHOLD = 3
DEFAULT_WINDOW_DAYS = 30
THRESHOLD_MIN, THRESHOLD_MAX = 2, 50
WINDOW_MIN, WINDOW_MAX = 1, 365

# Ratings and complaints of the last N days; low ratings are the ones to act on.
DEFAULT_PERIOD_DAYS = 30
PERIOD_MAX_DAYS = 366
DEFAULT_MAX_STARS = 3


def _threshold(value: int) -> int:
    if not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
        raise ValidationProblem(f"车主人数阈值应在{THRESHOLD_MIN}至{THRESHOLD_MAX}之间", field="threshold")
    return value


def _window_days(value: int) -> int:
    if not WINDOW_MIN <= value <= WINDOW_MAX:
        raise ValidationProblem(f"统计天数应在{WINDOW_MIN}至{WINDOW_MAX}天之间", field="window_days")
    return value


class SignalRuleIn(BaseModel):
    """The intermediary rule as the coordinator sets it."""

    model_config = ConfigDict(extra="forbid")

    threshold: Annotated[int, AfterValidator(_threshold)]
    window_days: Annotated[int, AfterValidator(_window_days)]


class SignalRuleOut(BaseModel):
    """The rule in force; `is_default` while nobody has set one (then no change is recorded)."""

    threshold: int
    window_days: int
    is_default: bool
    updated_at: datetime | None = None
    updated_by: str | None = None


class CaseRef(BaseModel):
    """Where a signal points: a case, its county and the member handling it."""

    case_id: int
    case_number: str
    county_code: str
    county_name: str
    member_code: str | None
    member_name: str | None


class RatingSignal(CaseRef):
    """A citizen's rating of a completed case (1–5 stars)."""

    stars: int
    comment: str | None
    rated_at: datetime


class ComplaintSignal(CaseRef):
    """A citizen's complaint; member and county as they were when it was written."""

    complaint_id: int
    text: str
    created_at: datetime


class FlaggedApplication(BaseModel):
    """One application behind an intermediary flag."""

    case_id: int
    case_number: str
    owner_name: str
    county_name: str
    status_label: str
    submitted_at: datetime


class IntermediaryFlag(BaseModel):
    """A phone that applied for at least the threshold's number of different owners in the window."""

    phone_masked: str
    owners: int
    applications: list[FlaggedApplication]


class OverdueSignal(CaseRef):
    """An open case, its SLA clock running, more than a day past its deadline."""

    status: str
    status_label: str
    due_at: datetime
    overdue_seconds: int


class SignalCounts(BaseModel):
    """How many of each there are (the lists may be cut at `SignalsOut.row_limit`)."""

    intermediaries: int
    overdue: int
    ratings: int
    complaints: int


class SignalsOut(BaseModel):
    """Everything the coordinator's 预警 page shows, as of `as_of`."""

    as_of: datetime
    rule: SignalRuleOut
    period_days: int
    max_stars: int
    row_limit: int
    counts: SignalCounts
    intermediaries: list[IntermediaryFlag]
    overdue: list[OverdueSignal]
    ratings: list[RatingSignal]
    complaints: list[ComplaintSignal]
