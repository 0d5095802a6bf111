"""The coordinator's city board: every county window's workload at a glance.

One row per county × pool member, the cases nobody could take yet (the
unassigned queue, shown on top), and how often the same-day promise was kept
today and this month. "Overdue" means what the staff queue's tab means; "due
today" is the queue's due-today tab less the overdue cases, so the two columns
never count one case twice; the promise is measured as the statistics measure it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class BoardRow(BaseModel):
    """One member's window in one county and its open cases."""

    county_code: str
    county_name: str
    member_code: str
    member_name: str = Field(description="成员机构简称")
    window_available: bool = Field(description="该窗口当前是否参与分派")
    open_cases: int = Field(description="在办申请(未办结)")
    due_today: int = Field(description="今日到期且尚未超时(计时中;已超时的只计入 overdue)")
    overdue: int = Field(description="已超时(计时中,不论何日到期)")
    awaiting_supplement: int = Field(description="等待客户补充材料")
    awaiting_payment: int = Field(description="等待客户缴费")


class UnassignedCase(BaseModel):
    """A submitted case no member could take (no window available in its county)."""

    id: int
    number: str
    county_code: str
    county_name: str
    category: str
    category_label: str
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool


class UnassignedQueue(BaseModel):
    """The waiting cases, oldest first; `cases` holds at most the first `limit` of `count`."""

    count: int
    limit: int
    cases: list[UnassignedCase]


class CompletionRate(BaseModel):
    """Cases completed in a period and how many of them kept the same-day promise."""

    completed: int
    same_day: int
    rate: float | None = Field(description="same_day / completed, None when nothing was completed (shown as —)")


class Board(BaseModel):
    """The whole board as of `as_of` (the server's clock)."""

    as_of: datetime
    unassigned: UnassignedQueue
    rows: list[BoardRow]
    today: CompletionRate
    this_month: CompletionRate
