"""The coordinator's mode and the live city board, in the real main window against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from common.enums import Action, CaseStatus, Role
from common.schemas.board import BoardRow
from desktop.actions.review import ReassignDialog
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.board import BoardPage
from desktop.coordinator.board_models import ALERT_BACKGROUND, BoardColumn, BoardModel
from desktop.coordinator.shell import QUEUE_TAB_TITLE
from desktop.main_window import MainWindow
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from server.actor import Actor
from server.cases.history import record_pool_change
from server.clock import LOCAL_ZONE
from server.models import Branch, Case, Event
from tests.desktop.case_fixtures import OFFSCREEN_RAISE, open_case, send, start_action
from tests.desktop.conftest import TINGHU, CitizenApplicant, LiveServer, StaffAccount
from tests.server.factories import last_sms

pytestmark = OFFSCREEN_RAISE
TIMEOUT_MS = 15_000


@pytest.fixture
def window(qtbot: Any, api: ApiClient, runner: TaskRunner, prefs: Preferences) -> Iterator[MainWindow]:
    main = MainWindow(api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    qtbot.addWidget(main)
    yield main
    main.close()  # before the server stops: ends the feed's long poll from our side
    runner.wait_for_idle(10_000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def log_in(qtbot: Any, window: MainWindow, account: StaffAccount) -> None:
    """Log in directly (the dialog has its own tests) and wait for the queue and the feed."""
    window.start_session(window.api.login(account.username, account.password))
    qtbot.waitUntil(lambda: window.feed is not None and window.feed.isRunning(), timeout=TIMEOUT_MS)


def open_board(qtbot: Any, window: MainWindow) -> BoardPage:
    """Bring the board to the front and wait for its first figures."""
    assert window.coordinator.show_page("board")
    page = window.coordinator.page("board")
    assert isinstance(page, BoardPage)
    qtbot.waitUntil(lambda: page.board is not None, timeout=TIMEOUT_MS)
    return page


def window_row(page: BoardPage, member: str, county: str = TINGHU) -> BoardRow:
    row = page.model.row_for(county, member)
    assert row is not None
    return row


def shown_cell(
    page: BoardPage,
    member: str,
    column: BoardColumn,
    role: int = Qt.ItemDataRole.DisplayRole,
) -> Any:
    """What the board's table shows for a window (through the sorting proxy)."""
    for r in range(page.proxy.rowCount()):
        row = page.proxy.index(r, 0).data(BoardModel.RowRole)
        if (row.county_code, row.member_code) == (TINGHU, member):
            return page.proxy.index(r, int(column)).data(role)
    raise AssertionError(f"no row for {member}")


# --- the mode ------------------------------------------------------------------------------


def test_a_coordinator_gets_the_queue_first_and_the_board_beside_it(
    qtbot: Any, window: MainWindow, coordinator: StaffAccount
) -> None:
    log_in(qtbot, window, coordinator)

    tabs = window.coordinator.tabs
    assert tabs is not None
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[:2] == [QUEUE_TAB_TITLE, "全市看板"]
    assert tabs.widget(0) is window.panel and tabs.currentIndex() == 0
    assert next(iter(window.coordinator.pages)) == "board"


def test_a_clerk_after_a_coordinator_on_the_same_pc_sees_the_plain_queue(
    qtbot: Any, window: MainWindow, coordinator: StaffAccount, clerk: StaffAccount
) -> None:
    window.show()
    log_in(qtbot, window, coordinator)
    open_board(qtbot, window)

    log_in(qtbot, window, clerk)

    assert window.coordinator.tabs is None and window.coordinator.pages == {}
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(BoardPage) is None
    assert window.panel.parentWidget() is window.centralWidget()
    assert window.panel.isVisible()


def test_a_clerk_never_gets_tabs(qtbot: Any, window: MainWindow, clerk: StaffAccount) -> None:
    log_in(qtbot, window, clerk)

    assert window.coordinator.tabs is None
    assert window.panel.parentWidget() is window.centralWidget()


