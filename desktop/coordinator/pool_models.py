"""Table models of the 分派设置 page: a county's windows with the coordinator's unsaved edits, and their history.

`WindowsModel` shows the windows as the server last sent them, with the
coordinator's edits on top (bold, on a yellow ground, the saved value in the
tooltip) until they are saved or dropped. A fresh copy from the server keeps
the edits that still differ from it, so a live update never throws away
what the coordinator is typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QSpinBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from common.schemas.pool import (
    AVAILABLE_LABELS,
    FIELD_LABELS,
    MAX_WEIGHT,
    MIN_WEIGHT,
    PoolChangeRow,
    PoolWindow,
)
from common.validators import ValidationProblem, validate_landline
from desktop.coordinator.table_model import BACKGROUND, DISPLAY, FONT, TOOLTIP, Index, RowsTableModel
from desktop.queue.rows import LOCAL_ZONE

_EDIT = int(Qt.ItemDataRole.EditRole)
_CHECK = int(Qt.ItemDataRole.CheckStateRole)

EDITED_BACKGROUND = QColor("#fff3c4")
TIME_FORMAT = "%Y-%m-%d %H:%M"


class WindowColumn(IntEnum):
    MEMBER = 0
    AVAILABLE = 1
    WEIGHT = 2
    SHARE = 3
    PHONE = 4
    CHANGED = 5


WINDOW_TITLES = ("成员机构", "接单", "分派权重", "新申请占比", "窗口电话", "最近修改")
# The setting each editable column holds.
_FIELD_OF = {
    WindowColumn.AVAILABLE: "available",
    WindowColumn.WEIGHT: "weight",
    WindowColumn.PHONE: "window_phone",
}


def shown_value(field: str, value: Any) -> str:
    """A setting as the page writes it: 接单/暂停接单, a number, a phone."""
    if field == "available":
        return AVAILABLE_LABELS[bool(value)]
    return str(value)


def local_time(moment: Any) -> str:
    """An aware datetime in Yancheng's time, to the minute."""
    return moment.astimezone(LOCAL_ZONE).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class PendingChange:
    """One window's unsaved edits: the body of its PATCH, and the lines the confirmation shows."""

    window: PoolWindow
    values: dict[str, Any]

    def lines(self) -> list[str]:
        """ "分派权重 1 → 3" for each edited setting, in column order."""
        return [
            f"{FIELD_LABELS[field]} {shown_value(field, getattr(self.window, field))} → {shown_value(field, value)}"
            for field, value in self.values.items()
        ]


