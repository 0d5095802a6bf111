"""The 预警 page's tables: one read-only Qt model, and the columns of each list in Chinese.

Every list is replaced whole when the signals are fetched again (the
server decides what is a signal), so the model resets on `set_rows`; the
page puts the selection back by case id where it matters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from common.schemas.signals import (
    ComplaintSignal,
    FlaggedApplication,
    IntermediaryFlag,
    OverdueSignal,
    RatingSignal,
)
from desktop.queue.rows import LOCAL_ZONE

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


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


class SignalTableModel(QAbstractTableModel):
    """Read-only records in `columns`; `CaseIdRole` gives the case a row points at (None for a phone)."""

    CaseIdRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, CaseIdRole) → the case id (int), or None when the row is not one case."""

    def __init__(self, columns: tuple[Column, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows: list[Record] = []

    def set_rows(self, rows: Sequence[Record]) -> None:
        """Show these records instead of the previous ones."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> Record:
        """The record in `row`."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        record, column = self._rows[index.row()], self._columns[index.column()]
        if role in (_DISPLAY, _TOOLTIP):
            # The tooltip shows a long comment or complaint in full.
            return column.text(record)
        if role == _ALIGNMENT:
            return _RIGHT if column.number else _LEFT
        if role == self.CaseIdRole:
            return getattr(record, "case_id", None)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(self._columns)):
            return None
        if role == _DISPLAY:
            return self._columns[section].title
        if role == _ALIGNMENT:
            return _RIGHT if self._columns[section].number else _LEFT
        return None
