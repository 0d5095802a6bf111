"""The clerk's main window: the live queue, the connection banner, who is logged in.

Lifecycle of a session (`start_session`): read the feed's head, load the
whole queue page by page (`QueueLoader`), then follow the feed from that
head (`FeedFollower`), so events that happen during the load are replayed
rather than lost. Each event's case is fetched (`GET /staff/cases/{id}`) and
upserted into the model: the list is never reloaded for a change.

When the session expires anywhere (a task or the feed), the login dialog
comes back over the window; after logging in again the same clerk finds the
same tab, search and selection, and the calls that failed are re-sent.

For the case view (a colleague's part): connect `case_open_requested(int)`
to open a case; connect `case_updated(int)` to refresh an open case when the
feed says it changed; call `apply_case(detail)` with the `CaseDetail` an
action returns so the queue shows it at once.

A coordinator gets the queue as the first of several tabs, beside the pages
of `desktop/coordinator/pages.py` (see `desktop/coordinator/shell.py`).
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QMetaMethod, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QStyle, QVBoxLayout, QWidget

from common.enums import CaseStatus
from common.schemas.auth import StaffSessionOut, StaffUserOut
from common.schemas.cases import CaseDetail, CaseSummary, EventOut
from desktop.api.client import ApiClient, NotFound
from desktop.api.tasks import TaskRunner
from desktop.banner import ConnectionBanner
from desktop.boxes import inform
from desktop.case.opener import CaseWindows
from desktop.coordinator.shell import CoordinatorShell
from desktop.feed import DEFAULT_WAIT_SECONDS, FeedFollower, fetch_feed_head
from desktop.intake.form import IntakeDialog
from desktop.login import LoginDialog
from desktop.messages import error_text
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from desktop.queue.loader import QueueLoader
from desktop.queue.model import CaseQueueModel
from desktop.queue.panel import QueuePanel
from desktop.queue.proxy import CaseFilterProxy

log = logging.getLogger(__name__)

APP_TITLE = "盐城保险业“1号窗口”"
COUNTS_DEBOUNCE_MS = 300
STATUS_MESSAGE_MS = 8000
# Statuses in which a case that appears in the queue is news for the clerk.
_ANNOUNCED = frozenset({CaseStatus.ASSIGNED.value, CaseStatus.SUBMITTED.value})


class MainWindow(QMainWindow):
    """The queue window. Dependencies come in through the constructor; nothing here blocks on the network."""

    case_open_requested = Signal(int)
    """The clerk asked to open a case (Enter or double-click): connect the case view here."""
    case_updated = Signal(int)
    """A case changed on the server (feed) and its row was refreshed."""
    events_arrived = Signal(list)
    """Every feed batch (`EventOut` list), for views that follow a case's timeline."""
    session_started = Signal(object)
    """A `StaffSessionOut` after each (re)login."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        prefs: Preferences,
        *,
        model: CaseQueueModel | None = None,
        notifier: NewCaseNotifier | None = None,
        feed_wait_seconds: float = DEFAULT_WAIT_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.prefs = prefs
        self.monitor = runner.monitor
        self.user: StaffUserOut | None = None
        self.feed: FeedFollower | None = None
        self.login_dialog: LoginDialog | None = None
        self._feed_wait = feed_wait_seconds
        self._feed_cursor: int | None = None
        self._head: int | None = None
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DesktopIcon))

        self.model = model or CaseQueueModel(now=api.server_now, parent=self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.panel = QueuePanel(self.proxy, self)
        self.banner = ConnectionBanner(self)
        self.notifier = notifier or NewCaseNotifier(prefs, window=self, icon=self.windowIcon(), parent=self)
        self.loader = QueueLoader(api, runner, parent=self)
        self.case_windows = CaseWindows(
            api, runner, role=lambda: self.user.role if self.user else None, window_parent=self, parent=self
        )

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.panel, 1)
        self.setCentralWidget(central)
        # The coordinator's pages beside the queue (tabs); clerks and supervisors see the queue alone.
        self.coordinator = CoordinatorShell(
            api, runner, layout=layout, queue=self.panel, open_case=self.request_open_case, parent=self
        )
        self._build_status_bar()
        self._build_menus()
        self._connect()
        self.panel.select_filter(prefs.queue_filter or "")
        self.resize(1200, 720)
        self._restore_layout()

    # ------------------------------------------------------------ building ----

    def _build_status_bar(self) -> None:
        self.user_label = QLabel("未登录", self)
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setMaximumWidth(120)
        self.busy_indicator.setVisible(False)
        self.statusBar().addPermanentWidget(self.busy_indicator)
        self.statusBar().addPermanentWidget(self.user_label)

    def _build_menus(self) -> None:
        self.refresh_action = QAction("刷新", self, shortcut=QKeySequence("F5"), triggered=self.reload)
        self.find_action = QAction(
            "搜索", self, shortcut=QKeySequence.StandardKey.Find, triggered=self.panel.focus_search
        )
        self.open_action = QAction("打开所选申请", self, triggered=self.open_selected)
        self.intake_action = QAction("窗口受理…", self, shortcut=QKeySequence("Ctrl+N"), triggered=self.open_intake)
        self.addToolBar("窗口受理").addAction(self.intake_action)
        self.logout_action = QAction("退出登录", self, triggered=self.log_out)
        self.quit_action = QAction("退出", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.notify_action = QAction("新申请提醒(声音和通知)", self, checkable=True)
        self.notify_action.setChecked(self.notifier.enabled)
        self.notify_action.toggled.connect(self._set_notify)
        file_menu = self.menuBar().addMenu("文件")
        file_menu.addActions([self.logout_action, self.quit_action])
        queue_menu = self.menuBar().addMenu("申请")
        queue_menu.addActions([self.intake_action, self.open_action, self.refresh_action, self.find_action])
        settings_menu = self.menuBar().addMenu("设置")
        settings_menu.addAction(self.notify_action)

    def _connect(self) -> None:
        self.panel.case_activated.connect(self.request_open_case)
        self.case_open_requested.connect(self.case_windows.open_case)
        self.case_updated.connect(self.case_windows.case_changed)
        self.case_windows.case_acted.connect(self.apply_case)
        self.events_arrived.connect(self.coordinator.on_events)
        self.panel.filter_changed.connect(self._remember_filter)
        self.banner.retry_clicked.connect(self.monitor.retry_now)
        self.monitor.reachable_changed.connect(self.banner.set_reachable)
        self.monitor.retry_requested.connect(self._wake_feed)
        self.runner.busy_changed.connect(self._update_busy)
        self.runner.session_expired.connect(self.handle_session_expired)
        self.runner.unhandled_error.connect(self._show_error)
        self.loader.page_loaded.connect(self.model.merge)
        self.loader.progress.connect(self._on_load_progress)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DEBOUNCE_MS)
        self._counts_timer.timeout.connect(lambda: self.panel.update_counts(self.model.counts()))
        for signal in (self.model.contents_changed, self.model.urgency_changed, self.model.day_changed):
            signal.connect(self._counts_timer.start)

    # ------------------------------------------------------------ session ----

    def start_session(self, session: StaffSessionOut) -> None:
        """After a login: the same user resumes where they were; another user gets their own queue."""
        same_user = self.user is not None and self.user.id == session.user.id
        self.user = session.user
        user = session.user
        parts = [user.display_name, user.role_label, user.member_name, user.county_name]
        self.user_label.setText(" · ".join(p for p in parts if p))
        self.setWindowTitle(f"{APP_TITLE} - {user.display_name}")
        self.panel.set_role(user.role)
        self.coordinator.set_role(user.role)
        self.session_started.emit(session)
        if same_user and self._feed_cursor is not None:
            self.runner.session_restored()
            self.coordinator.reload()
            self._start_feed(self._feed_cursor)
            return
        self.runner.discard_parked()
        self.case_windows.close_all()  # the previous user's cases
        self._stop_feed()
        self.model.clear()
        self.reload()

    def reload(self) -> None:
        """F5: read the feed head, load the whole queue, then follow the feed from the head."""
        if self.user is None:
            return
        self.coordinator.reload()
        self._stop_feed()
        self.loader.cancel()
        self.statusBar().showMessage("正在加载申请列表…")
        self.runner.run(lambda: fetch_feed_head(self.api), on_done=self._on_head, retry=True, context=self)

    def handle_session_expired(self) -> None:
        """Ask for the password again over the window (once, however many calls noticed)."""
        if self.login_dialog is not None:
            return
        self._stop_feed()
        self._show_login("登录已过期,请重新输入密码。")

    def log_out(self) -> None:
        """End the session on the server and show the login dialog (a shared counter PC)."""
        self._stop_feed()
        self.loader.cancel()
        token, self.api.token = self.api.token, None  # forgotten now; revoked on the server in the background
        self.runner.run(lambda: self.api.logout(token), on_error=lambda _exc: None)
        self._show_login("已退出登录。")

    def _show_login(self, notice: str) -> None:
        dialog = LoginDialog(
            self.api,
            self.runner,
            self.prefs,
            notice=notice,
            server_url=self.api.base_url,
            username=self.user.username if self.user is not None else None,
            parent=self,
        )
        self.login_dialog = dialog
        dialog.logged_in.connect(self.start_session)
        dialog.rejected.connect(self.close)
        dialog.finished.connect(self._forget_login_dialog)
        dialog.open()

    def _forget_login_dialog(self) -> None:
        if self.login_dialog is not None:
            self.login_dialog.deleteLater()
        self.login_dialog = None

    # ------------------------------------------------------------ loading ----

    def _on_head(self, head: int) -> None:
        self._head = head
        self.loader.start()

    def _on_load_progress(self, loaded: int, expected: int) -> None:
        self.statusBar().showMessage(f"正在加载申请列表… {loaded}/{expected}")

    def _on_loaded(self, seen: set[int]) -> None:
        self.model.retain(seen)
        self.statusBar().showMessage(f"已加载 {len(seen)} 件申请", STATUS_MESSAGE_MS)
        if self._head is not None:
            self._start_feed(self._head)

    def _on_load_failed(self, exc: BaseException) -> None:
        self._show_error(exc)

    # ------------------------------------------------------------ feed ----

    def _start_feed(self, after: int) -> None:
        self._stop_feed()
        feed = FeedFollower(
            self.api, after=after, wait_seconds=self._feed_wait, backoff=self.monitor.backoff, parent=self
        )
        feed.events_arrived.connect(self._on_events)
        feed.reachable_changed.connect(self.monitor.set_reachable)
        feed.session_expired.connect(self.handle_session_expired)
        feed.cursor_reset.connect(lambda _cursor: self.reload())
        self.feed = feed
        self._feed_cursor = after
        feed.start()

    def _stop_feed(self) -> None:
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop()
            self._feed_cursor = feed.last_seq
            feed.deleteLater()

    def _wake_feed(self) -> None:
        if self.feed is not None:
            self.feed.wake()

    def _on_events(self, events: list[EventOut]) -> None:
        if self.feed is not None:
            self._feed_cursor = self.feed.last_seq
        case_ids = list(dict.fromkeys(e.case_id for e in events if e.case_id is not None))
        for case_id in case_ids:
            self.runner.run(
                partial(self._fetch_case, case_id),
                on_done=self.apply_case,
                on_error=partial(self._on_case_fetch_failed, case_id),
                retry=True,
                context=self,
            )
        self.events_arrived.emit(events)

    def _fetch_case(self, case_id: int) -> CaseDetail:
        return CaseDetail.model_validate(self.api.get_json(f"/staff/cases/{case_id}"))

    def apply_case(self, case: CaseSummary) -> None:
        """Show a fresh copy of a case in the queue (from the feed, or returned by an action)."""
        inserted = self.model.upsert(case)
        if inserted and case.status in _ANNOUNCED:
            self.notifier.announce(case)
        self.case_updated.emit(case.id)

    def _on_case_fetch_failed(self, case_id: int, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self.model.remove(case_id)  # reassigned away or otherwise out of scope now
            self.case_updated.emit(case_id)
        else:
            self._show_error(exc)

    # ------------------------------------------------------------ opening ----

    def current_case_id(self) -> int | None:
        """The selected case."""
        return self.panel.current_case_id()

    def open_selected(self) -> None:
        """Open the selected case, if any."""
        case_id = self.current_case_id()
        if case_id is not None:
            self.request_open_case(case_id)

    def request_open_case(self, case_id: int) -> None:
        """Emit `case_open_requested`; until a case view is connected, say so in a small dialog."""
        if self.isSignalConnected(QMetaMethod.fromSignal(self.case_open_requested)):
            self.case_open_requested.emit(case_id)
        else:
            self._show_case_placeholder(case_id)

    def _show_case_placeholder(self, case_id: int) -> None:
        case = self.model.case(case_id)
        text = f"{case.number}  {case.owner_name}  {case.status_label}" if case else f"申请 {case_id}"
        inform(self, "申请详情", f"{text}\n\n申请详情页面即将上线。", object_name="casePlaceholder")

    def open_intake(self) -> None:
        """窗口受理: the counter intake form for a walk-in customer."""
        dialog = IntakeDialog(self.api, self.runner, user=self.user, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # ------------------------------------------------------------ misc ----

    def _update_busy(self, running: int) -> None:
        self.busy_indicator.setVisible(running > 0)

    def _set_notify(self, enabled: bool) -> None:
        self.notifier.enabled = enabled

    def _remember_filter(self, key: str) -> None:
        self.prefs.queue_filter = key

    def _show_error(self, exc: BaseException) -> None:
        self.statusBar().showMessage(error_text(exc), STATUS_MESSAGE_MS)

    def _restore_layout(self) -> None:
        geometry = self.prefs.window_state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        columns = self.prefs.window_state("queue_columns")
        if columns is not None:
            self.panel.table.horizontalHeader().restoreState(columns)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layout; stop the feed and the background calls before the window goes."""
        self.prefs.save_window_state("geometry", self.saveGeometry())
        self.prefs.save_window_state("queue_columns", self.panel.table.horizontalHeader().saveState())
        self.case_windows.close_all()
        self._stop_feed()
        self.loader.cancel()
        self.model.stop_countdown()
        self.runner.shutdown()
        super().closeEvent(event)
