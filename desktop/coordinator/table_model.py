"""The read-only table every coordinator page shows: a list of rows under a row of column titles.

Each page's model says only what a cell holds (`cell`) and, when it has
any, what a header adds (`header_data`, e.g. an alignment or a tooltip);
counting rows and columns, the titles, checking indexes and replacing the
rows are done here once, by Qt's rules (pytest-qt's model tester checks
every model built on it).

A column is its title (a `str`) or any spec with a `title` attribute, so a
model may keep more about a column (its kind, how to read a record) in the
same tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def title_of(column: Any) -> str:
    """A column's title: the column itself when it is a string, else its `title`."""
    return column if isinstance(column, str) else str(column.title)


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows of `RowT` under `columns`; subclasses implement `cell` (and may add `header_data`)."""

    def __init__(self, columns: Sequence[object] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: tuple[Any, ...] = tuple(columns)
        self._rows: list[RowT] = []

    # ------------------------------------------------------------ for the pages ----

    @property
    def columns(self) -> tuple[Any, ...]:
        """The columns shown, in order."""
        return self._columns

    @property
    def rows(self) -> list[RowT]:
        """The rows shown, in order (a copy)."""
        return list(self._rows)

    def row_at(self, row: int) -> RowT:
        """The row at position `row`."""
        return self._rows[row]

    def set_rows(self, rows: Iterable[RowT], *, columns: Sequence[object] | None = None) -> None:
        """Show `rows` (and other `columns`, when given) instead of the previous ones: one reset."""
        self._reset(list(rows), columns)

    def update_rows(self, rows: Iterable[RowT], key: Callable[[RowT], Hashable]) -> bool:
        """Show `rows`; in place when they are the same rows by `key` (a live update), else reset.

        In place, only `dataChanged` is emitted, so the selection, the sort
        order and the scroll position survive. True when it was in place.
        """
        new = list(rows)
        if [key(r) for r in new] != [key(r) for r in self._rows]:
            self._reset(new, None)
            return False
        self._rows = new
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(self._columns) - 1))
        return True

    def _reset(self, rows: list[RowT], columns: Sequence[object] | None) -> None:
        # Not set_rows: a subclass may make set_rows update in place through update_rows.
        self.beginResetModel()
        if columns is not None:
            self._columns = tuple(columns)
        self._rows = rows
        self.endResetModel()

    # ------------------------------------------------------------ for subclasses ----

    def cell(self, row: RowT, column: int, role: int) -> object:
        """What `row` holds in `column` for `role` (None for nothing)."""
        raise NotImplementedError

    def header_data(self, section: int, role: int) -> object:
        """A horizontal header's data for a role other than its title (alignment, tooltip); None by default."""
        return None

    # ------------------------------------------------------------ Qt ----

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The rows (a table: no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The columns (a table: no children)."""
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        """The columns' Chinese titles, and whatever `header_data` adds; no row headers."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == DISPLAY:
            return title_of(self._columns[section])
        return self.header_data(section, role)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        """The cell's data from `cell`; None for an index outside the table."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)
