"""The 账号管理 dialogs: 新增账号 and 重置密码.

Both check the input with the server's own request schema first (so the
Chinese messages are the server's), send in the background, and on any
failure stay open with everything typed and one line saying what is wrong.
Passwords are typed twice and never shown, logged or kept after the dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Only ValidationError from pydantic here: a lazy `BaseModel` import ahead of PySide6 trips shiboken's import hook.
from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.enums import Role
from common.schemas.users import (
    PASSWORD_MAX_LENGTH,
    PasswordReset,
    StaffAccountCreate,
    StaffAccountOut,
)
from desktop.actions.base import first_problem
from desktop.api.client import (
    ApiClient,
    Refused,
    ServerFailed,
    ServerUnreachable,
    SessionExpired,
)
from desktop.api.tasks import TaskRunner
from desktop.messages import error_text

Choice = tuple[str, str]
"""(code, name) of a member or a county."""

ERROR_STYLE = "color: #c62828;"
UNREACHABLE_TEXT = "无法连接服务器,请检查网络。填写的内容已保留,网络恢复后请再点击“确定”。"
EXPIRED_TEXT = "登录已过期。请重新登录,然后再点击“确定”,填写的内容已保留。"
MISMATCH_TEXT = "两次输入的密码不一致"
NO_CHOICE = ""
ROLES = (Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR)
FIELD_LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "member_code": "所属机构",
    "county_code": "区县",
    "password": "密码",
}


def password_edit(parent: QWidget, name: str) -> QLineEdit:
    """A password field: dots, no undo of what was typed, limited to what the server accepts."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(PASSWORD_MAX_LENGTH + 1)  # one more, so the server's "too long" can be said
    return edit