class WindowsModel(RowsTableModel[PoolWindow]):
    """A county's windows, one row per member, with the coordinator's unsaved edits on top."""

    pending_changed = Signal(int)
    """How many windows have unsaved edits now."""
    problem = Signal(str)
    """An edit was refused on the spot (e.g. a phone without area code); the message is Chinese."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(WINDOW_TITLES, parent)
        self._pending: dict[str, dict[str, Any]] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------ reading ----

    @property
    def windows(self) -> list[PoolWindow]:
        """The windows as the server last sent them."""
        return self.rows

    def shown(self, member_code: str, field: str) -> Any:
        """The value on screen: the edit if there is one, else the server's."""
        window = next(w for w in self._rows if w.member_code == member_code)
        return self._pending.get(member_code, {}).get(field, getattr(window, field))

    def share(self, member_code: str) -> float | None:
        """The part of the county's new cases the window gets with the settings on screen; None when off.

        Its weight over the sum of the weights of the windows that take cases:
        what the dispatch rule gives each member over any run of cases.
        """
        if not self.shown(member_code, "available"):
            return None
        total = sum(self.shown(w.member_code, "weight") for w in self._rows if self.shown(w.member_code, "available"))
        return self.shown(member_code, "weight") / total

    def pending(self) -> list[PendingChange]:
        """The unsaved edits, in member order, each with only the settings that differ."""
        changes = []
        for window in self._rows:
            edits = self._pending.get(window.member_code)
            if edits:
                ordered = {field: edits[field] for field in _FIELD_OF.values() if field in edits}
                changes.append(PendingChange(window, ordered))
        return changes

    # ------------------------------------------------------------ changing ----

    def set_windows(self, windows: list[PoolWindow]) -> None:
        """Show the server's windows; edits of the same members that still differ are kept."""
        if [w.member_code for w in windows] != [w.member_code for w in self._rows]:
            self._pending.clear()  # other windows: the edits were for windows no longer shown
        for window in windows:
            edits = self._pending.get(window.member_code, {})
            for field in [f for f, value in edits.items() if getattr(window, f) == value]:
                del edits[field]
            if not edits:
                self._pending.pop(window.member_code, None)
        self.update_rows(windows, key=lambda w: w.member_code)
        self.pending_changed.emit(len(self._pending))

    def discard(self) -> None:
        """Drop every unsaved edit: the rows show the server's values again."""
        if not self._pending:
            return
        self._pending.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(WINDOW_TITLES) - 1))
        self.pending_changed.emit(0)

    # ------------------------------------------------------------ Qt API ----

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = WindowColumn(index.column())
        if column is WindowColumn.AVAILABLE:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif column in (WindowColumn.WEIGHT, WindowColumn.PHONE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def cell(self, window: PoolWindow, column_number: int, role: int) -> object:
        """The setting on screen (the edit, bold on yellow, over the server's value), the share, who changed it."""
        column = WindowColumn(column_number)
        field = _FIELD_OF.get(column)
        edited = field is not None and field in self._pending.get(window.member_code, {})
        value = self.shown(window.member_code, field) if field else None
        if role == DISPLAY:
            if column is WindowColumn.SHARE:
                share = self.share(window.member_code)
                return "—" if share is None else f"{share * 100:.1f}%"
            return self._display(window, column, value)
        if role == _EDIT and field in ("weight", "window_phone"):
            return value
        if role == _CHECK and column is WindowColumn.AVAILABLE:
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if edited and role == FONT:
            return self._bold
        if edited and role == BACKGROUND:
            return EDITED_BACKGROUND
        if role == TOOLTIP:
            if edited and field is not None:
                return f"未保存;服务器上为:{shown_value(field, getattr(window, field))}"
            if column is WindowColumn.SHARE:
                return "按可接单窗口的权重合计计算:本区县新申请中分到该窗口的比例"
            if column is WindowColumn.CHANGED and window.changed_at is not None:
                return f"{window.changed_by} 于 {local_time(window.changed_at)} 修改"
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        if not index.isValid():
            return False
        window = self._rows[index.row()]
        column = WindowColumn(index.column())
        if column is WindowColumn.AVAILABLE and role == _CHECK:
            new: Any = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        elif column is WindowColumn.WEIGHT and role == _EDIT:
            if isinstance(value, bool) or not isinstance(value, int) or not MIN_WEIGHT <= value <= MAX_WEIGHT:
                self.problem.emit(f"分派权重应为{MIN_WEIGHT}到{MAX_WEIGHT}之间的整数")
                return False
            new = value
        elif column is WindowColumn.PHONE and role == _EDIT:
            try:
                new = validate_landline(str(value))
            except ValidationProblem as problem:
                self.problem.emit(problem.message)
                return False
        else:
            return False
        field = _FIELD_OF[column]
        edits = self._pending.setdefault(window.member_code, {})
        if getattr(window, field) == new:
            edits.pop(field, None)  # edited back to the saved value: no change
        else:
            edits[field] = new
        if not edits:
            del self._pending[window.member_code]
        self.dataChanged.emit(index, index)
        # Every window's share follows from all the weights and switches.
        share = int(WindowColumn.SHARE)
        self.dataChanged.emit(self.index(0, share), self.index(len(self._rows) - 1, share))
        self.pending_changed.emit(len(self._pending))
        return True

    @staticmethod
    def _display(window: PoolWindow, column: WindowColumn, value: Any) -> str | None:
        if column is WindowColumn.MEMBER:
            return window.member
        if column is WindowColumn.AVAILABLE:
            return shown_value("available", value)
        if column is WindowColumn.CHANGED:
            if window.changed_at is None:
                return "—"
            return f"{window.changed_by} {local_time(window.changed_at)}"
        return str(value)


class WeightDelegate(QStyledItemDelegate):
    """Edits a dispatch weight with a spin box bounded as the server bounds it."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QSpinBox(parent)
        editor.setRange(MIN_WEIGHT, MAX_WEIGHT)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QSpinBox)
        editor.setValue(int(index.data(_EDIT)))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QSpinBox)
        editor.interpretText()
        model.setData(index, editor.value(), _EDIT)


class HistoryColumn(IntEnum):
    TIME = 0
    ACTOR = 1
    MEMBER = 2
    CHANGES = 3


HISTORY_TITLES = ("时间", "修改人", "成员机构", "修改内容")


class HistoryModel(RowsTableModel[PoolChangeRow]):
    """The county's recorded window changes, newest first: who changed what, when."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HISTORY_TITLES, parent)

    def cell(self, row: PoolChangeRow, column_number: int, role: int) -> object:
        """When, who, which window, what changed (also as the tooltip, for a long list of changes)."""
        if role not in (DISPLAY, TOOLTIP):
            return None
        column = HistoryColumn(column_number)
        if column is HistoryColumn.TIME:
            return local_time(row.created_at)
        if column is HistoryColumn.ACTOR:
            return row.actor_label
        if column is HistoryColumn.MEMBER:
            return row.member
        return ";".join(f"{c.label} {c.before} → {c.after}" for c in row.changes)
