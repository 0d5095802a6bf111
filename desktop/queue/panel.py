"""The queue on screen: tabs with counts on the left, search box and table on the right."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.queue.filters import DEFAULT_FILTER_KEY, QueueFilter, filters_for
from desktop.queue.model import CaseQueueModel
from desktop.queue.proxy import CaseFilterProxy
from desktop.queue.rows import Column

SEARCH_DEBOUNCE_MS = 250
_FILTER_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_COLUMN_WIDTHS = {
    Column.NUMBER: 150,
    Column.CATEGORY: 150,
    Column.BUSINESS_TYPE: 90,
    Column.OWNER: 90,
    Column.ID_NUMBER: 170,
    Column.COUNTY: 80,
    Column.STATUS: 100,
}


class QueuePanel(QWidget):
    """Shows a `CaseFilterProxy` over a `CaseQueueModel`; emits `case_activated(id)` on Enter or double-click."""

    case_activated = Signal(int)
    filter_changed = Signal(str)

    def __init__(self, proxy: CaseFilterProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.model: CaseQueueModel = proxy.queue
        self._filters: tuple[QueueFilter, ...] = ()
        self._counts: Counter[str] = Counter()

        self.filter_list = QListWidget(self)
        self.filter_list.setFixedWidth(150)
        self.filter_list.currentItemChanged.connect(self._on_filter_item)

        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("搜索 编号 / 车主 / 车牌 / 车架号  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        # Typing restarts the timer; the filter runs once the clerk pauses (one pass over 50,000 rows, not one per key).
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_box.textEdited.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._on_search_return)

        self.table = QTableView(self)
        self.table.setModel(proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures 50,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        # The indicator first: enabling sorting sorts by it at once, and the model is already in that order.
        header.setSortIndicator(self.model.sort_column, self.model.sort_order)
        self.table.setSortingEnabled(True)
        header.setStretchLastSection(True)
        for column, width in _COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_activated)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.search_box)
        right.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter_list)
        layout.addLayout(right, 1)
        self.set_role(None)

    # ------------------------------------------------------------ tabs ----

    def set_role(self, role: str | None) -> None:
        """Offer the tabs for this role, keeping the current one when it is still offered."""
        current = self.current_filter_key()
        self._filters = filters_for(role)
        self.filter_list.blockSignals(True)
        self.filter_list.clear()
        for queue_filter in self._filters:
            item = QListWidgetItem(queue_filter.label)
            item.setData(_FILTER_ROLE, queue_filter.key)
            self.filter_list.addItem(item)
        self.filter_list.blockSignals(False)
        self._show_counts()
        self.select_filter(current or DEFAULT_FILTER_KEY)

    def current_filter_key(self) -> str | None:
        """The key of the tab shown."""
        item = self.filter_list.currentItem()
        return str(item.data(_FILTER_ROLE)) if item is not None else None

    def select_filter(self, key: str) -> bool:
        """Show the tab with `key`; False if this role has no such tab."""
        for row, queue_filter in enumerate(self._filters):
            if queue_filter.key == key:
                self.filter_list.setCurrentRow(row)
                return True
        return False

    def update_counts(self, counts: Counter[str]) -> None:
        """Put the numbers on the tabs ("待受理 (3)")."""
        self._counts = counts
        self._show_counts()

    def _show_counts(self) -> None:
        for row, queue_filter in enumerate(self._filters):
            number = self._counts.get(queue_filter.count_key, 0)
            self.filter_list.item(row).setText(f"{queue_filter.label} ({number})" if number else queue_filter.label)

    def _on_filter_item(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        key = str(item.data(_FILTER_ROLE))
        queue_filter = next(f for f in self._filters if f.key == key)
        selected = self.current_case_id()
        self.proxy.set_filter(queue_filter)
        if selected is not None:
            self.select_case(selected)
        self.filter_changed.emit(key)

    # ------------------------------------------------------------ search ----

    def focus_search(self) -> None:
        """Ctrl+F: into the search box, text selected for overtyping."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def apply_search(self) -> None:
        """Filter by the search box now (the debounce timer calls this)."""
        self._search_timer.stop()
        selected = self.current_case_id()
        self.proxy.set_search_text(self.search_box.text())
        if selected is not None:
            self.select_case(selected)

    def _on_search_return(self) -> None:
        # Enter in the search box: search now and go to the first hit, so a second Enter opens it.
        self.apply_search()
        if self.proxy.rowCount() > 0:
            if self.current_case_id() is None:
                self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ selection ----

    def current_case_id(self) -> int | None:
        """The selected case, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return int(rows[0].data(CaseQueueModel.CaseIdRole))

    def select_case(self, case_id: int) -> bool:
        """Select and show a case; False when it is not in the current tab/search."""
        row = self.proxy.proxy_row_of(case_id)
        if row < 0:
            return False
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.case_activated.emit(int(index.data(CaseQueueModel.CaseIdRole)))
