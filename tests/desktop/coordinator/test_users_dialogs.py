"""The 新增账号 and 重置密码 dialogs of the 账号管理 page, against the real server."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.enums import Role
from desktop.coordinator.users import UsersPage
from desktop.coordinator.users_dialogs import MISMATCH_TEXT, ResetPasswordDialog
from tests.desktop.conftest import PASSWORD, TINGHU, LiveServer, StaffAccount
from tests.desktop.coordinator.users_support import (  # noqa: F401 - fixtures
    NEW_PASSWORD,
    TIMEOUT_MS,
    choose,
    fill_new_account,
    log_in_over_http,
    page_fixture,
    usernames,
    wait_for_error,
)

# --- 新增账号 --------------------------------------------------------------------------------------


def test_a_clerk_created_through_the_dialog_logs_in(qtbot: Any, page: UsersPage, live_server: LiveServer) -> None:
    dialog = page.open_new_account()
    fill_new_account(dialog, qtbot)

    with (
        qtbot.waitSignal(dialog.done, timeout=TIMEOUT_MS),
        qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS),
    ):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    assert "picc_tinghu_wang" in usernames(page)
    chosen = page.selected_account()
    assert chosen is not None and (chosen.username, chosen.county_name) == (
        "picc_tinghu_wang",
        "亭湖区",
    )
    assert page.message_label.text() == "已新增账号 picc_tinghu_wang(王小明)"
    login = log_in_over_http(live_server, "picc_tinghu_wang", NEW_PASSWORD)
    assert login.status_code == 201, login.text
    assert (
        login.json()["user"]["member_name"],
        login.json()["user"]["county_name"],
    ) == ("人保财险", "亭湖区")


def test_the_role_decides_which_of_member_and_county_may_be_chosen(
    qtbot: Any, page: UsersPage, live_server: LiveServer
) -> None:
    dialog = page.open_new_account()

    choose(dialog.role_combo, Role.SUPERVISOR.value)
    assert dialog.member_combo.isEnabled() and not dialog.county_combo.isEnabled()
    choose(dialog.role_combo, Role.COORDINATOR.value)
    assert not dialog.member_combo.isEnabled() and not dialog.county_combo.isEnabled()

    fill_new_account(
        dialog,
        qtbot,
        username="picc_boss",
        display_name="钱主管",
        role="supervisor",
        county=TINGHU,
    )
    with qtbot.waitSignal(dialog.done, timeout=TIMEOUT_MS) as done:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    assert (done.args[0].role, done.args[0].member_code, done.args[0].county_code) == (
        "supervisor",
        "picc",
        None,
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"repeat": "counter-pass-78"}, MISMATCH_TEXT),
        ({"password": "short", "repeat": "short"}, "密码至少需要8位"),
        ({"county": None}, "窗口经办人员必须指定所属机构和区县"),
        ({"username": "王小明"}, "用户名应为3至40位英文字母、数字或 _ . - 符号"),
    ],
)
def test_bad_input_is_said_in_chinese_before_sending_and_nothing_typed_is_lost(
    qtbot: Any,
    page: UsersPage,
    live_server: LiveServer,
    values: dict[str, str | None],
    message: str,
) -> None:
    dialog = page.open_new_account()
    fill_new_account(dialog, qtbot, **values)
    typed = (
        dialog.username_edit.text(),
        dialog.display_name_edit.text(),
        dialog.password_edit.text(),
    )

    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    assert dialog.error_label.isVisible() and dialog.error_label.text() == message
    assert not dialog.sending and dialog.isVisible()
    assert (
        dialog.username_edit.text(),
        dialog.display_name_edit.text(),
        dialog.password_edit.text(),
    ) == typed
    assert log_in_over_http(live_server, typed[0], typed[2]).status_code == 401


def test_a_taken_username_is_the_servers_refusal_shown_in_the_dialog(
    qtbot: Any, page: UsersPage, clerk: StaffAccount
) -> None:
    dialog = page.open_new_account()
    fill_new_account(dialog, qtbot, username=clerk.username)

    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    assert wait_for_error(qtbot, dialog) == f"用户名“{clerk.username}”已存在"
    assert dialog.isVisible() and dialog.username_edit.text() == clerk.username
    assert dialog.password_edit.text() == NEW_PASSWORD


# --- 重置密码 ----------------------------------------------------------------------------------


def test_a_reset_through_the_dialog_replaces_the_password(
    qtbot: Any, page: UsersPage, clerk: StaffAccount, live_server: LiveServer
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)
    dialog = page.open_reset_password()
    assert isinstance(dialog, ResetPasswordDialog)
    qtbot.keyClicks(dialog.password_edit, NEW_PASSWORD)
    qtbot.keyClicks(dialog.repeat_edit, NEW_PASSWORD + "x")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == MISMATCH_TEXT
    dialog.repeat_edit.clear()
    qtbot.keyClicks(dialog.repeat_edit, NEW_PASSWORD)

    with qtbot.waitSignal(dialog.done, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    assert log_in_over_http(live_server, clerk.username, PASSWORD).status_code == 401
    assert log_in_over_http(live_server, clerk.username, NEW_PASSWORD).status_code == 201
    assert "需用新密码重新登录" in page.message_label.text()
