"""The coordinator's statistics over a date range: what the server computes and every client shows.

One report feeds the desktop's tables and charts, the Excel workbook and the
server's `stats` command, so the three always show the same figures.

Conventions:
- The range [date_from, date_to] is inclusive, in local dates (Asia/Shanghai).
- "Underwritten" (承保) means completed; a case counts in the range when it
  was finished (`finished_at`, local date) inside it. Rejections likewise.
- Rates are fractions in 0..1 rounded to 4 places, None when nothing was
  measured (shown as "—"); hours are floats rounded to 2 places.
- Every code comes with its Chinese label (`name`), so clients need no catalog.
- Count lists hold every known code, zeros included (charts keep a stable
  axis), in catalog order; a code unknown to the catalog is appended with the
  code as its name.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

# The labels every output uses for the same figures (the app, the workbook, the console).
SAME_DAY_RATE_LABEL = "当日办结率"
WITHIN_TWO_DAYS_RATE_LABEL = "两个工作日内办结率"
REJECTED_LABEL = "退回件数"
# What the two rates measure (server.stats.completion), printed beside them wherever they are published.
TIMELINESS_NOTES = (
    "当日办结率:提交当日下班前办结的比例;截止时间后或非工作日提交的,以次一工作日下班为限。",
    "两个工作日内办结率:提交后两个工作日(按工作时间计)内办结的比例。",
    "两项均按提交至办结的实际时间计算,含等待客户补充材料的时间。",
)


class CountRow(BaseModel):
    """How many underwritten vehicles one category, member or county has."""

    code: str
    name: str
    count: int


class MonthRow(BaseModel):
    """Underwritten vehicles in one calendar month (local time), every month of the range listed."""

    month: str = Field(description="YYYY-MM")
    name: str = Field(description="2026年5月")
    count: int


class Label(BaseModel):
    """A row or column head of a cross table."""

    code: str
    name: str


class CrossTable(BaseModel):
    """Counts of underwritten vehicles by two dimensions: `counts[i][j]` for rows[i] × columns[j]."""

    rows: list[Label]
    columns: list[Label]
    counts: list[list[int]]


class HandlingRow(BaseModel):
    """Hours from submission to completion (wall-clock) over the completed cases of one group."""

    code: str = Field(description="category code; empty for the overall row")
    name: str
    count: int = Field(description="completed cases measured (those with a submission time)")
    average_hours: float | None
    p90_hours: float | None = Field(description="90th percentile, nearest-rank")


class CompletionRow(BaseModel):
    """Completed cases of one group that kept the promise (server.stats.completion's one definition)."""

    code: str = Field(description="member code; empty for the overall row")
    name: str
    measured: int
    same_day: int
    within_two_days: int
    same_day_rate: float | None
    within_two_days_rate: float | None


class ReasonRow(BaseModel):
    """Rejected cases that gave the same reason (the clerk's text, trimmed)."""

    reason: str
    count: int


class StarRow(BaseModel):
    stars: int = Field(ge=1, le=5)
    count: int


class Ratings(BaseModel):
    """The applicants' 1–5 ratings of the cases completed in the range."""

    count: int
    average: float | None = Field(description="rounded to 2 places; None when no rating")
    by_stars: list[StarRow] = Field(description="5 rows, 5 stars first, zeros included")


class Statistics(BaseModel):
    """The coordinator's statistics for [date_from, date_to] (inclusive local dates)."""

    date_from: date
    date_to: date
    generated_at: datetime
    completed: int = Field(description="累计兜底承保车辆: completed cases finished in the range")
    rejected: int
    by_category: list[CountRow]
    by_member: list[CountRow]
    by_county: list[CountRow]
    by_month: list[MonthRow]
    county_member: CrossTable = Field(description="rows: counties, columns: members")
    category_month: CrossTable = Field(description="rows: categories, columns: months (YYYY-MM)")
    handling: HandlingRow = Field(description="overall handling time")
    handling_by_category: list[HandlingRow]
    completion: CompletionRow = Field(description="overall same-day and within-2-days rates")
    completion_by_member: list[CompletionRow]
    rejections_by_reason: list[ReasonRow] = Field(description="most frequent first")
    ratings: Ratings
