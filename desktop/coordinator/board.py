"""The coordinator's 全市看板: every county window's workload, the cases waiting for a window, the promise.

Live without reloading by hand:

* every change-feed batch (`on_events`) schedules a re-fetch, debounced, so
  a burst of events costs one request: a submitted, dispatched, moved or
  finished case shows up within a moment;
* a case becomes overdue by time alone, which writes no event, so the board
  is also re-fetched on a timer (`poll_ms`, a minute by default). The server
  counts "overdue" on its own clock, like the queue does.

At most one request is in flight; a change noticed meanwhile is fetched
again once it returns, so nothing is lost and nothing piles up while the
server is away (`LiveRefresh`; the read is retried by the `TaskRunner`).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from common.schemas.board import Board, CompletionRate
from common.schemas.cases import EventOut
from common.schemas.stats import SAME_DAY_RATE_LABEL
from desktop.api.client import ApiClient, SessionExpired
from desktop.api.tasks import TaskRunner
from desktop.coordinator.board_models import BoardColumn, BoardModel, UnassignedModel
from desktop.coordinator.live_refresh import LiveRefresh
from desktop.coordinator.stats_views import rate_note
from desktop.messages import MessageLine, error_text
from desktop.queue.rows import LOCAL_ZONE

BOARD_PATH = "/coordinator/board"
POLL_MS = 60_000
DEBOUNCE_MS = 300
NO_RATE = "—"
ALL_COUNTIES = "全部区县"
UNASSIGNED_VISIBLE_ROWS = 4
WAITING_STYLE = "font-size: 13pt; font-weight: bold; color: #c62828;"
CLEAR_STYLE = "font-size: 13pt; font-weight: bold; color: #2e7d32;"
RATE_STYLE = "font-size: 11pt;"


def fetch_board(api: ApiClient) -> Board:
    """The board as the server sees it now (worker thread)."""
    return Board.model_validate(api.get_json(BOARD_PATH))


def rate_text(figure: CompletionRate) -> str:
    """ "92.3%(12/13 件)", or "—" when nothing was completed."""
    if figure.rate is None:
        return NO_RATE
    return f"{figure.rate * 100:.1f}%({figure.same_day}/{figure.completed} 件)"


def waiting_text(count: int) -> str:
    """The headline above the unassigned queue."""
    return f"待分派 {count} 件" if count else "待分派 0 件:所有申请都已分派到窗口"


class BoardPage(QWidget):
    """The board page of the coordinator's mode (see the module docstring)."""

    loaded = Signal(object)
    """A `Board` was received and shown."""
    case_open_requested = Signal(int)
    """The coordinator double-clicked a waiting case: open it."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        poll_ms: int = POLL_MS,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.board: Board | None = None
        self.live = LiveRefresh(
            runner,
            lambda: lambda: fetch_board(api),
            on_done=self._on_board,
            on_error=self._on_failed,
            poll_ms=poll_ms,
            debounce_ms=debounce_ms,
            parent=self,
        )
        self.poll_timer = self.live.poll_timer

        self.model = BoardModel(self)
        self.unassigned_model = UnassignedModel(self)
        self._build()

    # ------------------------------------------------------------ building ----

    def _build(self) -> None:
        self.waiting_label = QLabel(waiting_text(0), self)
        self.waiting_label.setObjectName("waitingLabel")
        self.waiting_label.setStyleSheet(CLEAR_STYLE)
        self.unassigned_view = QTableView(self)
        self.unassigned_view.setObjectName("unassignedView")
        self.unassigned_view.setModel(self.unassigned_model)
        self._table_defaults(self.unassigned_view)
        self.unassigned_view.doubleClicked.connect(self._open_waiting)
        self.unassigned_view.setToolTip("双击打开申请")
        waiting_header = self.unassigned_view.horizontalHeader()
        waiting_header.setStretchLastSection(False)
        waiting_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.today_label = QLabel(self)
        self.month_label = QLabel(self)
        for label in (self.today_label, self.month_label):
            label.setStyleSheet(RATE_STYLE)
        self.as_of_label = QLabel(self)
        self.error_label = MessageLine(self)

        self.county_combo = QComboBox(self)
        self.county_combo.addItem(ALL_COUNTIES, "")
        self.county_combo.currentIndexChanged.connect(self._filter_county)
        self.totals_label = QLabel(self)

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(BoardModel.SortRole)
        self.proxy.setFilterRole(BoardModel.CountyRole)
        self.table = QTableView(self)
        self.table.setObjectName("boardView")
        self.table.setModel(self.proxy)
        self._table_defaults(self.table)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the server's order until a header is clicked
        header = self.table.horizontalHeader()
        for column in BoardColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

        rates = QHBoxLayout()
        rates_title = QLabel(f"{SAME_DAY_RATE_LABEL}:", self)
        rates_title.setToolTip(rate_note(SAME_DAY_RATE_LABEL))
        rates.addWidget(rates_title)
        rates.addWidget(QLabel("今日", self))
        rates.addWidget(self.today_label)
        rates.addSpacing(24)
        rates.addWidget(QLabel("本月", self))
        rates.addWidget(self.month_label)
        rates.addStretch(1)
        rates.addWidget(self.as_of_label)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("区县", self))
        filters.addWidget(self.county_combo)
        filters.addSpacing(16)
        filters.addWidget(self.totals_label, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.waiting_label)
        layout.addWidget(self.unassigned_view)
        layout.addLayout(rates)
        layout.addWidget(self.error_label)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self._show_rates(None)

    @staticmethod
    def _table_defaults(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setStretchLastSection(True)

    # ------------------------------------------------------------ the page contract ----

    def refresh(self) -> None:
        """Fetch now (first show, after a login); from then on follow the feed and the timer."""
        self.live.restart()  # an answer perhaps parked for the previous user is dropped

    def on_events(self, events: list[EventOut]) -> None:
        """Any change may move a figure (a case, a window's switch): re-fetch shortly."""
        if events:
            self.live.soon()

    def set_poll_interval(self, ms: int) -> None:
        """How often the board is re-fetched without an event (overdue comes by time alone)."""
        self.live.set_poll_interval(ms)

    # ------------------------------------------------------------ loading ----

    def _on_board(self, board: Board) -> None:
        self.error_label.clear_message()
        self.show_board(board)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpired):
            return  # the main window asks for the password
        self.error_label.show_error(f"看板未能更新:{error_text(exc)}")

    # ------------------------------------------------------------ showing ----

    def show_board(self, board: Board) -> None:
        """Put `board` on screen."""
        self.board = board
        waiting = board.unassigned
        self.waiting_label.setText(waiting_text(waiting.count))
        self.waiting_label.setStyleSheet(WAITING_STYLE if waiting.count else CLEAR_STYLE)
        if waiting.count > len(waiting.cases):
            self.waiting_label.setText(f"{waiting_text(waiting.count)}(列出最早的 {len(waiting.cases)} 件)")
        self.unassigned_model.set_cases(waiting.cases)
        self._fit_unassigned(len(waiting.cases))
        self._show_rates(board)
        self._update_counties(board)
        self.model.set_rows(board.rows)
        self._update_totals()
        self.as_of_label.setText(f"数据时间 {board.as_of.astimezone(LOCAL_ZONE):%H:%M:%S}")
        self.loaded.emit(board)

    def _fit_unassigned(self, rows: int) -> None:
        """Tall enough for a few waiting cases; hidden when there are none."""
        self.unassigned_view.setVisible(rows > 0)
        shown = min(max(rows, 1), UNASSIGNED_VISIBLE_ROWS)
        height = (
            self.unassigned_view.horizontalHeader().height()
            + shown * self.unassigned_view.verticalHeader().defaultSectionSize()
        )
        self.unassigned_view.setFixedHeight(height + 2 * self.unassigned_view.frameWidth())

    def _show_rates(self, board: Board | None) -> None:
        self.today_label.setText(rate_text(board.today) if board else NO_RATE)
        self.month_label.setText(rate_text(board.this_month) if board else NO_RATE)
        self.today_label.setToolTip(f"今日办结的申请中当日办结的比例。\n{rate_note(SAME_DAY_RATE_LABEL)}")
        self.month_label.setToolTip(f"本月办结的申请中当日办结的比例。\n{rate_note(SAME_DAY_RATE_LABEL)}")

    def _update_counties(self, board: Board) -> None:
        counties = list(dict.fromkeys((r.county_code, r.county_name) for r in board.rows))
        known = [self.county_combo.itemData(i) for i in range(1, self.county_combo.count())]
        if known == [code for code, _ in counties]:
            return
        chosen = self.county_combo.currentData()
        self.county_combo.blockSignals(True)
        self.county_combo.clear()
        self.county_combo.addItem(ALL_COUNTIES, "")
        for code, name in counties:
            self.county_combo.addItem(name, code)
        self.county_combo.setCurrentIndex(max(0, self.county_combo.findData(chosen)))
        self.county_combo.blockSignals(False)

    def _filter_county(self) -> None:
        code = self.county_combo.currentData() or ""
        self.proxy.setFilterRegularExpression(QRegularExpression(f"^{code}$") if code else QRegularExpression())
        self._update_totals()

    def _update_totals(self) -> None:
        rows = [self.proxy.index(r, 0).data(BoardModel.RowRole) for r in range(self.proxy.rowCount())]
        where = self.county_combo.currentText() if self.county_combo.currentData() else "全市"
        self.totals_label.setText(
            f"{where}在办 {sum(r.open_cases for r in rows)} 件 · 今日到期 {sum(r.due_today for r in rows)} · "
            f"已超时 {sum(r.overdue for r in rows)} · 待补充材料 {sum(r.awaiting_supplement for r in rows)} · "
            f"待缴费 {sum(r.awaiting_payment for r in rows)}"
        )

    def _open_waiting(self, index: QModelIndex) -> None:
        case_id = index.data(UnassignedModel.CaseIdRole)
        if case_id is not None:
            self.case_open_requested.emit(int(case_id))
