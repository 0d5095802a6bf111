"""The coordinator's 分派设置 page: per county, each member's window switched on or off, weighted, renumbered.

The coordinator picks a county, edits the table (tick 接单, type a weight or
a phone), presses 保存修改, reads what will change and confirms. Each edited
window is one PATCH, sent in turn in the background; the server applies it
from the next dispatch on and records who changed what, which the history
under the table shows. Whatever happens, the table ends as the server has
it: on success and on failure alike the county is fetched again and the
unsaved edits are dropped, so nothing on screen pretends to be saved.

Live: the county is fetched again, shortly after the events that can change
what it shows (`LiveRefresh`, so a burst costs one request): a SET_BRANCH of
the shown county (another coordinator's change, or this one's arriving
through the feed), and a case of the shown county submitted, dispatched,
reassigned or cancelled, which moves the count of cases waiting for a window.
Each event says its county (`EventOut.county_code`), so another county's
traffic costs no request; an event without one (a server that does not send
it yet) is taken to concern the shown county. Edits in progress that still
differ are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from common.catalog import load_catalog
from common.enums import Action
from common.schemas.cases import EventOut
from common.schemas.pool import PoolChangeRow, PoolCounty, WindowChangeOut
from desktop.api.client import ApiClient, ApiError, ServerUnreachable, SessionExpired
from desktop.api.tasks import TaskRunner
from desktop.boxes import ask
from desktop.coordinator.live_refresh import LiveRefresh
from desktop.coordinator.pool_models import (
    HistoryColumn,
    HistoryModel,
    PendingChange,
    WeightDelegate,
    WindowColumn,
    WindowsModel,
)
from desktop.messages import MessageLine, error_text

POOL_PATH = "/coordinator/pool"
DEBOUNCE_MS = 300
# Case events that change how many of a county's cases wait for a window: one of the
# shown county fetches it again (one request a burst), one of another county does not.
WAITING_ACTIONS = frozenset(a.value for a in (Action.SUBMIT, Action.DISPATCH, Action.REASSIGN, Action.CANCEL))
WAITING_STYLE = "font-weight: bold; color: #c62828;"
CONFIRM_TITLE = "确认保存分派设置"


class SaveFailed(Exception):
    """A save stopped at one window; the windows before it were saved."""

    def __init__(self, saved: list[WindowChangeOut], failed: PendingChange, error: ApiError) -> None:
        super().__init__(error.message)
        self.saved = saved
        self.failed = failed
        self.error = error


def fetch_county(api: ApiClient, county_code: str) -> tuple[PoolCounty, list[PoolChangeRow]]:
    """The county's windows and their history (worker thread)."""
    county = PoolCounty.model_validate(api.get_json(f"{POOL_PATH}/{county_code}"))
    history = [PoolChangeRow.model_validate(row) for row in api.get_json(f"{POOL_PATH}/{county_code}/history")]
    return county, history


def save_changes(api: ApiClient, county_code: str, changes: list[PendingChange]) -> list[WindowChangeOut]:
    """PATCH each window in turn (worker thread); a failure raises `SaveFailed` with what was saved before it."""
    saved: list[WindowChangeOut] = []
    for change in changes:
        path = f"{POOL_PATH}/{county_code}/{change.window.member_code}"
        try:
            saved.append(WindowChangeOut.model_validate(api.patch_json(path, change.values)))
        except ApiError as error:
            raise SaveFailed(saved, change, error) from error
    return saved


def confirmation_text(county: str, changes: list[PendingChange]) -> str:
    """What the coordinator confirms: each window's settings before → after, and what follows from them."""
    lines = [f"将保存{county}以下窗口的分派设置,下一件申请起生效:", ""]
    for change in changes:
        lines.append(f"{change.window.member}:" + ";".join(change.lines()))
    if any(change.values.get("available") is True for change in changes):
        lines += ["", "恢复接单后,本区县正在等待分派的申请将立即按提交先后分派。"]
    if any("weight" in change.values for change in changes):
        lines += ["", "修改权重后,本区县各类车辆的轮转从新权重重新开始。"]
    return "\n".join(lines)


