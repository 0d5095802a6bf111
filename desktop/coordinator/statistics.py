"""The coordinator's 统计报表 page: pick a date range, read the figures as tables and charts, export Excel.

The server computes one `Statistics` report for the range; every tab is a
view of it (`stats_views`), drawn as a table (`StatsTableModel`) and, where a
picture helps, a QtCharts chart (`CountChart`). 导出Excel saves the server's
workbook for the range on screen, so the file shows what the coordinator saw.

Live: once a range has been queried, a feed batch with an event that can
change its figures (`changes_figures`: a case finished on a day in the range,
or a rating) schedules one debounced re-fetch of that range, whatever the
date boxes hold meanwhile. The refresh is quiet: the message line, the tab
on screen and a table's selected row stay; an export in progress goes on.
At most one request is in flight (`LiveRefresh`), a query typed by the
coordinator replaces a refresh on its way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from common.enums import Action, CaseStatus
from common.schemas.cases import EventOut
from common.schemas.stats import Statistics
from common.workflow import TRANSITIONS
from desktop.api.client import ApiClient, SessionExpired
from desktop.api.tasks import Task, TaskRunner
from desktop.coordinator.live_refresh import LiveRefresh
from desktop.coordinator.stats_charts import CountChart
from desktop.coordinator.stats_export import (
    SaveFileChooser,
    ask_where_to_save,
    save_workbook,
    suggested_name,
)
from desktop.coordinator.stats_models import StatsTableModel
from desktop.coordinator.stats_views import TABS, StatsView, build_views, headline
from desktop.messages import MessageLine, error_text
from desktop.queue.rows import LOCAL_ZONE

STATS_PATH = "/coordinator/stats"
HEADLINE_STYLE = "font-size: 16pt; font-weight: bold; color: #0d47a1;"
DEBOUNCE_MS = 500

# The report (server/stats/report.py) counts the cases that reached 已办结 or 已退回, each on the local date of
# its finished_at, with the rating of a completed one. No case leaves those statuses, and a finished case's
# category, member, county, times and reason stay as they are: only finishing a case or rating one moves a
# figure. Submission, dispatch, acceptance, cancellation (已撤销 is not counted), calls, notes never do.
FINISHING_ACTIONS = frozenset(
    action.value for action, move in TRANSITIONS.items() if move.target in (CaseStatus.COMPLETED, CaseStatus.REJECTED)
)


def changes_figures(event: EventOut, date_from: date, date_to: date) -> bool:
    """Whether `event` can change the report for the local dates [date_from, date_to].

    A finishing event is stamped with the case's finished_at, so it counts on
    the event's own day: a range that does not hold that day (a closed past
    range) cannot change. The event's day, not the PC's today, so an event of
    23:59 read after midnight still refreshes yesterday's range. A rating may
    be for a case completed long ago, in any range up to the rating's day, and
    the event does not say when that was: every such range is fetched again.
    """
    day = event.created_at.astimezone(LOCAL_ZONE).date()
    if event.action in FINISHING_ACTIONS:
        return date_from <= day <= date_to
    if event.action == Action.RATE.value:
        return date_from <= day
    return False


def month_range(today: date) -> tuple[date, date]:
    """本月: the first of this month to today."""
    return today.replace(day=1), today


def year_range(today: date) -> tuple[date, date]:
    """本年: 1 January to today."""
    return date(today.year, 1, 1), today


def last_year_range(today: date) -> tuple[date, date]:
    """上一年: the whole previous calendar year (the association's yearly figures)."""
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def fetch_statistics(api: ApiClient, date_from: date, date_to: date) -> Statistics:
    """The report for [date_from, date_to] (worker thread)."""
    data = api.get_json(STATS_PATH, {"from": date_from.isoformat(), "to": date_to.isoformat()})
    return Statistics.model_validate(data)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class StatsTab(QWidget):
    """One view: an optional line of text, the table and, when the view has one, its chart beside it."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.headline = QLabel(self)
        self.headline.setVisible(False)
        self.model = StatsTableModel((), self)
        self.table = QTableView(self)
        self.table.setObjectName(f"stats_table_{key}")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.chart = CountChart(self)
        self.chart.setVisible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 600])  # the chart gets the larger part: the tables are narrow
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(splitter, 1)

    def show_view(self, view: StatsView) -> None:
        """Show one report's view of this tab; the selected row stays selected if the new view has it."""
        selected = [index.data() for index in self.table.selectionModel().selectedRows()]
        self.headline.setText(view.headline)
        self.headline.setVisible(bool(view.headline))
        self.model.set_view(view.columns, view.rows)
        for row in range(self.model.rowCount()):
            if self.model.index(row, 0).data() in selected:
                self.table.selectRow(row)
                break
        if view.chart is not None:
            self.chart.show_data(view.chart)
        self.chart.setVisible(view.chart is not None)


class StatisticsPage(QWidget):
    """统计报表. `today` is the local date the presets count from (default: the server's clock)."""

    loaded = Signal(object)
    """A `Statistics` is on screen."""
    load_failed = Signal(str)
    """The report could not be loaded: the message shown."""
    exported = Signal(object)
    """The workbook was saved: its `Path`."""
    export_failed = Signal(str)
    """Nothing was saved: the message shown."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        today: Callable[[], date] | None = None,
        choose_file: SaveFileChooser = ask_where_to_save,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self._today = today or (lambda: api.server_now().astimezone(LOCAL_ZONE).date())
        self._choose_file = choose_file
        self.report: Statistics | None = None
        self.queried: tuple[date, date] | None = None
        """The range last asked for with 查询 (or a preset, or a refresh); live refreshes fetch it again."""
        self._user_waits = False  # the next answer is for a query the coordinator started
        self._live_error = ""  # the message a failed live refresh left, cleared by the next good one
        self._export: Task | None = None
        self._range_chosen = False
        self.live = LiveRefresh(
            runner,
            self._prepare_fetch,
            on_done=self._on_loaded,
            on_error=self._on_load_failed,
            debounce_ms=debounce_ms,
            parent=self,
        )

        self.from_edit = self._date_edit()
        self.to_edit = self._date_edit()
        self.this_month_button = QPushButton("本月", self)
        self.this_year_button = QPushButton("本年", self)
        self.last_year_button = QPushButton("上一年", self)
        self.query_button = QPushButton("查询", self)
        self.query_button.setDefault(True)
        self.export_button = QPushButton("导出Excel", self)
        self.export_button.setEnabled(False)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.message = MessageLine(self)
        self.headline = QLabel("请选择统计区间后点击“查询”", self)
        self.headline.setStyleSheet(HEADLINE_STYLE)
        self.tabs = QTabWidget(self)
        self.tab_pages: dict[str, StatsTab] = {}
        for key, title in TABS.items():
            tab = StatsTab(key, self.tabs)
            self.tab_pages[key] = tab
            self.tabs.addTab(tab, title)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计区间", self))
        bar.addWidget(self.from_edit)
        bar.addWidget(QLabel("至", self))
        bar.addWidget(self.to_edit)
        for button in (
            self.this_month_button,
            self.this_year_button,
            self.last_year_button,
            self.query_button,
        ):
            bar.addWidget(button)
        bar.addWidget(self.busy)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.headline)
        layout.addWidget(self.tabs, 1)

        self.this_month_button.clicked.connect(lambda: self.query_range(*month_range(self._today())))
        self.this_year_button.clicked.connect(lambda: self.query_range(*year_range(self._today())))
        self.last_year_button.clicked.connect(lambda: self.query_range(*last_year_range(self._today())))
        self.query_button.clicked.connect(self.query)
        self.export_button.clicked.connect(self.export_excel)
        self.from_edit.dateChanged.connect(self._note_range_chosen)
        self.to_edit.dateChanged.connect(self._note_range_chosen)
        self._set_range(*month_range(self._today()))
        self._range_chosen = False

    # ------------------------------------------------------------ range ----

    def date_range(self) -> tuple[date, date]:
        """The range in the date boxes."""
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()  # type: ignore[return-value]

    def refresh(self) -> None:
        """Load the figures: this month's until the coordinator picks another range, then that range again."""
        if not self._range_chosen:
            self._set_range(*month_range(self._today()))
            self._range_chosen = False
        self.query()

    def query_range(self, date_from: date, date_to: date) -> None:
        """Put the range in the date boxes and load it."""
        self._set_range(date_from, date_to)
        self.query()

    def query(self) -> None:
        """Load the report for the range in the date boxes; a newer query replaces one still running."""
        date_from, date_to = self.date_range()
        if date_from > date_to:
            self.message.show_error("开始日期不能晚于结束日期")
            return
        self.queried = (date_from, date_to)
        self._user_waits = True
        self.message.show_note("正在统计…")
        self.live.restart()  # an answer on its way is for the range asked before
        self._update_busy()

    def on_events(self, events: list[EventOut]) -> None:
        """A feed batch: fetch the range last queried again shortly, if an event can change its figures."""
        if self.queried is not None and any(changes_figures(event, *self.queried) for event in events):
            self.live.soon()

    def _prepare_fetch(self) -> Callable[[], Statistics]:
        assert self.queried is not None
        date_from, date_to = self.queried
        return lambda: fetch_statistics(self.api, date_from, date_to)

    # ------------------------------------------------------------ export ----

    def export_excel(self) -> None:
        """Ask where, then save the server's workbook for the range on screen."""
        if self.report is None or self._export is not None:
            return
        date_from, date_to = self.report.date_from, self.report.date_to
        path = self._choose_file(self, suggested_name(date_from, date_to))
        if path is None:
            return
        self.message.show_note("正在导出…")
        self._export = self.runner.run(
            lambda: save_workbook(self.api, date_from, date_to, path),
            on_done=self._on_exported,
            on_error=self._on_export_failed,
            context=self,
        )
        self._update_busy()

    # ------------------------------------------------------------ outcomes ----

    def _on_loaded(self, report: Statistics) -> None:
        # `restart()` drops every answer but the query's own, so the first answer after it is the query's.
        by_user, self._user_waits = self._user_waits, False
        self.report = report
        self.headline.setText(headline(report))
        for view in build_views(report):
            self.tab_pages[view.key].show_view(view)
        if by_user or (self._live_error and self.message.text() == self._live_error):
            self.message.clear_message()  # "正在统计…", or a failed refresh now made good; never an export's
        self._live_error = ""
        self._update_busy()
        self.loaded.emit(report)

    def _on_load_failed(self, exc: BaseException) -> None:
        by_user, self._user_waits = self._user_waits, False
        self._update_busy()
        if isinstance(exc, SessionExpired):
            if by_user:
                self.message.clear_message()  # the login dialog is the message
            return
        if by_user:
            message = f"统计失败:{error_text(exc)}"
        else:
            message = self._live_error = f"统计未能更新(显示的是更新前的数字):{error_text(exc)}"
        self.message.show_error(message)
        self.load_failed.emit(message)

    def _on_exported(self, path: Path) -> None:
        self._export = None
        self._update_busy()
        self.message.show_done(f"已导出到 {path}")
        self.exported.emit(path)

    def _on_export_failed(self, exc: BaseException) -> None:
        self._export = None
        self._update_busy()
        message = f"导出失败,未保存文件:{error_text(exc)}"
        self.message.show_error(message)
        self.export_failed.emit(message)

    # ------------------------------------------------------------ helpers ----

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _set_range(self, date_from: date, date_to: date) -> None:
        self.from_edit.setDate(_qdate(date_from))
        self.to_edit.setDate(_qdate(date_to))

    def _note_range_chosen(self, _day: QDate) -> None:
        self._range_chosen = True

    def _update_busy(self) -> None:
        busy = self._user_waits or self._export is not None  # a live refresh runs without a progress bar
        self.busy.setVisible(busy)
        self.query_button.setEnabled(not self._user_waits)
        self.export_button.setEnabled(self.report is not None and self._export is None)
