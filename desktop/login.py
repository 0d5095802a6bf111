"""The login dialog: server address, username, password; also shown again when the session expires."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from common.schemas.auth import StaffSessionOut
from desktop.api.client import ApiClient, ServerUnreachable, normalize_server_url
from desktop.api.tasks import TaskRunner
from desktop.messages import error_text
from desktop.preferences import Preferences

UNREACHABLE_AT_LOGIN = "无法连接服务器,请检查服务器地址和网络后重试"


class LoginDialog(QDialog):
    """Asks for the password (never stored); remembers the server address and the username.

    Enter submits, Esc closes. On success `logged_in(StaffSessionOut)` is
    emitted and the dialog is accepted; the client then holds the token.
    `server_url`/`username` prefill the form (a re-login after expiry);
    otherwise the remembered ones are used.
    """

    logged_in = Signal(object)

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        prefs: Preferences,
        *,
        notice: str | None = None,
        server_url: str | None = None,
        username: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._prefs = prefs
        self.setWindowTitle("登录 - 盐城保险业“1号窗口”")
        self.setModal(True)

        self.notice_label = QLabel(notice or "", self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setVisible(bool(notice))
        self.server_edit = QLineEdit(server_url or prefs.server_url, self)
        self.server_edit.setPlaceholderText("例如 https://no1window.example.cn")
        self.username_edit = QLineEdit(username if username is not None else prefs.username, self)
        self.username_edit.setPlaceholderText("用户名")
        self.username_edit.setMaxLength(40)
        self.password_edit = QLineEdit(self)
        self.password_edit.setPlaceholderText("密码")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(128)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setVisible(False)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setVisible(False)

        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)  # Enter anywhere in the form logs in
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("服务器地址", self.server_edit)
        form.addRow("用户名", self.username_edit)
        form.addRow("密码", self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    @property
    def busy(self) -> bool:
        """Whether a login request is under way."""
        return self.busy_bar.isVisible()

    def submit(self) -> None:
        """Check the form and send the login in the background."""
        if self.busy:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        try:
            server_url = normalize_server_url(self.server_edit.text())
        except ValueError as exc:
            self._show_error(str(exc), self.server_edit)
            return
        if not username:
            self._show_error("请填写用户名", self.username_edit)
            return
        if not password:
            self._show_error("请填写密码", self.password_edit)
            return
        self._set_busy(True)
        self.error_label.setVisible(False)
        self._api.set_base_url(server_url)
        self._runner.run(
            lambda: self._api.login(username, password),
            on_done=lambda session: self._on_logged_in(server_url, username, session),
            on_error=self._on_failed,
            context=self,
        )

    def _on_logged_in(self, server_url: str, username: str, session: StaffSessionOut) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self._prefs.server_url = server_url
        self._prefs.username = username
        self.logged_in.emit(session)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ServerUnreachable):
            message = UNREACHABLE_AT_LOGIN
        else:
            # The server's own words (用户名或密码错误, 账号已锁定…), or a plain apology for a bug on this side.
            message = error_text(exc)
        self.password_edit.selectAll()
        self._show_error(message, self.password_edit)

    def _show_error(self, message: str, field: QLineEdit) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        for widget in (self.server_edit, self.username_edit, self.password_edit, self.login_button):
            widget.setEnabled(not busy)
