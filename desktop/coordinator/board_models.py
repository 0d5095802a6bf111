"""The board's two tables as Qt models: the county windows, and the cases waiting for a window.

Both are replaced wholesale by each board the server sends (72 windows, at
most a hundred waiting cases): when the rows are the same windows as
before, only `dataChanged` is emitted, so the coordinator's selection,
sort order and scroll position survive the live updates.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from common.schemas.board import BoardRow, UnassignedCase
from desktop.queue.rows import LOCAL_ZONE

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_NUMBER_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

ALERT_TEXT = QColor("#ffffff")
ALERT_BACKGROUND = QColor("#c62828")
DUE_TEXT = QColor("#7a4100")
DUE_BACKGROUND = QColor("#ffe7b3")
MUTED_TEXT = QColor("#757575")


def local_time_text(moment: datetime | None) -> str:
    """ "03-10 09:30" in Yancheng's time; empty when unknown."""
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M") if moment else ""


class BoardColumn(IntEnum):
    """The board's columns, in order."""

    COUNTY = 0
    MEMBER = 1
    WINDOW = 2
    OPEN = 3
    DUE_TODAY = 4
    OVERDUE = 5
    SUPPLEMENT = 6
    PAYMENT = 7


BOARD_TITLES = (
    "区县",
    "成员机构",
    "窗口",
    "在办",
    "今日到期",
    "已超时",
    "待补充材料",
    "待缴费",
)
_COUNT_FIELDS = {
    BoardColumn.OPEN: "open_cases",
    BoardColumn.DUE_TODAY: "due_today",
    BoardColumn.OVERDUE: "overdue",
    BoardColumn.SUPPLEMENT: "awaiting_supplement",
    BoardColumn.PAYMENT: "awaiting_payment",
}
WINDOW_OPEN_TEXT = "接单中"
WINDOW_PAUSED_TEXT = "暂停接单"


class BoardModel(QAbstractTableModel):
    """One row per county × member, in the server's order (counties, then members)."""

    SortRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, SortRole) → the raw value (int for counts), for sorting."""
    CountyRole = int(Qt.ItemDataRole.UserRole) + 2
    """data(index, CountyRole) → the row's county code (for the county filter)."""
    RowRole = int(Qt.ItemDataRole.UserRole) + 3
    """data(index, RowRole) → the `BoardRow`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[BoardRow] = []

    @property
    def rows(self) -> list[BoardRow]:
        """The rows as last received."""
        return list(self._rows)

    def row_for(self, county_code: str, member_code: str) -> BoardRow | None:
        """The row of one window, or None."""
        return next(
            (r for r in self._rows if (r.county_code, r.member_code) == (county_code, member_code)),
            None,
        )

    def set_rows(self, rows: list[BoardRow]) -> None:
        """Show `rows`: updated in place when they are the same windows, else reset."""
        same_windows = [(r.county_code, r.member_code) for r in rows] == [
            (r.county_code, r.member_code) for r in self._rows
        ]
        if same_windows:
            self._rows = list(rows)
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(BOARD_TITLES) - 1))
            return
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Windows shown (a table: no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The eight columns."""
        return 0 if parent.isValid() else len(BOARD_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Chinese column titles."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(BOARD_TITLES):
            return BOARD_TITLES[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Text, sort values, and colours: overdue counts on red, due-today counts on amber."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = BoardColumn(index.column())
        if role == self.RowRole:
            return row
        if role == self.CountyRole:
            return row.county_code
        field = _COUNT_FIELDS.get(column)
        if role == self.SortRole:
            if field is not None:
                return getattr(row, field)
            return self._text(row, column)
        if role == _DISPLAY:
            return str(getattr(row, field)) if field is not None else self._text(row, column)
        if role == _ALIGNMENT and field is not None:
            return _NUMBER_ALIGNMENT
        if role == _TOOLTIP and column is BoardColumn.WINDOW and not row.window_available:
            return "该窗口暂停接单:新申请不会分派到这里"
        return self._colour(row, column, role)

    @staticmethod
    def _text(row: BoardRow, column: BoardColumn) -> str:
        if column is BoardColumn.COUNTY:
            return row.county_name
        if column is BoardColumn.MEMBER:
            return row.member_name
        return WINDOW_OPEN_TEXT if row.window_available else WINDOW_PAUSED_TEXT

    @staticmethod
    def _colour(row: BoardRow, column: BoardColumn, role: int) -> QColor | None:
        if role not in (_FOREGROUND, _BACKGROUND):
            return None
        if column is BoardColumn.OVERDUE and row.overdue:
            return ALERT_TEXT if role == _FOREGROUND else ALERT_BACKGROUND
        if column is BoardColumn.DUE_TODAY and row.due_today:
            return DUE_TEXT if role == _FOREGROUND else DUE_BACKGROUND
        if role == _FOREGROUND and column is BoardColumn.WINDOW and not row.window_available:
            return MUTED_TEXT
        field = _COUNT_FIELDS.get(column)
        if role == _FOREGROUND and field is not None and not getattr(row, field):
            return MUTED_TEXT  # zeros recede, so the figures that need attention stand out
        return None


UNASSIGNED_TITLES = ("编号", "区县", "车辆类别", "提交时间", "时限")
OVERDUE_TEXT = "已超时"


class UnassignedModel(QAbstractTableModel):
    """The cases waiting for a window, oldest first."""

    CaseIdRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, CaseIdRole) → the case id on every column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cases: list[UnassignedCase] = []

    @property
    def cases(self) -> list[UnassignedCase]:
        """The cases as last received."""
        return list(self._cases)

    def set_cases(self, cases: list[UnassignedCase]) -> None:
        """Show `cases` (a short list: reset)."""
        if [c.model_dump() for c in cases] == [c.model_dump() for c in self._cases]:
            return  # nothing new: keep the selection
        self.beginResetModel()
        self._cases = list(cases)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Cases shown."""
        return 0 if parent.isValid() else len(self._cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Five columns."""
        return 0 if parent.isValid() else len(UNASSIGNED_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Chinese column titles."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(UNASSIGNED_TITLES):
            return UNASSIGNED_TITLES[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Number, county, category, when submitted, and whether it is past its deadline."""
        if not index.isValid() or not 0 <= index.row() < len(self._cases):
            return None
        case = self._cases[index.row()]
        if role == self.CaseIdRole:
            return case.id
        column = index.column()
        if role == _DISPLAY:
            texts = (
                case.number,
                case.county_name,
                case.category_label,
                local_time_text(case.submitted_at),
                OVERDUE_TEXT if case.overdue else (f"{local_time_text(case.due_at)} 前" if case.due_at else ""),
            )
            return texts[column]
        if column == 4 and case.overdue and role in (_FOREGROUND, _BACKGROUND):
            return ALERT_TEXT if role == _FOREGROUND else ALERT_BACKGROUND
        return None
