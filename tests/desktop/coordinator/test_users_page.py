"""The coordinator's 账号管理 page against the real server: list, 新增账号, 重置密码, 停用."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlmodel import select

from common.enums import Role
from common.schemas.cases import EventOut
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.users import UsersPage
from desktop.coordinator.users_dialogs import (
    MISMATCH_TEXT,
    NewAccountDialog,
    ResetPasswordDialog,
)
from desktop.coordinator.users_model import INACTIVE_COLOUR, AccountColumn
from server.models import StaffUser
from tests.desktop.conftest import (
    PASSWORD,
    TINGHU,
    LiveServer,
    StaffAccount,
    make_staff,
)

TIMEOUT_MS = 15_000
NEW_PASSWORD = "counter-pass-77"


class Confirmations:
    """Stands in for the yes/no question: answers as told and remembers what was asked."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, _parent: QWidget, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answer


@pytest.fixture
def confirm() -> Confirmations:
    return Confirmations()


@pytest.fixture
def page(
    qtbot: Any,
    api: ApiClient,
    runner: TaskRunner,
    coordinator: StaffAccount,
    confirm: Confirmations,
) -> Iterator[UsersPage]:
    """The page, logged in as the city coordinator, with its first list loaded."""
    api.login(coordinator.username, coordinator.password)
    users = UsersPage(api, runner, confirm=confirm)
    qtbot.addWidget(users)
    users.show()
    with qtbot.waitSignal(users.loaded, timeout=TIMEOUT_MS):
        users.refresh()
    yield users
    runner.wait_for_idle(10_000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def usernames(page: UsersPage) -> list[str]:
    return [account.username for account in page.model.accounts]


def log_in_over_http(
    server: LiveServer, username: str, password: str
) -> httpx.Response:
    with httpx.Client(
        base_url=server.url + "/api/v1", timeout=10.0, trust_env=False
    ) as http:
        return http.post(
            "/staff/sessions", json={"username": username, "password": password}
        )


def choose(combo: Any, code: str | None) -> None:
    index = combo.findData(code or "")
    assert index >= 0, code
    combo.setCurrentIndex(index)


def fill_new_account(
    dialog: NewAccountDialog, qtbot: Any, **values: str | None
) -> None:
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
            edit.setText(
                text
            )  # Chinese arrives through the input method, not as key presses
    if dialog.member_combo.isEnabled():
        choose(dialog.member_combo, fields["member"])
    if dialog.county_combo.isEnabled():
        choose(dialog.county_combo, fields["county"])


def wait_for_error(qtbot: Any, dialog: NewAccountDialog | ResetPasswordDialog) -> str:
    qtbot.waitUntil(
        lambda: dialog.error_label.isVisible() and not dialog.sending,
        timeout=TIMEOUT_MS,
    )
    return dialog.error_label.text()


# --- the page ---------------------------------------------------------------------------------


def test_the_page_is_in_the_coordinators_mode(
    qtbot: Any, api: ApiClient, runner: TaskRunner
) -> None:
    [users] = [p for p in coordinator_pages() if p.key == "users"]

    built = users.factory(api, runner)
    qtbot.addWidget(built)

    assert users.title == "账号管理" and isinstance(built, UsersPage)


def test_the_list_has_chinese_headers_and_greys_inactive_accounts(
    qtbot: Any,
    page: UsersPage,
    server_ctx: Any,
    live_server: LiveServer,
    qtmodeltester: Any,
) -> None:
    gone = make_staff(server_ctx, "picc_gone", display_name="赵离职")
    with server_ctx.db.write() as session:
        user = session.get(StaffUser, gone.id)
        assert user is not None
        user.active = False

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()

    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in AccountColumn]
    assert headers == ["用户名", "姓名", "角色", "所属机构", "区县", "状态", "创建时间"]
    row = model.row_of(gone.id)
    cells = [model.index(row, c).data() for c in AccountColumn]
    assert cells[:6] == [
        "picc_gone",
        "赵离职",
        "窗口经办",
        "人保财险",
        "亭湖区",
        "已停用",
    ]
    assert (
        model.index(row, AccountColumn.USERNAME).data(Qt.ItemDataRole.ForegroundRole)
        == INACTIVE_COLOUR
    )
    coordinator_row = model.row_of(page.model.accounts[0].id)
    assert model.index(coordinator_row, AccountColumn.COUNTY).data() == "全市"
    assert model.index(coordinator_row, AccountColumn.STATE).data() == "在用"
    page.select_account(gone.id)
    assert not page.reset_button.isEnabled() and not page.deactivate_button.isEnabled()
    qtmodeltester.check(model)


