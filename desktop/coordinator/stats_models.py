"""One statistics view as a Qt table: the rows of a `StatsView`, formatted by column kind."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from desktop.coordinator.stats_views import TOTAL, Cell, Column, Kind, Row, format_cell

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class StatsTableModel(QAbstractTableModel):
    """Read-only rows of one view; `ValueRole` gives a cell's number (or text) unformatted.

    A new report replaces every row at once (`set_rows` resets the model):
    nothing is kept from the previous range, not even a selection.
    """

    ValueRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, ValueRole) → the cell as the report has it: int, float (rates 0..1, hours), str or None."""

    def __init__(self, columns: tuple[Column, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows: list[Row] = []
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns shown."""
        return self._columns

    def set_view(self, columns: tuple[Column, ...], rows: list[Row]) -> None:
        """Show other columns and rows (the county and month tables get a column per member / category)."""
        self.beginResetModel()
        self._columns = columns
        self._rows = list(rows)
        self.endResetModel()

    def value(self, row: int, column: int) -> Cell:
        """The unformatted cell."""
        return self._rows[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        kind = self._columns[column].kind
        if role == _DISPLAY:
            return format_cell(self._rows[row][column], kind)
        if role == self.ValueRole:
            return self._rows[row][column]
        if role == _ALIGNMENT:
            return _LEFT if kind is Kind.TEXT else _RIGHT
        if role == _FONT and self._rows[row][0] == TOTAL:
            return self._bold
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == _DISPLAY:
                return self._columns[section].title
            if role == _ALIGNMENT:
                return _LEFT if self._columns[section].kind is Kind.TEXT else _RIGHT
        return None
