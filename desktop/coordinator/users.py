"""The coordinator's 账号管理 page: every staff account, 新增账号, 重置密码, 停用, 启用.

The list comes whole from the server (filtered there by member and county)
and is fetched again when the change feed reports an account change by
anyone (`on_events`), and after every change made here. At most one list
request is in flight; a change noticed meanwhile is fetched once it returns.

Member and county names come from the catalog bundled with the app, then
from the server's `/catalog` (the server's names win when they differ).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QItemSelection, Qt, Signal
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
from common.schemas.catalog import CatalogOut
from common.schemas.users import StaffAccountOut
from desktop.api.client import ApiClient, SessionExpired
from desktop.api.tasks import TaskRunner
from desktop.boxes import ask
from desktop.coordinator.live_refresh import LiveRefresh
from desktop.coordinator.users_dialogs import (
    Choice,
    NewAccountDialog,
    ResetPasswordDialog,
)
from desktop.coordinator.users_model import AccountColumn, AccountModel
from desktop.messages import MessageLine, error_text

USERS_PATH = "/coordinator/users"
ACCOUNT_ACTIONS = frozenset(
    a.value for a in (Action.ADD_USER, Action.RESET_PASSWORD, Action.DEACTIVATE_USER, Action.REACTIVATE_USER)
)
DEBOUNCE_MS = 300
ALL_MEMBERS = "全部机构"
ALL_COUNTIES = "全部区县"
DialogT = TypeVar("DialogT", NewAccountDialog, ResetPasswordDialog)


def fetch_accounts(api: ApiClient, member: str, county: str) -> list[StaffAccountOut]:
    """The accounts of `member` in `county` ("" = all), as the server lists them (worker thread)."""
    params = {name: value for name, value in (("member", member), ("county", county)) if value}
    return [StaffAccountOut.model_validate(row) for row in api.get_json(USERS_PATH, params)]


class UsersPage(QWidget):
    """The 账号管理 page of the coordinator's mode (see the module docstring)."""

    loaded = Signal(object)
    """The list was received and shown (`list[StaffAccountOut]`)."""
    message_shown = Signal(str)
    """A result or a refusal was shown under the buttons."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.confirm_box: QMessageBox | None = None
        """The 停用 or 启用 question while it is on screen."""
        self.live = LiveRefresh(
            runner,
            self._prepare_fetch,
            on_done=self._on_accounts,
            on_error=self._on_fetch_failed,
            debounce_ms=debounce_ms,
            parent=self,
        )
        self._reselect: int | None = None
        catalog = load_catalog()
        self.members: list[Choice] = [(m.code, m.short) for m in catalog.members]
        self.counties: list[Choice] = [(c.code, c.name) for c in catalog.counties]
        self.model = AccountModel(now=api.server_now, parent=self)
        self._build()

    # ------------------------------------------------------------ building ----

    def _build(self) -> None:
        self.member_combo = QComboBox(self)
        self.member_combo.setObjectName("memberFilter")
        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("countyFilter")
        self._fill_filters()
        self.member_combo.currentIndexChanged.connect(self._filters_changed)
        self.county_combo.currentIndexChanged.connect(self._filters_changed)
        self.count_label = QLabel(self)

        self.new_button = QPushButton("新增账号", self)
        self.reset_button = QPushButton("重置密码", self)
        self.deactivate_button = QPushButton("停用", self)
        self.reactivate_button = QPushButton("启用", self)
        self.refresh_button = QPushButton("刷新", self)
        self.new_button.clicked.connect(self.open_new_account)
        self.reset_button.clicked.connect(self.open_reset_password)
        self.deactivate_button.clicked.connect(self.deactivate_selected)
        self.reactivate_button.clicked.connect(self.reactivate_selected)
        self.refresh_button.clicked.connect(self.refresh)

        self.message_label = MessageLine(self)
        self.message_label.setObjectName("messageLine")

        self.table = QTableView(self)
        self.table.setObjectName("accountsView")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column in AccountColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_reset_password())

        filters = QHBoxLayout()
        filters.addWidget(QLabel("机构", self))
        filters.addWidget(self.member_combo)
        filters.addSpacing(12)
        filters.addWidget(QLabel("区县", self))
        filters.addWidget(self.county_combo)
        filters.addSpacing(16)
        filters.addWidget(self.count_label, 1)
        filters.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.deactivate_button)
        buttons.addWidget(self.reactivate_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        self._selection_changed()

    def _fill_filters(self) -> None:
        for combo, everything, choices in (
            (self.member_combo, ALL_MEMBERS, self.members),
            (self.county_combo, ALL_COUNTIES, self.counties),
        ):
            chosen = combo.currentData() or ""
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, "")
            for code, name in choices:
                combo.addItem(name, code)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    # ------------------------------------------------------------ the page contract ----

    def refresh(self) -> None:
        """Fetch the list now (first show, after a login, the 刷新 button); the catalog too."""
        self.live.restart()  # an answer perhaps parked for the previous user is dropped
        self.runner.run(
            lambda: CatalogOut.model_validate(self.api.get_json("/catalog")),
            on_done=self._on_catalog,
            on_error=lambda _exc: None,  # the bundled catalog stays: it names the same places
            context=self,
        )

    def on_events(self, events: list[EventOut]) -> None:
        """An account was added, reset, deactivated or reactivated (here or elsewhere): fetch the list again."""
        if any(event.action in ACCOUNT_ACTIONS for event in events):
            self.live.soon()

    # ------------------------------------------------------------ the list ----

    def selected_account(self) -> StaffAccountOut | None:
        """The account of the selected row, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        account = self.model.data(rows[0], AccountModel.AccountRole)
        return account if isinstance(account, StaffAccountOut) else None

    def select_account(self, user_id: int) -> bool:
        """Select an account's row; False when it is not in the list."""
        row = self.model.row_of(user_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def _filters_changed(self) -> None:
        self.live.restart()  # an answer for the previous filters is of no use

    def _prepare_fetch(self) -> Callable[[], list[StaffAccountOut]]:
        # The filters are read here, in the GUI thread, as the request starts.
        api, member, county = (
            self.api,
            self.member_combo.currentData() or "",
            self.county_combo.currentData() or "",
        )
        return lambda: fetch_accounts(api, member, county)

    def _on_accounts(self, accounts: list[StaffAccountOut]) -> None:
        selected = self.selected_account()
        keep = self._reselect if self._reselect is not None else (selected.id if selected else None)
        self._reselect = None
        self.model.set_accounts(accounts)
        if keep is not None:
            self.select_account(keep)
        self._selection_changed()
        active = sum(1 for a in accounts if a.active)
        self.count_label.setText(f"共 {len(accounts)} 个账号,在用 {active} 个")
        self.loaded.emit(accounts)

    def _on_fetch_failed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpired):
            return  # the main window asks for the password
        self.show_message(f"账号列表未能更新:{error_text(exc)}", error=True)

    def _on_catalog(self, catalog: CatalogOut) -> None:
        self.members = [(m.code, m.name) for m in catalog.members]
        self.counties = [(c.code, c.name) for c in catalog.counties]
        self._fill_filters()

    def _selection_changed(self, *_args: QItemSelection) -> None:
        account = self.selected_account()
        usable = account is not None and account.active
        self.reset_button.setEnabled(usable)
        self.deactivate_button.setEnabled(usable)
        self.reactivate_button.setEnabled(account is not None and not account.active)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """One line under the buttons: what was done, or why not."""
        if error:
            self.message_label.show_error(text)
        else:
            self.message_label.show_done(text)
        self.message_shown.emit(text)

    # ------------------------------------------------------------ the actions ----

    def open_new_account(self) -> NewAccountDialog:
        """Show the 新增账号 dialog (window-modal, not blocking), prefilled with the filters' member and county."""
        dialog = NewAccountDialog(
            self.api,
            self.runner,
            members=self.members,
            counties=self.counties,
            member_code=self.member_combo.currentData() or None,
            county_code=self.county_combo.currentData() or None,
            parent=self,
        )
        dialog.done.connect(
            lambda account: self._changed(account, f"已新增账号 {account.username}({account.display_name})")
        )
        return self._show(dialog)

    def open_reset_password(self) -> ResetPasswordDialog | None:
        """Show the 重置密码 dialog for the selected active account."""
        account = self.selected_account()
        if account is None or not account.active:
            return None
        dialog = ResetPasswordDialog(self.api, self.runner, account, parent=self)
        dialog.done.connect(
            lambda changed: self._changed(
                changed,
                f"已重置 {changed.display_name}({changed.username})的密码,该账号需用新密码重新登录",
            )
        )
        return self._show(dialog)

    def deactivate_selected(self) -> None:
        """Ask (without blocking), then deactivate the selected account; the server's refusal is shown."""
        account = self.selected_account()
        if account is None or not account.active:
            return
        self._confirm_and_post(
            account,
            verb="停用",
            consequence="停用后该账号不能再登录,已登录的电脑立即退出。",
            endpoint="deactivate",
            button=self.deactivate_button,
        )

    def reactivate_selected(self) -> None:
        """Ask (without blocking), then reactivate the selected deactivated account."""
        account = self.selected_account()
        if account is None or account.active:
            return
        self._confirm_and_post(
            account,
            verb="启用",
            consequence="启用后该账号可用原密码重新登录。",
            endpoint="reactivate",
            button=self.reactivate_button,
        )

    def _confirm_and_post(
        self, account: StaffAccountOut, *, verb: str, consequence: str, endpoint: str, button: QPushButton
    ) -> None:
        if self.confirm_box is not None:
            return
        question = f"{verb}账号 {account.username}({account.display_name},{account.role_label})?\n{consequence}"
        self.confirm_box = ask(
            self,
            f"{verb}账号",
            question,
            accept_text=verb,
            on_answer=lambda yes: self._answered(account, yes, verb=verb, endpoint=endpoint, button=button),
            object_name=f"{endpoint}Confirm",
        )

    def _answered(self, account: StaffAccountOut, yes: bool, *, verb: str, endpoint: str, button: QPushButton) -> None:
        self.confirm_box = None
        if not yes:
            return
        button.setEnabled(False)  # no second request while this one is on its way
        api, user_id = self.api, account.id
        self.runner.run(
            lambda: StaffAccountOut.model_validate(api.post_json(f"{USERS_PATH}/{user_id}/{endpoint}")),
            on_done=lambda changed: self._changed(changed, f"已{verb}账号 {changed.username}({changed.display_name})"),
            on_error=lambda exc: self._on_change_failed(exc, verb),
            context=self,
        )

    def _on_change_failed(self, exc: BaseException, verb: str) -> None:
        self._selection_changed()
        if isinstance(exc, SessionExpired):
            self.show_message(f"登录已过期,请重新登录后再{verb}。", error=True)
            return
        self.show_message(f"未能{verb}:{error_text(exc)}", error=True)

    def _changed(self, account: StaffAccountOut, text: str) -> None:
        self.show_message(text)
        self._reselect = account.id  # the changed account stays (or becomes) the selected row
        self.live.now()

    def _show(self, dialog: DialogT) -> DialogT:
        # Deleted when closed, so typed passwords do not linger in memory.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        return dialog
