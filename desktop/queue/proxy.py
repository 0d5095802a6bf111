"""Filtering the queue by tab and by typed search, fast enough for 50,000 rows.

Qt calls `filterAcceptsRow` once per row whenever the filter changes, and
that call from C++ into Python is most of the cost. So the verdicts are
worked out beforehand in bulk, with list comprehensions over the model's
precomputed `QueueRow` attributes (status, deadline day, lowercase search
key), and `filterAcceptsRow` is a dictionary lookup; rows the bulk pass has
not seen (new ones) are judged one by one. Urgency, the one attribute the
countdown changes in place, is checked live rather than cached. Sorting is
delegated to the model (see `CaseQueueModel`): a Python `lessThan` would run
n·log n times.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from desktop.queue.filters import ALL, QueueFilter
from desktop.queue.model import CaseQueueModel
from desktop.queue.rows import QueueRow, Urgency, search_terms


class CaseFilterProxy(QSortFilterProxyModel):
    """Shows the rows of one tab (`set_filter`) that contain every typed term (`set_search_text`).

    Search matches the case number, the owner's name, the plate and the VIN,
    ignoring case, blanks, full-width digits and the dot in plates.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: CaseQueueModel | None = None
        self._rows: list[QueueRow] = []
        self._filter = ALL
        self._terms: tuple[str, ...] = ()
        self._accept_all = True
        # Row → accepted by the tab's statuses/day and the search (everything but urgency).
        self._verdicts: dict[QueueRow, bool] = {}

    # ------------------------------------------------------------ API ----

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        """Only a `CaseQueueModel` will do: the filter reads its rows directly."""
        if not isinstance(model, CaseQueueModel):
            raise TypeError("CaseFilterProxy filters a CaseQueueModel")
        if self._queue is not None:
            self._queue.day_changed.disconnect(self._on_day_changed)
        self._queue = model
        self._rows = model.rows
        model.day_changed.connect(self._on_day_changed)
        super().setSourceModel(model)

    @property
    def queue(self) -> CaseQueueModel:
        """The source model."""
        assert self._queue is not None, "setSourceModel first"
        return self._queue

    @property
    def current_filter(self) -> QueueFilter:
        """The tab shown."""
        return self._filter

    @property
    def search_terms(self) -> tuple[str, ...]:
        """The normalised search terms in force."""
        return self._terms

    def set_filter(self, queue_filter: QueueFilter) -> None:
        """Show one tab."""
        if queue_filter != self._filter:
            self._refilter(lambda: setattr(self, "_filter", queue_filter))

    def set_search_text(self, text: str) -> None:
        """Narrow to rows containing every word of `text` (debounce typing before calling this)."""
        terms = search_terms(text)
        if terms != self._terms:
            self._refilter(lambda: setattr(self, "_terms", terms))

    def case_id_at(self, proxy_row: int) -> int:
        """The case id shown in `proxy_row`."""
        return int(self.index(proxy_row, 0).data(CaseQueueModel.CaseIdRole))

    def proxy_row_of(self, case_id: int) -> int:
        """The proxy row showing a case, or -1 when it is filtered out or unknown."""
        source_row = self.queue.row_of(case_id)
        if source_row < 0:
            return -1
        return self.mapFromSource(self.queue.index(source_row, 0)).row()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort the model itself (fast, precomputed keys); the proxy keeps source order."""
        self.queue.sort(column, order)

    # ------------------------------------------------------------ Qt API ----

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._accept_all:
            return True
        row = self._rows[source_row]
        accepted = self._verdicts.get(row)
        if accepted is None:
            accepted = self._verdicts[row] = bool(self._matching([row]))
        return accepted and (not self._filter.overdue or row.urgency is Urgency.OVERDUE)

    # ------------------------------------------------------------ internals ----

    def _matching(self, rows: list[QueueRow]) -> list[QueueRow]:
        """The rows the tab (urgency aside) and the search accept; comprehensions, no per-row calls."""
        active = self._filter
        if active.statuses is not None:
            statuses = active.statuses
            rows = [r for r in rows if r.status in statuses]
        if active.due_today:
            today = self.queue.today
            rows = [r for r in rows if r.live_due is not None and r.due_day == today]
        for term in self._terms:
            rows = [r for r in rows if term in r.search_key]
        return rows

    def _refilter(self, change: Callable[[], None]) -> None:
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:  # Qt >= 6.9: the non-deprecated way
            begin()
        change()
        self._accept_all = self._filter == ALL and not self._terms
        # Built by dict.fromkeys, in C: no per-row Python objects for the garbage collector to chase.
        self._verdicts = {}
        if not self._accept_all:
            self._verdicts = dict.fromkeys(self._rows, False)
            self._verdicts.update(dict.fromkeys(self._matching(self._rows), True))
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def _on_day_changed(self) -> None:
        if self._filter.due_today:
            self._refilter(lambda: None)
