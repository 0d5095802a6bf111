"""The coordinator's 账号管理 page against the real server: the list, its filters, 停用, 启用, and live updates."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from sqlmodel import select

from common.schemas.cases import EventOut
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.users import UsersPage
from desktop.coordinator.users_model import INACTIVE_COLOUR, AccountColumn
from server.models import StaffUser
from tests.desktop.conftest import (
    PASSWORD,
    TINGHU,
    LiveServer,
    StaffAccount,
    make_staff,
)
from tests.desktop.coordinator.users_support import (  # noqa: F401 - fixtures
    NEW_PASSWORD,
    TIMEOUT_MS,
    answer_deactivation,
    answer_reactivation,
    choose,
    log_in_over_http,
    page_fixture,
    usernames,
    wait_until_idle,
)

# --- the page ---------------------------------------------------------------------------------


def test_the_page_is_in_the_coordinators_mode(qtbot: Any, api: ApiClient, runner: TaskRunner) -> None:
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
    assert model.index(row, AccountColumn.USERNAME).data(Qt.ItemDataRole.ForegroundRole) == INACTIVE_COLOUR
    coordinator_row = model.row_of(page.model.accounts[0].id)
    assert model.index(coordinator_row, AccountColumn.COUNTY).data() == "全市"
    assert model.index(coordinator_row, AccountColumn.STATE).data() == "在用"
    page.select_account(gone.id)
    assert not page.reset_button.isEnabled() and not page.deactivate_button.isEnabled()
    qtmodeltester.check(model)


def test_the_filters_ask_the_server_for_one_member_and_county(qtbot: Any, page: UsersPage, server_ctx: Any) -> None:
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


# --- 停用 ------------------------------------------------------------------------------------


def test_deactivating_the_only_coordinator_shows_the_refusal(
    qtbot: Any,
    page: UsersPage,
    coordinator: StaffAccount,
    live_server: LiveServer,
) -> None:
    assert page.select_account(coordinator.id)

    with qtbot.waitSignal(page.message_shown, timeout=TIMEOUT_MS) as shown:
        question = answer_deactivation(qtbot, page, accept=True)

    assert coordinator.username in question
    assert shown.args[0] == "未能停用:您是唯一在用的市级协调员,不能停用自己的账号。请先新增另一名协调员。"
    assert page.message_label.isVisible()
    assert page.deactivate_button.isEnabled()  # nothing changed: the account is still active
    assert log_in_over_http(live_server, coordinator.username, coordinator.password).status_code == 201


def test_a_confirmed_deactivation_greys_the_clerk_and_ends_their_login(
    qtbot: Any, page: UsersPage, clerk: StaffAccount, live_server: LiveServer
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        answer_deactivation(qtbot, page, accept=True)

    row = page.model.row_of(clerk.id)
    assert page.model.index(row, AccountColumn.STATE).data() == "已停用"
    assert page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) == INACTIVE_COLOUR
    assert not page.deactivate_button.isEnabled()
    assert log_in_over_http(live_server, clerk.username, PASSWORD).status_code == 401


def test_the_question_has_chinese_buttons_and_cancel_is_the_default(
    qtbot: Any, page: UsersPage, clerk: StaffAccount
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)

    qtbot.mouseClick(page.deactivate_button, Qt.MouseButton.LeftButton)

    # open(), not exec(): the click returned with the question still on screen.
    box = page.confirm_box
    assert box is not None and box.isVisible()
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert sorted(b.text() for b in box.buttons()) == sorted(["停用", "取消"])
    default = box.defaultButton()
    assert default is not None and default.text() == "取消"
    escape = box.escapeButton()
    assert escape is not None and escape.text() == "取消"
    box.reject()  # Esc or the window's close button
    qtbot.waitUntil(lambda: page.confirm_box is None, timeout=TIMEOUT_MS)
    assert page.deactivate_button.isEnabled()


def test_saying_no_deactivates_nothing(
    qtbot: Any,
    page: UsersPage,
    clerk: StaffAccount,
    server_ctx: Any,
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)
    # `loaded` is the list; the catalog, fetched by the same refresh, may still be on its way.
    wait_until_idle(qtbot, page.runner)

    with qtbot.assertNotEmitted(page.runner.busy_changed):
        question = answer_deactivation(qtbot, page, accept=False)

    assert clerk.username in question
    assert page.confirm_box is None
    with server_ctx.db.read() as session:
        assert session.exec(select(StaffUser.active).where(StaffUser.id == clerk.id)).one() is True


def test_a_confirmed_reactivation_ungreys_the_clerk_who_logs_in_again(
    qtbot: Any, page: UsersPage, clerk: StaffAccount, live_server: LiveServer
) -> None:
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.select_account(clerk.id)
    assert page.deactivate_button.isEnabled() and not page.reactivate_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        answer_deactivation(qtbot, page, accept=True)
    assert page.reactivate_button.isEnabled() and not page.deactivate_button.isEnabled()

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        question = answer_reactivation(qtbot, page, accept=True)

    assert clerk.username in question and "原密码" in question
    row = page.model.row_of(clerk.id)
    assert page.model.index(row, AccountColumn.STATE).data() == "在用"
    assert page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    selected = page.selected_account()
    assert selected is not None and selected.id == clerk.id
    assert page.deactivate_button.isEnabled() and not page.reactivate_button.isEnabled()
    assert page.message_label.text() == f"已启用账号 {clerk.username}({selected.display_name})"
    assert log_in_over_http(live_server, clerk.username, PASSWORD).status_code == 201


def test_a_reactivation_elsewhere_reloads_the_list(
    qtbot: Any, page: UsersPage, api: ApiClient, clerk: StaffAccount
) -> None:
    api.post_json(f"/coordinator/users/{clerk.id}/deactivate")
    head = api.get_json("/staff/events")["last_seq"]
    api.post_json(f"/coordinator/users/{clerk.id}/reactivate")
    events = [EventOut.model_validate(e) for e in api.get_json("/staff/events", {"after": head})["events"]]
    assert [(e.action, e.action_label) for e in events] == [("reactivate_user", "启用账号")]

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS) as loaded:
        page.on_events(events)

    [account] = [a for a in loaded.args[0] if a.id == clerk.id]
    assert account.active is True


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
    events = [EventOut.model_validate(e) for e in api.get_json("/staff/events", {"after": head})["events"]]
    assert [e.action for e in events] == ["add_user"]
    assert "yandu_clerk" not in usernames(page)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events(events)

    assert "yandu_clerk" in usernames(page)


def test_case_events_do_not_reload_the_list(qtbot: Any, page: UsersPage) -> None:
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

    # The fixture waited for the list; the catalog, fetched by the same refresh, may outlive it.
    wait_until_idle(qtbot, page.runner)

    with qtbot.assertNotEmitted(page.runner.busy_changed):
        page.on_events([event])
