"""The board's two tables as Qt models: the county windows, and the cases waiting for a window.

Both are replaced wholesale by each board the server sends (72 windows, at
most a hundred waiting cases): when the rows are the same windows as
before, only `dataChanged` is emitted, so the coordinator's selection,
sort order and scroll position survive the live updates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import IntEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from common.schemas.board import BoardRow, UnassignedCase
from desktop.coordinator.table_model import (
    ALIGNMENT,
    BACKGROUND,
    DISPLAY,
    FOREGROUND,
    RIGHT,
    TOOLTIP,
    RowsTableModel,
)
from desktop.queue.rows import LOCAL_ZONE

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
# The server counts a case due today only while it is not overdue: the two columns never overlap.
HEADER_TIPS = {
    BoardColumn.DUE_TODAY: "今日到期(未超时):今天到期、尚未超时的在办申请;已超时的只计入“已超时”",
    BoardColumn.OVERDUE: "已超时:已过办结时限的在办申请,不论哪天到期",
}
WINDOW_OPEN_TEXT = "接单中"
WINDOW_PAUSED_TEXT = "暂停接单"


class BoardModel(RowsTableModel[BoardRow]):
    """One row per county × member, in the server's order (counties, then members)."""

    SortRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, SortRole) → the raw value (int for counts), for sorting."""
    CountyRole = int(Qt.ItemDataRole.UserRole) + 2
    """data(index, CountyRole) → the row's county code (for the county filter)."""
    RowRole = int(Qt.ItemDataRole.UserRole) + 3
    """data(index, RowRole) → the `BoardRow`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(BOARD_TITLES, parent)

    def row_for(self, county_code: str, member_code: str) -> BoardRow | None:
        """The row of one window, or None."""
        return next((r for r in self._rows if (r.county_code, r.member_code) == (county_code, member_code)), None)

    def set_rows(self, rows: Iterable[BoardRow], *, columns: Sequence[object] | None = None) -> None:
        """Show `rows`: updated in place when they are the same windows, else reset."""
        if columns is not None:
            super().set_rows(rows, columns=columns)
            return
        self.update_rows(rows, key=lambda r: (r.county_code, r.member_code))

    def header_data(self, section: int, role: int) -> object:
        """今日到期 and 已超时 say what they count (they never overlap)."""
        return HEADER_TIPS.get(BoardColumn(section)) if role == TOOLTIP else None

    def cell(self, row: BoardRow, column: int, role: int) -> object:
        """Text, sort values, and colours: overdue counts on red, due-today counts on amber."""
        board_column = BoardColumn(column)
        if role == self.RowRole:
            return row
        if role == self.CountyRole:
            return row.county_code
        field = _COUNT_FIELDS.get(board_column)
        if role == self.SortRole:
            return getattr(row, field) if field is not None else self._text(row, board_column)
        if role == DISPLAY:
            return str(getattr(row, field)) if field is not None else self._text(row, board_column)
        if role == ALIGNMENT and field is not None:
            return RIGHT
        if role == TOOLTIP and board_column is BoardColumn.WINDOW and not row.window_available:
            return "该窗口暂停接单:新申请不会分派到这里"
        return self._colour(row, board_column, role)

    @staticmethod
    def _text(row: BoardRow, column: BoardColumn) -> str:
        if column is BoardColumn.COUNTY:
            return row.county_name
        if column is BoardColumn.MEMBER:
            return row.member_name
        return WINDOW_OPEN_TEXT if row.window_available else WINDOW_PAUSED_TEXT

    @staticmethod
    def _colour(row: BoardRow, column: BoardColumn, role: int) -> QColor | None:
        if role not in (FOREGROUND, BACKGROUND):
            return None
        if column is BoardColumn.OVERDUE and row.overdue:
            return ALERT_TEXT if role == FOREGROUND else ALERT_BACKGROUND
        if column is BoardColumn.DUE_TODAY and row.due_today:
            return DUE_TEXT if role == FOREGROUND else DUE_BACKGROUND
        if role == FOREGROUND and column is BoardColumn.WINDOW and not row.window_available:
            return MUTED_TEXT
        field = _COUNT_FIELDS.get(column)
        if role == FOREGROUND and field is not None and not getattr(row, field):
            return MUTED_TEXT  # zeros recede, so the figures that need attention stand out
        return None


UNASSIGNED_TITLES = ("编号", "区县", "车辆类别", "提交时间", "时限")
OVERDUE_TEXT = "已超时"


class UnassignedModel(RowsTableModel[UnassignedCase]):
    """The cases waiting for a window, oldest first."""

    CaseIdRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, CaseIdRole) → the case id on every column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(UNASSIGNED_TITLES, parent)

    @property
    def cases(self) -> list[UnassignedCase]:
        """The cases as last received."""
        return self.rows

    def set_cases(self, cases: list[UnassignedCase]) -> None:
        """Show `cases` (a short list: reset)."""
        if [c.model_dump() for c in cases] == [c.model_dump() for c in self._rows]:
            return  # nothing new: keep the selection
        self.set_rows(cases)

    def cell(self, row: UnassignedCase, column: int, role: int) -> object:
        """Number, county, category, when submitted, and whether it is past its deadline."""
        if role == self.CaseIdRole:
            return row.id
        if role == DISPLAY:
            texts = (
                row.number,
                row.county_name,
                row.category_label,
                local_time_text(row.submitted_at),
                OVERDUE_TEXT if row.overdue else (f"{local_time_text(row.due_at)} 前" if row.due_at else ""),
            )
            return texts[column]
        if column == 4 and row.overdue and role in (FOREGROUND, BACKGROUND):
            return ALERT_TEXT if role == FOREGROUND else ALERT_BACKGROUND
        return None