class PoolPage(QWidget):
    """The 分派设置 page of the coordinator's mode (see the module docstring)."""

    loaded = Signal(object)
    """A county's windows and history were received and shown (`PoolCounty`)."""
    saved = Signal(object)
    """A save finished; the `WindowChangeOut` of every window saved."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("poolPage")
        self.api = api
        self.runner = runner
        self.county: PoolCounty | None = None
        self.live = LiveRefresh(
            runner,
            self._prepare_fetch,
            on_done=self._loaded,
            on_error=self._load_failed,
            debounce_ms=debounce_ms,
            parent=self,
        )
        self._saving = False
        self.confirm_box: QMessageBox | None = None

        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("poolCounty")
        for county in load_catalog().counties:
            self.county_combo.addItem(county.name, county.code)
        self.waiting_label = QLabel(self)
        self.refresh_button = QPushButton("刷新", self)

        self.model = WindowsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("poolWindows")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(int(WindowColumn.WEIGHT), WeightDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(int(WindowColumn.CHANGED), QHeaderView.ResizeMode.Stretch)

        self.save_button = QPushButton("保存修改", self)
        self.save_button.setObjectName("poolSave")
        self.discard_button = QPushButton("撤销修改", self)
        self.status_label = MessageLine(self, keep_space=True)  # beside the buttons: they stay put
        self.status_label.setObjectName("poolStatus")

        self.history_model = HistoryModel(self)
        self.history = QTableView(self)
        self.history.setObjectName("poolHistory")
        self.history.setModel(self.history_model)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().setVisible(False)
        history_header = self.history.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(int(HistoryColumn.CHANGES), QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(QLabel("区县:", self))
        top.addWidget(self.county_combo)
        top.addSpacing(16)
        top.addWidget(self.waiting_label)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        hint = QLabel(
            "勾选“接单”开关窗口;双击权重或电话修改。分派权重决定本区县新申请的分配比例。",
            self,
        )
        hint.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("修改记录", self))
        layout.addWidget(self.history, 2)

        self.county_combo.currentIndexChanged.connect(self._county_chosen)
        self.refresh_button.clicked.connect(self.refresh)
        self.save_button.clicked.connect(self.ask_to_save)
        self.discard_button.clicked.connect(self._discard)
        self.model.pending_changed.connect(self._pending_changed)
        self.model.problem.connect(self._show_error)
        self._pending_changed(0)

    # ------------------------------------------------------------ page contract ----

    @property
    def county_code(self) -> str:
        """The county shown (or being fetched)."""
        return str(self.county_combo.currentData())

    def refresh(self) -> None:
        """Fetch the chosen county's windows and history again."""
        self.live.restart()

    def on_events(self, events: list[EventOut]) -> None:
        """A window of the shown county changed, or a case that may wait for one moved: fetch the county shortly."""
        if self._saving:
            return  # the save fetches the county itself when it is done
        if any(self._concerns_shown_county(event) for event in events):
            self.live.soon()

    def _concerns_shown_county(self, event: EventOut) -> bool:
        # The payload is where a SET_BRANCH names its county for a server that leaves county_code out.
        county = event.county_code or event.payload.get("county_code")
        if event.action == Action.SET_BRANCH.value:
            return county == self.county_code
        return event.action in WAITING_ACTIONS and county in (None, self.county_code)

    def show_county(self, county_code: str) -> None:
        """Choose a county (and fetch it)."""
        index = self.county_combo.findData(county_code)
        if index >= 0:
            self.county_combo.setCurrentIndex(index)

    # ------------------------------------------------------------ loading ----

    def _county_chosen(self, _index: int) -> None:
        self.model.discard()  # edits belong to the county they were made in
        self.status_label.clear_message()
        self.live.restart()  # an answer on its way is for the county shown before

    def _prepare_fetch(self) -> Callable[[], tuple[PoolCounty, list[PoolChangeRow]]]:
        api, county = self.api, self.county_code  # read here, in the GUI thread, as the request starts
        return lambda: fetch_county(api, county)

    def _loaded(self, result: tuple[PoolCounty, list[PoolChangeRow]]) -> None:
        county, history = result
        self.county = county
        self.model.set_windows(county.windows)
        self.history_model.set_rows(history)
        if county.unassigned:
            self.waiting_label.setText(f"本区县有 {county.unassigned} 件申请等待分派(暂无接单窗口)")
            self.waiting_label.setStyleSheet(WAITING_STYLE)
        else:
            self.waiting_label.setText("本区县没有等待分派的申请")
            self.waiting_label.setStyleSheet("")
        self.loaded.emit(county)

    def _load_failed(self, error: BaseException) -> None:
        if isinstance(error, SessionExpired):
            return  # the login dialog is the message
        self._show_error(f"读取分派设置失败:{error_text(error)}")

    # ------------------------------------------------------------ saving ----

    def ask_to_save(self) -> None:
        """Show what will change and ask; the answer comes back through the dialog (it does not block)."""
        changes = self.model.pending()
        if not changes or self._saving or self.county is None:
            return
        self.confirm_box = ask(
            self,
            CONFIRM_TITLE,
            confirmation_text(self.county.county, changes),
            accept_text="保存",
            on_answer=lambda yes: self._confirmed(yes, changes),
            default_accept=True,
            object_name="poolConfirm",
        )

    def _confirmed(self, yes: bool, changes: list[PendingChange]) -> None:
        self.confirm_box = None
        if not yes:
            return
        self._saving = True
        self.table.setEnabled(False)  # edits made now would be lost when the county is fetched again
        self._pending_changed(len(changes))
        self.status_label.show_note("正在保存…")
        county = self.county_code
        self.runner.run(
            lambda: save_changes(self.api, county, changes),
            on_done=self._saved,
            on_error=self._save_failed,
            context=self,
        )

    def _saved(self, results: list[WindowChangeOut]) -> None:
        self._finish_save()
        dispatched = sum(len(result.dispatched) for result in results)
        text = f"已保存 {len(results)} 个窗口的修改,下一件申请起生效。"
        if dispatched:
            text += f"等待中的 {dispatched} 件申请已立即分派。"
        self.status_label.show_done(text)
        self.saved.emit(results)

    def _save_failed(self, error: BaseException) -> None:
        self._finish_save()
        if isinstance(error, SaveFailed):
            done = "、".join(r.window.member for r in error.saved)
            text = f"{error.failed.window.member}的修改未保存:{error.error.message}"
            if isinstance(error.error, ServerUnreachable):
                text = f"无法连接服务器,{error.failed.window.member}及之后的修改未保存"
            if done:
                text += f"({done}的修改已保存)"
        else:
            text = f"保存失败:{error_text(error)}"
        self._show_error(text + "。表格已按服务器上的设置显示。")

    def _finish_save(self) -> None:
        # Whatever happened, show what the server has: unsaved edits are not left looking saved.
        self._saving = False
        self.table.setEnabled(True)
        self.model.discard()
        self.live.now()

    def _discard(self) -> None:
        self.model.discard()
        self.status_label.clear_message()

    def _pending_changed(self, count: int) -> None:
        self.save_button.setEnabled(count > 0 and not self._saving)
        self.discard_button.setEnabled(count > 0 and not self._saving)
        if count:
            self.status_label.show_note(f"{count} 个窗口有未保存的修改")

    def _show_error(self, text: str) -> None:
        self.status_label.show_error(text)
