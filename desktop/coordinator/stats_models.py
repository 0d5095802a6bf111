"""One statistics view as a Qt table: the rows of a `StatsView`, formatted by column kind."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from desktop.coordinator.stats_views import TOTAL, Cell, Column, Kind, Row, format_cell, rate_note
from desktop.coordinator.table_model import ALIGNMENT, DISPLAY, FONT, LEFT, RIGHT, TOOLTIP, RowsTableModel


class StatsTableModel(RowsTableModel[Row]):
    """Read-only rows of one view; `ValueRole` gives a cell's number (or text) unformatted.

    A new report replaces every row at once (`set_view` resets the model):
    nothing is kept from the previous range, not even a selection.
    """

    ValueRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, ValueRole) → the cell as the report has it: int, float (rates 0..1, hours), str or None."""

    def __init__(self, columns: tuple[Column, ...], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_view(self, columns: tuple[Column, ...], rows: list[Row]) -> None:
        """Show other columns and rows (the county and month tables get a column per member / category)."""
        self.set_rows(rows, columns=columns)

    def value(self, row: int, column: int) -> Cell:
        """The unformatted cell."""
        return self.row_at(row)[column]

    def cell(self, row: Row, column: int, role: int) -> object:
        """The formatted value, the raw one, numbers aligned right, the 合计 row in bold, what a rate measures."""
        kind = self.columns[column].kind
        if role == TOOLTIP:
            return rate_note(str(row[0])) or rate_note(self.columns[column].title)
        if role == DISPLAY:
            return format_cell(row[column], kind)
        if role == self.ValueRole:
            return row[column]
        if role == ALIGNMENT:
            return LEFT if kind is Kind.TEXT else RIGHT
        if role == FONT and row[0] == TOTAL:
            return self._bold
        return None

    def header_data(self, section: int, role: int) -> object:
        """Numbers' titles align right, over their numbers; a rate's title says what it measures."""
        if role == ALIGNMENT:
            return LEFT if self.columns[section].kind is Kind.TEXT else RIGHT
        if role == TOOLTIP:
            return rate_note(self.columns[section].title)
        return None
