"""The 预警 page's tables: one read-only Qt model, and the columns of each list in Chinese.

Every list is replaced whole when the signals are fetched again (the
server decides what is a signal), so the model resets on `set_rows`; the
page puts the selection back by case id where it matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from common.schemas.signals import (
    ComplaintSignal,
    FlaggedApplication,
    IntermediaryFlag,
    OverdueSignal,
    RatingSignal,
)
from desktop.coordinator.table_model import ALIGNMENT, DISPLAY, LEFT, RIGHT, TOOLTIP, RowsTableModel
from desktop.queue.rows import LOCAL_ZONE


def local_time(moment: datetime) -> str:
    """ "2026-03-10 10:00" in Yancheng's time, whatever the PC's zone."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def overdue_text(seconds: int) -> str:
    """How long past the deadline: "3天2小时", "1天0小时"."""
    hours = max(seconds, 0) // 3600
    return f"{hours // 24}天{hours % 24}小时"


def stars_text(stars: int) -> str:
    """ "★★☆☆☆ 2星"."""
    return "★" * stars + "☆" * (5 - stars) + f" {stars}星"


@dataclass(frozen=True)
class Column:
    """A column: its Chinese title, how a record reads in it, and whether it is a number."""

    title: str
    text: Callable[[Any], str]
    number: bool = False


FLAG_COLUMNS = (
    Column("手机号", lambda f: f.phone_masked),
    Column("不同车主数", lambda f: str(f.owners), number=True),
    Column("申请数", lambda f: str(len(f.applications)), number=True),
    Column(
        "最近申请",
        lambda f: local_time(f.applications[-1].submitted_at) if f.applications else "",
    ),
)
APPLICATION_COLUMNS = (
    Column("申请编号", lambda a: a.case_number),
    Column("车主", lambda a: a.owner_name),
    Column("区县", lambda a: a.county_name),
    Column("状态", lambda a: a.status_label),
    Column("提交时间", lambda a: local_time(a.submitted_at)),
)
OVERDUE_COLUMNS = (
    Column("申请编号", lambda o: o.case_number),
    Column("区县", lambda o: o.county_name),
    Column("承保机构", lambda o: o.member_name or "待分派"),
    Column("状态", lambda o: o.status_label),
    Column("办结时限", lambda o: local_time(o.due_at)),
    Column("已超时", lambda o: overdue_text(o.overdue_seconds), number=True),
)
RATING_COLUMNS = (
    Column("申请编号", lambda r: r.case_number),
    Column("区县", lambda r: r.county_name),
    Column("承保机构", lambda r: r.member_name or ""),
    Column("评分", lambda r: stars_text(r.stars)),
    Column("评价内容", lambda r: r.comment or ""),
    Column("评价时间", lambda r: local_time(r.rated_at)),
)
COMPLAINT_COLUMNS = (
    Column("申请编号", lambda c: c.case_number),
    Column("区县", lambda c: c.county_name),
    Column("承保机构", lambda c: c.member_name or ""),
    Column("投诉内容", lambda c: c.text),
    Column("投诉时间", lambda c: local_time(c.created_at)),
)

Record = IntermediaryFlag | FlaggedApplication | OverdueSignal | RatingSignal | ComplaintSignal


class SignalTableModel(RowsTableModel[Record]):
    """Read-only records in `columns`; `CaseIdRole` gives the case a row points at (None for a phone)."""

    CaseIdRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, CaseIdRole) → the case id (int), or None when the row is not one case."""

    def __init__(self, columns: tuple[Column, ...], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)

    def record(self, row: int) -> Record:
        """The record in `row`."""
        return self.row_at(row)

    def cell(self, row: Record, column: int, role: int) -> object:
        """The column's text (also as the tooltip, for a long comment), its alignment, the case id."""
        spec: Column = self.columns[column]
        if role in (DISPLAY, TOOLTIP):
            return spec.text(row)
        if role == ALIGNMENT:
            return RIGHT if spec.number else LEFT
        if role == self.CaseIdRole:
            return getattr(row, "case_id", None)
        return None

    def header_data(self, section: int, role: int) -> object:
        """Numbers' titles align right, over their numbers."""
        if role == ALIGNMENT:
            return RIGHT if self.columns[section].number else LEFT
        return None
