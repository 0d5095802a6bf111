"""The coordinator's 预警 page: signals to act on, and the intermediary rule.

Three tabs, each a list the server draws up (`GET /coordinator/signals`):

* 中介嫌疑: phones (masked) that applied for the rule's number of different
  owners within its window; selecting one lists its applications below;
* 超时一天以上: open cases more than a day past their deadline;
* 差评与投诉: low ratings and complaints of a recent period.

Above them, the rule's form (`RuleForm`) saves a new threshold and window
(`PUT /coordinator/signals/rule`); the lists are fetched again at once.

Live: feed events that can change a list (a submission, a rating, a
complaint, a rule change, a case moving on …) schedule one debounced
re-fetch; a case crosses the one-day line by time alone, so the page is also
re-fetched on a slow timer. At most one request is in flight. Double-clicking
a case emits `case_open_requested(case_id)`, which the main window connects.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from common.enums import Action
from common.schemas.cases import EventOut
from common.schemas.signals import (
    DEFAULT_MAX_STARS,
    DEFAULT_PERIOD_DAYS,
    SignalRuleOut,
    SignalsOut,
)
from desktop.api.client import ApiClient, SessionExpired
from desktop.api.tasks import Task, TaskRunner
from desktop.coordinator.live_refresh import LiveRefresh
from desktop.coordinator.signals_models import (
    APPLICATION_COLUMNS,
    COMPLAINT_COLUMNS,
    FLAG_COLUMNS,
    OVERDUE_COLUMNS,
    RATING_COLUMNS,
    SignalTableModel,
    local_time,
)
from desktop.coordinator.signals_rule import RuleForm
from desktop.messages import MessageLine, error_text

SIGNALS_PATH = "/coordinator/signals"
RULE_PATH = "/coordinator/signals/rule"
POLL_MS = 300_000
DEBOUNCE_MS = 500
PERIODS = ((7, "近7天"), (30, "近30天"), (90, "近90天"), (365, "近一年"))
# Events that never change any of the lists; every other one schedules a re-fetch.
QUIET_ACTIONS = frozenset(
    a.value
    for a in (
        Action.CREATE,
        Action.UPLOAD_DOCUMENT,
        Action.CALL,
        Action.NOTE,
        Action.REVEAL_ID,
        Action.SET_BRANCH,
        Action.ADD_USER,
        Action.RESET_PASSWORD,
        Action.DEACTIVATE_USER,
        Action.REACTIVATE_USER,
    )
)
TAB_TITLES = ("中介嫌疑", "超时一天以上", "差评与投诉")


def fetch_signals(api: ApiClient, *, days: int, max_stars: int) -> SignalsOut:
    """The signals as the server sees them now (worker thread)."""
    data = api.get_json(SIGNALS_PATH, {"days": days, "max_stars": max_stars})
    return SignalsOut.model_validate(data)


def save_rule(api: ApiClient, threshold: int, window_days: int) -> SignalRuleOut:
    """Set the intermediary rule (worker thread); the server answers with the rule in force."""
    data = api.put_json(RULE_PATH, {"threshold": threshold, "window_days": window_days})
    return SignalRuleOut.model_validate(data)


def _table(parent: QWidget, name: str, model: SignalTableModel) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class SignalsPage(QWidget):
    """The 预警 page of the coordinator's mode (see the module docstring)."""

    loaded = Signal(object)
    """A `SignalsOut` was received and shown."""
    load_failed = Signal(str)
    """The signals could not be fetched: the message shown."""
    rule_saved = Signal(object)
    """The rule was saved: the `SignalRuleOut` now in force."""
    rule_save_failed = Signal(str)
    """The rule was not saved: the message shown."""
    case_open_requested = Signal(int)
    """The coordinator double-clicked a case: open it."""

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
        self.signals: SignalsOut | None = None
        self._save: Task | None = None
        self.live = LiveRefresh(
            runner,
            self._prepare_fetch,
            on_done=self.show_signals,
            on_error=self._on_failed,
            poll_ms=poll_ms,
            debounce_ms=debounce_ms,
            parent=self,
        )
        self.poll_timer = self.live.poll_timer

        self.flags_model = SignalTableModel(FLAG_COLUMNS, self)
        self.applications_model = SignalTableModel(APPLICATION_COLUMNS, self)
        self.overdue_model = SignalTableModel(OVERDUE_COLUMNS, self)
        self.ratings_model = SignalTableModel(RATING_COLUMNS, self)
        self.complaints_model = SignalTableModel(COMPLAINT_COLUMNS, self)
        self._build()

    # ------------------------------------------------------------ building ----

    def _build(self) -> None:
        self.rule_form = RuleForm(self)
        self.rule_form.save_requested.connect(self.save_rule)
        self.refresh_button = QPushButton("刷新", self)
        self.refresh_button.clicked.connect(self.live.now)
        self.as_of_label = QLabel(self)
        self.message = MessageLine(self)

        self.flags_view = _table(self, "flagsView", self.flags_model)
        self.applications_view = _table(self, "flagApplicationsView", self.applications_model)
        self.applications_view.setToolTip("双击打开申请")
        self.flags_view.selectionModel().currentRowChanged.connect(self._show_flag)
        flags_tab = QSplitter(Qt.Orientation.Vertical, self)
        flags_tab.addWidget(self.flags_view)
        below = QGroupBox("该手机号在统计期内的申请", flags_tab)
        QVBoxLayout(below).addWidget(self.applications_view)
        flags_tab.addWidget(below)

        self.overdue_view = _table(self, "overdueView", self.overdue_model)
        self.overdue_view.setToolTip("双击打开申请")

        self.period_combo = QComboBox(self)
        for days, title in PERIODS:
            self.period_combo.addItem(title, days)
        self.period_combo.setCurrentIndex(self.period_combo.findData(DEFAULT_PERIOD_DAYS))
        self.low_only_box = QCheckBox(f"只看{DEFAULT_MAX_STARS}星及以下的评价", self)
        self.low_only_box.setChecked(True)
        # Another period or filter: an answer still on its way is of no use.
        self.period_combo.currentIndexChanged.connect(self.live.restart)
        self.low_only_box.toggled.connect(self.live.restart)
        self.ratings_view = _table(self, "ratingsView", self.ratings_model)
        self.complaints_view = _table(self, "complaintsView", self.complaints_model)
        feedback_tab = QWidget(self)
        feedback_bar = QHBoxLayout()
        feedback_bar.addWidget(QLabel("时间范围", feedback_tab))
        feedback_bar.addWidget(self.period_combo)
        feedback_bar.addWidget(self.low_only_box)
        feedback_bar.addStretch(1)
        feedback_split = QSplitter(Qt.Orientation.Vertical, feedback_tab)
        self.ratings_box = QGroupBox("差评", feedback_split)
        QVBoxLayout(self.ratings_box).addWidget(self.ratings_view)
        self.complaints_box = QGroupBox("投诉", feedback_split)
        QVBoxLayout(self.complaints_box).addWidget(self.complaints_view)
        feedback_split.addWidget(self.ratings_box)
        feedback_split.addWidget(self.complaints_box)
        feedback_layout = QVBoxLayout(feedback_tab)
        feedback_layout.addLayout(feedback_bar)
        feedback_layout.addWidget(feedback_split, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("signalTabs")
        for widget, title in zip((flags_tab, self.overdue_view, feedback_tab), TAB_TITLES, strict=True):
            self.tabs.addTab(widget, title)

        for view in (
            self.applications_view,
            self.overdue_view,
            self.ratings_view,
            self.complaints_view,
        ):
            view.doubleClicked.connect(self._open_case)

        bar = QHBoxLayout()
        bar.addWidget(self.rule_form, 1)
        bar.addWidget(self.as_of_label)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

    # ------------------------------------------------------------ the page contract ----

    def refresh(self) -> None:
        """Fetch now (first show, after a login); from then on follow the feed and the timer."""
        self.live.restart()  # an answer perhaps parked for the previous user is dropped

    def on_events(self, events: list[EventOut]) -> None:
        """Re-fetch shortly when an event can change a list (see QUIET_ACTIONS)."""
        if any(event.action not in QUIET_ACTIONS for event in events):
            self.live.soon()

    # ------------------------------------------------------------ the rule ----

    def save_rule(self, threshold: int, window_days: int) -> None:
        """Send the rule to the server; the lists are fetched again once it is saved."""
        if self._save is not None:
            return
        api = self.api
        self.rule_form.set_busy(True)
        self._save = self.runner.run(
            lambda: save_rule(api, threshold, window_days),
            on_done=self._on_saved,
            on_error=self._on_save_failed,
            context=self,
        )

    def _on_saved(self, rule: SignalRuleOut) -> None:
        self._save = None
        self.rule_form.set_busy(False)
        self.rule_form.show_rule(rule, force=True)
        self.message.show_done(f"已保存:{rule.window_days}天内{rule.threshold}个及以上不同车主")
        self.rule_saved.emit(rule)
        self.live.now()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._save = None
        self.rule_form.set_busy(False)
        if isinstance(exc, SessionExpired):
            return  # the main window asks for the password
        message = f"规则未保存:{error_text(exc)}"
        self.message.show_error(message)
        self.rule_save_failed.emit(message)

    # ------------------------------------------------------------ loading ----

    def _prepare_fetch(self) -> Callable[[], SignalsOut]:
        # The filters are read here, in the GUI thread, as the request starts.
        api = self.api
        days = int(self.period_combo.currentData())
        max_stars = DEFAULT_MAX_STARS if self.low_only_box.isChecked() else 5
        return lambda: fetch_signals(api, days=days, max_stars=max_stars)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpired):
            return  # the main window asks for the password
        message = f"预警加载失败:{error_text(exc)}"
        self.message.show_error(message)
        self.load_failed.emit(message)

    # ------------------------------------------------------------ showing ----

    def show_signals(self, signals: SignalsOut) -> None:
        """Put every list on screen; the selected phone stays selected when it is still flagged."""
        chosen = self._current_flag_phone()
        self.signals = signals
        if self.message.is_error:
            self.message.clear_message()  # the lists are current again
        self.rule_form.show_rule(signals.rule)
        self.as_of_label.setText(f"更新于 {local_time(signals.as_of)}")
        self.flags_model.set_rows(signals.intermediaries)
        self.overdue_model.set_rows(signals.overdue)
        self.ratings_model.set_rows(signals.ratings)
        self.complaints_model.set_rows(signals.complaints)
        phones = [flag.phone_masked for flag in signals.intermediaries]
        row = phones.index(chosen) if chosen in phones else 0
        if phones:
            self.flags_view.selectRow(row)
        self._show_flag(self.flags_model.index(row, 0) if phones else QModelIndex())
        counts = signals.counts
        for tab, count in enumerate((counts.intermediaries, counts.overdue, counts.ratings + counts.complaints)):
            self.tabs.setTabText(tab, f"{TAB_TITLES[tab]} ({count})")
        self.ratings_box.setTitle(f"差评 {counts.ratings} 条")
        self.complaints_box.setTitle(f"投诉 {counts.complaints} 条")
        self.loaded.emit(signals)

    def _current_flag_phone(self) -> str | None:
        index = self.flags_view.currentIndex()
        if not index.isValid():
            return None
        return self.flags_model.record(index.row()).phone_masked  # type: ignore[union-attr]

    def _show_flag(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        flag = self.flags_model.record(current.row()) if current.isValid() else None
        self.applications_model.set_rows(flag.applications if flag is not None else [])  # type: ignore[union-attr]

    def _open_case(self, index: QModelIndex) -> None:
        case_id = index.data(SignalTableModel.CaseIdRole)
        if case_id is not None:
            self.case_open_requested.emit(int(case_id))