# --- live ------------------------------------------------------------------------------------


def test_a_submitted_case_appears_in_its_windows_row_without_reloading(
    qtbot: Any, window: MainWindow, coordinator: StaffAccount, citizen: CitizenApplicant
) -> None:
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert page.poll_timer.interval() == 60_000  # the timer cannot be what brings the case in
    assert window_row(page, "picc").open_cases == 0

    citizen.submit_application()

    qtbot.waitUntil(lambda: window_row(page, "picc").open_cases == 1, timeout=TIMEOUT_MS)
    # Submitted at 10:00 on a working day: due by tonight's closing.
    assert window_row(page, "picc").due_today == 1
    assert shown_cell(page, "picc", BoardColumn.OPEN) == "1"
    assert "全市在办 1 件" in page.totals_label.text()


def test_a_case_no_window_can_take_waits_on_top(
    qtbot: Any,
    window: MainWindow,
    coordinator: StaffAccount,
    citizen: CitizenApplicant,
    live_server: LiveServer,
) -> None:
    with live_server.ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == TINGHU)).all():
            branch.available = False
            session.add(branch)
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert page.waiting_label.text().startswith("待分派 0 件")

    number = citizen.submit_application()["number"]

    qtbot.waitUntil(lambda: page.waiting_label.text() == "待分派 1 件", timeout=TIMEOUT_MS)
    assert page.unassigned_view.isVisibleTo(page)
    assert page.unassigned_model.index(0, 0).data() == number
    assert page.unassigned_model.index(0, 1).data() == "亭湖区"
    assert sum(r.open_cases for r in page.model.rows) == 0


def test_a_case_becomes_overdue_on_the_servers_clock_and_the_timer_shows_it(
    qtbot: Any,
    window: MainWindow,
    coordinator: StaffAccount,
    citizen: CitizenApplicant,
    live_server: LiveServer,
) -> None:
    citizen.submit_application()
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert (window_row(page, "picc").open_cases, window_row(page, "picc").overdue) == (
        1,
        0,
    )
    assert shown_cell(page, "picc", BoardColumn.OVERDUE, Qt.ItemDataRole.BackgroundRole) is None

    # Past 17:30, the end of the working day: no event is written, only time passes.
    live_server.ctx.clock.set(datetime(2026, 3, 10, 17, 45, tzinfo=LOCAL_ZONE))
    page.set_poll_interval(50)

    qtbot.waitUntil(lambda: window_row(page, "picc").overdue == 1, timeout=TIMEOUT_MS)
    assert shown_cell(page, "picc", BoardColumn.OVERDUE) == "1"
    assert shown_cell(page, "picc", BoardColumn.OVERDUE, Qt.ItemDataRole.BackgroundRole) == ALERT_BACKGROUND
    assert page.as_of_label.text() == "数据时间 17:45:00"


def test_a_window_switched_off_elsewhere_shows_from_the_feed_and_the_queue_ignores_the_event(
    qtbot: Any, window: MainWindow, coordinator: StaffAccount, live_server: LiveServer
) -> None:
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert window_row(page, "cpic").window_available
    ctx = live_server.ctx
    actor = Actor(
        role=Role.COORDINATOR,
        user_id=coordinator.id,
        display_name=coordinator.display_name,
    )

    with (
        qtbot.waitSignal(window.events_arrived, timeout=TIMEOUT_MS) as batch,
        ctx.db.write() as session,
    ):
        branch = session.exec(select(Branch).where(Branch.county_code == TINGHU, Branch.member_code == "cpic")).one()
        branch.available = False
        session.add(branch)
        record_pool_change(
            session,
            Action.SET_BRANCH,
            actor,
            now=ctx.clock.now(),
            payload={"available": False},
            member_code="cpic",
            county_code=TINGHU,
        )
    assert [e.case_id for e in batch.args[0]] == [None]
    qtbot.waitUntil(lambda: not window_row(page, "cpic").window_available, timeout=TIMEOUT_MS)
    assert shown_cell(page, "cpic", BoardColumn.WINDOW) == "暂停接单"
    assert window.model.rowCount() == 0  # no case was fetched for a case-less event


