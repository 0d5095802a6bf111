"""Shared by the 账号管理 page tests: the page logged in as the coordinator, answering its question, typing helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.users import UsersPage
from desktop.coordinator.users_dialogs import NewAccountDialog, ResetPasswordDialog
from tests.desktop.conftest import TINGHU, LiveServer, StaffAccount

TIMEOUT_MS = 15_000
NEW_PASSWORD = "counter-pass-77"


@pytest.fixture(name="page")
def page_fixture(
    qtbot: Any,
    api: ApiClient,
    runner: TaskRunner,
    coordinator: StaffAccount,
) -> Iterator[UsersPage]:
    """The page, logged in as the city coordinator, with its first list loaded."""
    api.login(coordinator.username, coordinator.password)
    users = UsersPage(api, runner)
    qtbot.addWidget(users)
    users.show()
    with qtbot.waitSignal(users.loaded, timeout=TIMEOUT_MS):
        users.refresh()
    yield users
    runner.wait_for_idle(10_000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def usernames(page: UsersPage) -> list[str]:
    return [account.username for account in page.model.accounts]


def log_in_over_http(server: LiveServer, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.url + "/api/v1", timeout=10.0, trust_env=False) as http:
        return http.post("/staff/sessions", json={"username": username, "password": password})


def choose(combo: Any, code: str | None) -> None:
    index = combo.findData(code or "")
    assert index >= 0, code
    combo.setCurrentIndex(index)


def fill_new_account(dialog: NewAccountDialog, qtbot: Any, **values: str | None) -> None:
    """Type into the 新增账号 dialog as a person would."""
    fields = {
        "username": "picc_tinghu_wang",
        "display_name": "王小明",
        "role": "clerk",
        "member": "picc",
        "county": TINGHU,
        "password": NEW_PASSWORD,
        "repeat": NEW_PASSWORD,
        **values,
    }
    choose(dialog.role_combo, fields["role"])
    for edit, key in (
        (dialog.username_edit, "username"),
        (dialog.display_name_edit, "display_name"),
        (dialog.password_edit, "password"),
        (dialog.repeat_edit, "repeat"),
    ):
        edit.clear()
        text = fields[key] or ""
        if text.isascii():
            qtbot.keyClicks(edit, text)
        else:
            edit.setText(text)  # Chinese arrives through the input method, not as key presses
    if dialog.member_combo.isEnabled():
        choose(dialog.member_combo, fields["member"])
    if dialog.county_combo.isEnabled():
        choose(dialog.county_combo, fields["county"])


def answer_deactivation(qtbot: Any, page: UsersPage, *, accept: bool) -> str:
    """Press 停用, read the question, press 停用 or 取消 in it; the question's text."""
    return _answer(qtbot, page, page.deactivate_button, "停用" if accept else "取消")


def answer_reactivation(qtbot: Any, page: UsersPage, *, accept: bool) -> str:
    """Press 启用, read the question, press 启用 or 取消 in it; the question's text."""
    return _answer(qtbot, page, page.reactivate_button, "启用" if accept else "取消")


def _answer(qtbot: Any, page: UsersPage, button: Any, wanted: str) -> str:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.confirm_box is not None and page.confirm_box.isVisible(),
        timeout=TIMEOUT_MS,
    )
    box = page.confirm_box
    assert box is not None
    text = box.text()
    [pressed] = [b for b in box.buttons() if b.text() == wanted]
    qtbot.mouseClick(pressed, Qt.MouseButton.LeftButton)
    return text


def wait_until_idle(qtbot: Any, runner: TaskRunner) -> None:
    """Wait until no request of the runner is running (a page's refresh may start more than one)."""
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=TIMEOUT_MS)


def wait_for_error(qtbot: Any, dialog: NewAccountDialog | ResetPasswordDialog) -> str:
    qtbot.waitUntil(
        lambda: dialog.error_label.isVisible() and not dialog.sending,
        timeout=TIMEOUT_MS,
    )
    return dialog.error_label.text()