def test_the_filters_ask_the_server_for_one_member_and_county(
    qtbot: Any, page: UsersPage, server_ctx: Any
) -> None:
    make_staff(server_ctx, "picc_tinghu")
    make_staff(server_ctx, "picc_yandu", county_code="320903")
    make_staff(server_ctx, "cpic_tinghu", member_code="cpic")

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        choose(page.member_combo, "picc")
    assert usernames(page) == ["picc_tinghu", "picc_yandu"]
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        choose(page.county_combo, TINGHU)
    assert usernames(page) == ["picc_tinghu"]
    assert page.count_label.text() == "共 1 个账号,在用 1 个"


# --- 新增账号 --------------------------------------------------------------------------------------


def test_a_clerk_created_through_the_dialog_logs_in(
    qtbot: Any, page: UsersPage, live_server: LiveServer
) -> None:
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
    assert (
        log_in_over_http(live_server, clerk.username, NEW_PASSWORD).status_code == 201
    )
    assert "需用新密码重新登录" in page.message_label.text()


# --- 停用 ------------------------------------------------------------------------------------


def test_deactivating_the_only_coordinator_shows_the_refusal(
    qtbot: Any,
    page: UsersPage,
    coordinator: StaffAccount,
    confirm: Confirmations,
    live_server: LiveServer,
) -> None:
    assert page.select_account(coordinator.id)

    with qtbot.waitSignal(page.message_shown, timeout=TIMEOUT_MS) as shown:
        qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)

    assert confirm.asked and coordinator.username in confirm.asked[0]
    assert (
        shown.args[0]
        == "未能停用:您是唯一在用的市级协调员,不能停用自己的账号。请先新增另一名协调员。"
    )
    assert page.message_label.isVisible()
    assert (
        page.deactivate_button.isEnabled()
    )  # nothing changed: the account is still active
    assert (
        log_in_over_http(
            live_server, coordinator.username, coordinator.password
        ).status_code
        == 201
    )


def test_a_confirmed_deactivation_greys_the_clerk_and_ends_their_login(
    qtbot: Any, page: UsersPage, clerk: StaffAccount, live_server: LiveServer
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)

    row = page.model.row_of(clerk.id)
    assert page.model.index(row, AccountColumn.STATE).data() == "已停用"
    assert (
        page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) == INACTIVE_COLOUR
    )
    assert not page.deactivate_button.isEnabled()
    assert log_in_over_http(live_server, clerk.username, PASSWORD).status_code == 401


def test_saying_no_deactivates_nothing(
    qtbot: Any,
    page: UsersPage,
    clerk: StaffAccount,
    confirm: Confirmations,
    server_ctx: Any,
) -> None:
    confirm.answer = False
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)

    qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)

    assert len(confirm.asked) == 1
    assert page.runner.busy_count == 0
    with server_ctx.db.read() as session:
        assert (
            session.exec(select(StaffUser.active).where(StaffUser.id == clerk.id)).one()
            is True
        )


# --- live --------------------------------------------------------------------------------------


def test_an_account_added_elsewhere_appears_when_the_feed_reports_it(
    qtbot: Any, page: UsersPage, api: ApiClient, live_server: LiveServer
) -> None:
    head = api.get_json("/staff/events")["last_seq"]
    api.post_json(
        "/coordinator/users",
        {
            "username": "yandu_clerk",
            "display_name": "孙窗口",
            "role": "clerk",
            "member_code": "cpic",
            "county_code": "320903",
            "password": NEW_PASSWORD,
        },
    )
    events = [
        EventOut.model_validate(e)
        for e in api.get_json("/staff/events", {"after": head})["events"]
    ]
    assert [e.action for e in events] == ["add_user"]
    assert "yandu_clerk" not in usernames(page)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events(events)

    assert "yandu_clerk" in usernames(page)


def test_case_events_do_not_reload_the_list(page: UsersPage) -> None:
    event = EventOut.model_validate(
        {
            "seq": 1,
            "case_id": 7,
            "action": "accept",
            "action_label": "受理",
            "status_after": "reviewing",
            "actor_label": "李窗口(窗口经办)",
            "payload": {},
            "created_at": "2026-03-10T02:00:00Z",
        }
    )

    page.on_events([event])

    assert page.runner.busy_count == 0
