"""The clerk's queue as a Qt table model, updated in place as cases arrive and change.

Rows are kept in the model in sort order (by default: open cases by
deadline, soonest first). Sorting lives here rather than in the proxy
because a Python `lessThan` would run n·log n times; here one `list.sort`
with precomputed keys does it, and new rows go straight to their place
with `beginInsertRows`. The proxy (`CaseFilterProxy`) only filters.

Nothing resets the model after the first load: `upsert`/`merge` insert,
update (`dataChanged`) or move (`beginMoveRows`) single rows, so the
selection and the scroll position survive every feed update.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import count
from operator import attrgetter

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from common.schemas.cases import CaseSummary
from desktop.queue.rows import COLUMN_TITLES, Column, QueueRow, Urgency, collector_paused, consecutive_runs, local_day
from desktop.queue.time_left import LOOK_ROLES, TimeLeftLook

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TIME = int(Column.TIME_LEFT)

_row_key = attrgetter("key")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CaseQueueModel(QAbstractTableModel):
    """CaseSummary rows in columns 编号 … 剩余时间, kept sorted, with a live countdown.

    `now` is the clock the countdown follows (the app passes the server's
    clock, tests a fixed one); the countdown timer calls `tick()` every
    `countdown_ms` (0 = no timer; call `tick()` yourself).
    """

    CaseIdRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, CaseIdRole) → the case id (int) on every column."""
    CaseRole = int(Qt.ItemDataRole.UserRole) + 2
    """data(index, CaseRole) → the `CaseSummary`."""
    UrgencyRole = int(Qt.ItemDataRole.UserRole) + 3
    """data(index, UrgencyRole) → the row's `Urgency` value string ("overdue", …)."""

    contents_changed = Signal()
    """Cases were added, changed or removed (one emit per call of upsert/merge/remove/retain/clear)."""
    urgency_changed = Signal()
    """A countdown crossed a band (soon/overdue): tab counts may have changed."""
    day_changed = Signal()
    """Local midnight passed: "今日到期" means another day now."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _utc_now,
        countdown_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now
        # Mutated in place only: the proxy keeps a reference to this very list.
        self._rows: list[QueueRow] = []
        self._positions: dict[int, int] | None = None
        self._sort_column = int(Column.TIME_LEFT)
        self._descending = False
        self._today = local_day(now())
        # When each running countdown next changes its text: (timestamp, tie-breaker, row).
        # A tick pops only what is due, so a second with nothing to show costs next to nothing.
        self._schedule: list[tuple[float, int, QueueRow]] = []
        self._schedule_seq = count()
        self._last_tick = now().timestamp()
        self._time_left_look = TimeLeftLook()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        if countdown_ms > 0:
            self._timer.start(countdown_ms)

    # ------------------------------------------------------------ reading ----

    @property
    def rows(self) -> list[QueueRow]:
        """The rows in model order; read-only for others (the proxy filters on them)."""
        return self._rows

    @property
    def today(self) -> int:
        """Today's local date as an ordinal, as of the last tick."""
        return self._today

    @property
    def sort_column(self) -> int:
        """The column the rows are sorted by."""
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        """Ascending or descending."""
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def row_of(self, case_id: int) -> int:
        """The row of a case, or -1."""
        return self._index_by_id().get(case_id, -1)

    def case(self, case_id: int) -> CaseSummary | None:
        """The case as last seen, or None."""
        row = self.row_of(case_id)
        return self._rows[row].case if row >= 0 else None

    def case_at(self, row: int) -> CaseSummary:
        """The case in `row`."""
        return self._rows[row].case

    def ids(self) -> Iterator[int]:
        """The ids of all cases, in model order."""
        return (r.id for r in self._rows)

    def counts(self) -> Counter[str]:
        """Cases per status value, plus "all", "open", "overdue" and "due_today": the numbers on the tabs."""
        counts: Counter[str] = Counter(r.status for r in self._rows)
        today = self._today
        counts["all"] = len(self._rows)
        counts["open"] = sum(1 for r in self._rows if r.is_open)
        counts["overdue"] = sum(1 for r in self._rows if r.urgency is Urgency.OVERDUE)
        counts["due_today"] = sum(1 for r in self._rows if r.live_due is not None and r.due_day == today)
        return counts

    # ------------------------------------------------------------ Qt API ----

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(COLUMN_TITLES):
            return COLUMN_TITLES[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return row.time_text() if column == _TIME else row.cells[column]
        if role == self.CaseIdRole:
            return row.id
        if role == self.CaseRole:
            return row.case
        if role == self.UrgencyRole:
            return row.urgency.value
        if column != _TIME:
            return None
        return self._time_left_look.data(row, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows (a layout change: selections and persistent indexes follow their rows)."""
        if not 0 <= column < len(COLUMN_TITLES):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self._sort_column and descending == self._descending:
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._descending = column, descending
        for row in self._rows:
            row.key = row.sort_key(column)
        old_order = list(self._rows)
        self._rows.sort(key=lambda r: r.key, reverse=descending)
        self._positions = None
        new_positions = self._index_by_id()
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(new_positions[old_order[p.row()].id], p.column()) for p in persistent]
        )
        self.layoutChanged.emit()

    # ------------------------------------------------------------ changes ----

    def upsert(self, case: CaseSummary) -> bool:
        """Insert a new case at its place, or update it (moving it if its sort key changed).

        A copy older than the one shown (lower `version`, e.g. a queue page
        read before the feed's fresher fetch) is ignored. True when inserted.
        """
        inserted = self._upsert(case)
        self.contents_changed.emit()
        return inserted

    def _upsert(self, case: CaseSummary) -> bool:
        position = self._index_by_id().get(case.id)
        new = self._make_row(case)
        if position is None:
            at = self._insertion_point(new.key)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, new)
            self._positions = None
            self.endInsertRows()
            return True
        old = self._rows[position]
        if case.version < old.version:
            new.dead = True
            return False
        at = self._insertion_point(new.key) if new.key != old.key else position
        old.dead = True
        if at in (position, position + 1):
            self._rows[position] = new
            self._row_changed(position)
            return False
        self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), at)
        del self._rows[position]
        landing = at - 1 if at > position else at
        self._rows.insert(landing, new)
        self._positions = None
        self.endMoveRows()
        self._row_changed(landing)
        return False

    def merge(self, cases: Iterable[CaseSummary]) -> list[int]:
        """Upsert many cases (a page of the queue); new ones are inserted in contiguous blocks.

        Returns the ids of the cases that were new.
        """
        positions = self._index_by_id()
        fresh: dict[int, QueueRow] = {}
        now_ts = self._now().timestamp()
        with collector_paused():
            for case in cases:
                if case.id in positions:
                    self._upsert(case)
                    positions = self._index_by_id()
                elif case.id not in fresh or case.version >= fresh[case.id].version:
                    if case.id in fresh:
                        fresh[case.id].dead = True
                    fresh[case.id] = self._make_row(case, now_ts)
        if not fresh:
            self.contents_changed.emit()
            return []
        ordered = sorted(fresh.values(), key=lambda r: r.key, reverse=self._descending)
        # Group the new rows by where they go; insert from the bottom so earlier positions stay valid.
        blocks: list[tuple[int, list[QueueRow]]] = []
        for row in ordered:
            at = self._insertion_point(row.key) if self._rows else 0
            if blocks and blocks[-1][0] == at:
                blocks[-1][1].append(row)
            else:
                blocks.append((at, [row]))
        for at, block in reversed(blocks):
            self.beginInsertRows(QModelIndex(), at, at + len(block) - 1)
            self._rows[at:at] = block
            self._positions = None
            self.endInsertRows()
        self.contents_changed.emit()
        return [r.id for r in ordered]

    def remove(self, case_id: int) -> bool:
        """Take a case out (it left the clerk's scope); True if it was there."""
        row = self.row_of(case_id)
        if row < 0:
            return False
        self._remove_run(row, row)
        self.contents_changed.emit()
        return True

    def retain(self, case_ids: set[int]) -> int:
        """Remove every case not in `case_ids` (after a full reload); returns how many went."""
        doomed = [i for i, r in enumerate(self._rows) if r.id not in case_ids]
        for first, last in reversed(list(consecutive_runs(doomed))):
            self._remove_run(first, last)
        if doomed:
            self.contents_changed.emit()
        return len(doomed)

    def clear(self) -> None:
        """Empty the model (another user logged in)."""
        self.beginResetModel()
        self._rows.clear()
        self._schedule.clear()
        self._positions = None
        self.endResetModel()
        self.contents_changed.emit()

    def tick(self) -> None:
        """Advance the countdown: dataChanged for the time cells whose text changed, and only those."""
        now = self._now()
        now_ts = now.timestamp()
        if now_ts < self._last_tick:
            self._reschedule_all(now_ts)  # the clock went back (server clock corrected): recount everything
        self._last_tick = now_ts
        changed: list[QueueRow] = []
        crossed = False
        schedule = self._schedule
        while schedule and schedule[0][0] < now_ts:
            row = heapq.heappop(schedule)[2]
            if row.dead:
                continue
            before = row.urgency
            if row.update_countdown(now_ts):
                changed.append(row)
                crossed = crossed or row.urgency is not before
            self._schedule_row(row)
        if changed:
            positions = self._index_by_id()
            roles = [_DISPLAY, *LOOK_ROLES, self.UrgencyRole]
            for first, last in consecutive_runs(sorted(positions[r.id] for r in changed)):
                self.dataChanged.emit(self.index(first, _TIME), self.index(last, _TIME), roles)
        if crossed:
            self.urgency_changed.emit()
        today = local_day(now)
        if today != self._today:
            self._today = today
            self.day_changed.emit()

    def stop_countdown(self) -> None:
        """Stop the 1 s timer (tests drive `tick()` themselves)."""
        self._timer.stop()

    # ------------------------------------------------------------ internals ----

    def _make_row(self, case: CaseSummary, now_ts: float | None = None) -> QueueRow:
        row = QueueRow(case, self._now().timestamp() if now_ts is None else now_ts)
        row.key = row.sort_key(self._sort_column)
        self._schedule_row(row)
        return row

    def _schedule_row(self, row: QueueRow) -> None:
        when = row.next_change()
        if when is not None:
            heapq.heappush(self._schedule, (when, next(self._schedule_seq), row))

    def _reschedule_all(self, now_ts: float) -> None:
        self._schedule.clear()
        for row in self._rows:
            row.minutes = None  # forces update_countdown to recompute and report a change
            if row.live_due is not None:
                row.update_countdown(now_ts)
                self._schedule_row(row)
        if self._rows:
            self.dataChanged.emit(self.index(0, _TIME), self.index(len(self._rows) - 1, _TIME))

    def _index_by_id(self) -> dict[int, int]:
        if self._positions is None:
            self._positions = {r.id: i for i, r in enumerate(self._rows)}
        return self._positions

    def _insertion_point(self, key: tuple[object, ...]) -> int:
        """Where a row with `key` belongs (binary search; keys are unique)."""
        if not self._descending:
            return bisect.bisect_left(self._rows, key, key=_row_key)  # the loop in C
        rows, lo, hi = self._rows, 0, len(self._rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if rows[mid].key > key:  # type: ignore[operator]
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMN_TITLES) - 1))

    def _remove_run(self, first: int, last: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, last)
        for row in self._rows[first : last + 1]:
            row.dead = True
        del self._rows[first : last + 1]
        self._positions = None
        self.endRemoveRows()