class AccountDialog(QDialog):
    """What both dialogs share: check, send in the background, keep the input on failure."""

    done = Signal(object)
    """The account as the server returned it (`StaffAccountOut`); the dialog then closes."""

    def __init__(self, api: ApiClient, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self._sending = False

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLine")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.send_button = QPushButton("确定", self)
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton("取消", self)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.send_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    # ------------------------------------------------------------ for subclasses ----

    def collect(self) -> dict[str, Any]:
        """The request body from the fields (GUI thread)."""
        raise NotImplementedError

    def check(self, body: dict[str, Any]) -> str | None:
        """A problem with `body` in the server's words, or None."""
        raise NotImplementedError

    def perform(self, body: dict[str, Any]) -> StaffAccountOut:
        """Send the request (worker thread: touch no widget here)."""
        raise NotImplementedError

    # ------------------------------------------------------------ sending ----

    @property
    def sending(self) -> bool:
        """Whether a request is under way."""
        return self._sending

    def submit(self) -> None:
        """Check the input and send it (the 确定 button)."""
        if self._sending:
            return
        body = self.collect()
        problem = self.check(body)
        if problem is not None:
            self.show_error(problem)
            return
        self._set_sending(True)
        self.error_label.setVisible(False)
        self.runner.run(
            lambda: self.perform(body),
            on_done=self._on_done,
            on_error=self._on_failed,
            context=self,
        )

    def show_error(self, text: str) -> None:
        """One line of trouble above the buttons."""
        self.error_label.setText(text)
        self.error_label.setVisible(True)

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        self.progress.setVisible(sending)
        self.send_button.setEnabled(not sending)

    def _on_done(self, account: StaffAccountOut) -> None:
        self._set_sending(False)
        self.done.emit(account)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_sending(False)
        if isinstance(exc, ServerUnreachable):
            self.show_error(UNREACHABLE_TEXT)
        elif isinstance(exc, SessionExpired):
            self.show_error(EXPIRED_TEXT)
        elif isinstance(exc, ServerFailed):
            self.show_error(f"{exc.message}。填写的内容已保留,可再点击“确定”。")
        elif isinstance(exc, Refused):
            self.show_error("\n".join(p.message for p in exc.errors) if exc.errors else exc.message)
        else:
            self.show_error(error_text(exc))


class NewAccountDialog(AccountDialog):
    """新增账号: a clerk (member and county), a supervisor (member) or a coordinator."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        members: Sequence[Choice],
        counties: Sequence[Choice],
        member_code: str | None = None,
        county_code: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(api, runner, parent)
        self.setWindowTitle("新增账号")
        self.setObjectName("newAccountDialog")
        self.heading.setText("新账号的初始密码请当面或电话告知本人,不要通过短信或聊天软件发送。")

        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("username")
        self.username_edit.setPlaceholderText("3至40位英文字母、数字或 _ . -,例如 picc_tinghu_wang")
        self.display_name_edit = QLineEdit(self)
        self.display_name_edit.setObjectName("displayName")
        self.display_name_edit.setPlaceholderText("同事看到的姓名,例如 王小明")
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("role")
        for role in ROLES:
            self.role_combo.addItem(role.label, role.value)
        self.member_combo = self._chooser("member", "请选择机构", members, member_code)
        self.county_combo = self._chooser("county", "请选择区县", counties, county_code)
        self.password_edit = password_edit(self, "password")
        self.repeat_edit = password_edit(self, "repeatPassword")
        self.password_edit.setPlaceholderText("至少8位")

        self.form.addRow("用户名", self.username_edit)
        self.form.addRow("姓名", self.display_name_edit)
        self.form.addRow("角色", self.role_combo)
        self.form.addRow("所属机构", self.member_combo)
        self.form.addRow("区县", self.county_combo)
        self.form.addRow("初始密码", self.password_edit)
        self.form.addRow("再次输入密码", self.repeat_edit)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.resize(460, self.sizeHint().height())

    def _chooser(self, name: str, prompt: str, choices: Sequence[Choice], chosen: str | None) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(prompt, NO_CHOICE)
        for code, label in choices:
            combo.addItem(label, code)
        if chosen:
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        return combo

    @property
    def role(self) -> Role:
        """The role chosen."""
        return Role(self.role_combo.currentData())

    def _role_changed(self) -> None:
        # A coordinator belongs to no member; a supervisor covers all of the member's counties.
        role = self.role
        self.member_combo.setEnabled(role is not Role.COORDINATOR)
        self.county_combo.setEnabled(role is Role.CLERK)
        self.member_combo.setToolTip("市级协调员不属于任何机构" if role is Role.COORDINATOR else "")
        self.county_combo.setToolTip("" if role is Role.CLERK else "只有窗口经办人员属于某个区县")

    def collect(self) -> dict[str, Any]:
        member = self.member_combo.currentData() if self.member_combo.isEnabled() else NO_CHOICE
        county = self.county_combo.currentData() if self.county_combo.isEnabled() else NO_CHOICE
        return {
            "username": self.username_edit.text(),
            "display_name": self.display_name_edit.text(),
            "role": self.role.value,
            "member_code": member or None,
            "county_code": county or None,
            "password": self.password_edit.text(),
        }

    def check(self, body: dict[str, Any]) -> str | None:
        try:
            StaffAccountCreate.model_validate(body)
        except ValidationError as error:
            return first_problem(error, FIELD_LABELS)
        if self.repeat_edit.text() != body["password"]:
            return MISMATCH_TEXT
        return None

    def perform(self, body: dict[str, Any]) -> StaffAccountOut:
        return StaffAccountOut.model_validate(self.api.post_json("/coordinator/users", body))


class ResetPasswordDialog(AccountDialog):
    """重置密码: a new password for one account; its open sessions end on the server."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        account: StaffAccountOut,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(api, runner, parent)
        self.account = account
        self.setWindowTitle(f"重置密码 - {account.display_name}")
        self.setObjectName("resetPasswordDialog")
        self.heading.setText(
            f"为 {account.display_name}({account.username},{account.role_label})设置新密码。"
            "确定后原密码不再可用,该账号已登录的电脑需用新密码重新登录;账号如被锁定,也将一并解锁。"
        )
        self.password_edit = password_edit(self, "password")
        self.password_edit.setPlaceholderText("至少8位")
        self.repeat_edit = password_edit(self, "repeatPassword")
        self.form.addRow("新密码", self.password_edit)
        self.form.addRow("再次输入新密码", self.repeat_edit)
        self.resize(460, self.sizeHint().height())

    def collect(self) -> dict[str, Any]:
        return {"password": self.password_edit.text()}

    def check(self, body: dict[str, Any]) -> str | None:
        try:
            PasswordReset.model_validate(body)
        except ValidationError as error:
            return first_problem(error, FIELD_LABELS)
        if self.repeat_edit.text() != body["password"]:
            return MISMATCH_TEXT
        return None

    def perform(self, body: dict[str, Any]) -> StaffAccountOut:
        data = self.api.post_json(f"/coordinator/users/{self.account.id}/reset-password", body)
        return StaffAccountOut.model_validate(data)