def test_a_completed_case_moves_todays_same_day_rate(
    qtbot: Any,
    window: MainWindow,
    coordinator: StaffAccount,
    clerk: StaffAccount,
    citizen: CitizenApplicant,
    live_server: LiveServer,
) -> None:
    case_id = citizen.submit_application()["id"]
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert (page.today_label.text(), page.month_label.text()) == ("—", "—")

    desk = ApiClient(live_server.url)  # the clerk's PC
    try:
        desk.login(clerk.username, clerk.password)
        version = desk.get_json(f"/staff/cases/{case_id}")["version"]
        for endpoint, body in (
            ("accept", {}),
            (
                "approve",
                {"payment_link": "https://pay.example.cn/p/1", "premium": "96.50"},
            ),
            ("record-payment", {}),
            (
                "issue-policy",
                {
                    "policy_number": "PDZA2026320900000001",
                    "policy_link": "https://policy.example.cn/e/1",
                },
            ),
        ):
            version = desk.post_json(f"/staff/cases/{case_id}/{endpoint}", {"version": version, **body})["version"]
    finally:
        desk.close()

    qtbot.waitUntil(lambda: page.today_label.text() == "100.0%(1/1 件)", timeout=TIMEOUT_MS)
    assert page.month_label.text() == "100.0%(1/1 件)"
    assert window_row(page, "picc").open_cases == 0


# --- reassignment through the case window --------------------------------------------------


def test_the_coordinator_reassigns_a_case_with_a_reason_and_the_board_follows(
    qtbot: Any,
    window: MainWindow,
    coordinator: StaffAccount,
    citizen: CitizenApplicant,
    live_server: LiveServer,
) -> None:
    case_id = citizen.submit_application()["id"]
    log_in(qtbot, window, coordinator)
    page = open_board(qtbot, window)
    assert (
        window_row(page, "picc").open_cases,
        window_row(page, "cpic").open_cases,
    ) == (1, 0)
    window.request_open_case(case_id)
    case_window = open_case(qtbot, window.case_windows, case_id)
    reason = "人保财险亭湖窗口今日系统故障,改由太保财险办理"

    dialog = start_action(qtbot, case_window, "reassign")
    assert isinstance(dialog, ReassignDialog)
    dialog.member_combo.setCurrentIndex(dialog.member_combo.findData("cpic"))
    dialog.text_edit.setPlainText(reason)
    detail = send(qtbot, dialog)

    assert detail.member_code == "cpic" and detail.status == CaseStatus.ASSIGNED.value
    ctx = live_server.ctx
    with ctx.db.read() as session:
        case = session.get(Case, case_id)
        branch = session.exec(select(Branch).where(Branch.county_code == TINGHU, Branch.member_code == "cpic")).one()
        event = session.exec(select(Event).where(Event.case_id == case_id, Event.action == Action.REASSIGN.value)).one()
    assert case is not None and (case.member_code, case.branch_id) == (
        "cpic",
        branch.id,
    )
    sms = last_sms(ctx, citizen.phone, "assigned")
    assert sms.params["member"] == "太保财险" and sms.params["window_phone"] == branch.window_phone
    assert branch.window_phone in sms.text
    assert event.actor_user_id == coordinator.id and coordinator.display_name in event.actor_label
    assert event.payload["reason"] == reason
    assert (event.payload["from_member_code"], event.payload["to_member_code"]) == (
        "picc",
        "cpic",
    )
    qtbot.waitUntil(
        lambda: (window_row(page, "picc").open_cases, window_row(page, "cpic").open_cases) == (0, 1),
        timeout=TIMEOUT_MS,
    )
