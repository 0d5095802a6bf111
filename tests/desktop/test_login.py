"""The login dialog against the real server: Enter logs in, Esc closes, the server's message on failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.login import UNREACHABLE_AT_LOGIN, LoginDialog
from desktop.preferences import Preferences
from tests.desktop.conftest import LiveServer, StaffAccount


@pytest.fixture
def dialog(qtbot: Any, api: ApiClient, runner: TaskRunner, prefs: Preferences, live_server: LiveServer) -> LoginDialog:
    prefs.server_url = live_server.url
    login = LoginDialog(api, runner, prefs)
    qtbot.addWidget(login)
    login.show()
    return login


def fill(qtbot: Any, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.username_edit.setText(username)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, password)


def test_enter_logs_in_and_remembers_address_and_username_but_not_the_password(
    qtbot: Any, dialog: LoginDialog, clerk: StaffAccount, prefs: Preferences, tmp_path: Path, live_server: LiveServer
) -> None:
    fill(qtbot, dialog, clerk.username, clerk.password)
    with qtbot.waitSignal(dialog.logged_in, timeout=10_000) as blocker:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert blocker.args[0].user.display_name == "李窗口"
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    assert prefs.username == clerk.username and prefs.server_url == live_server.url
    prefs.settings.sync()
    assert clerk.password not in (tmp_path / "desk.ini").read_text(encoding="utf-8")


def test_wrong_password_shows_the_servers_message_and_stays_open(
    qtbot: Any, dialog: LoginDialog, clerk: StaffAccount
) -> None:
    fill(qtbot, dialog, clerk.username, "wrong-password")
    dialog.submit()
    assert dialog.busy and not dialog.password_edit.isEnabled()  # busy while the server checks
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.error_label.text() == "用户名或密码不正确"
    assert dialog.isVisible()
    assert dialog.password_edit.isEnabled()


def test_unreachable_server_is_said_in_plain_words(
    qtbot: Any, dialog: LoginDialog, clerk: StaffAccount, live_server: LiveServer
) -> None:
    live_server.stop()
    fill(qtbot, dialog, clerk.username, clerk.password)
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    assert dialog.error_label.text() == UNREACHABLE_AT_LOGIN


def test_missing_username_is_caught_before_asking_the_server(
    qtbot: Any, dialog: LoginDialog, runner: TaskRunner
) -> None:
    fill(qtbot, dialog, "", "whatever")
    dialog.submit()
    assert dialog.error_label.text() == "请填写用户名"
    assert runner.busy_count == 0


def test_escape_closes(qtbot: Any, dialog: LoginDialog) -> None:
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
