"""The main window against the real server: the clerk's scope, live updates, outages, expiry, keyboard."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMetaMethod, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import select

from desktop.api.client import ApiClient, SessionExpired
from desktop.api.tasks import TaskRunner
from desktop.main_window import MainWindow
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from server.context import AppContext
from server.models import Branch
from tests.desktop.conftest import TINGHU, CitizenApplicant, LiveServer, StaffAccount

ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT_MS = 15_000


class Beeper:
    """Stands in for QApplication.beep."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def beeper() -> Beeper:
    return Beeper()


@pytest.fixture
def window(qtbot: Any, api: ApiClient, runner: TaskRunner, prefs: Preferences, beeper: Beeper) -> Iterator[MainWindow]:
    notifier = NewCaseNotifier(prefs, beep=beeper)
    main = MainWindow(api, runner, prefs, notifier=notifier)
    qtbot.addWidget(main)
    yield main
    main.close()  # before the server stops: ends the feed's long poll from our side


def log_in(qtbot: Any, window: MainWindow, account: StaffAccount) -> None:
    """Log in directly (the dialog has its own tests) and wait for the queue and the feed."""
    session = window.api.login(account.username, account.password)
    window.start_session(session)
    qtbot.waitUntil(lambda: window.feed is not None and window.feed.isRunning(), timeout=LOAD_TIMEOUT_MS)


def without_case_view(window: MainWindow) -> MainWindow:
    """Take whatever case view is connected off `case_open_requested`: these tests are about the queue's side."""
    if window.isSignalConnected(QMetaMethod.fromSignal(window.case_open_requested)):
        window.case_open_requested.disconnect()
    return window


def shown_ids(window: MainWindow) -> set[int]:
    return set(window.model.ids())


def only_member_takes_cases(ctx: AppContext, member_code: str) -> None:
    with ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == TINGHU)).all():
            branch.available = branch.member_code == member_code
            session.add(branch)


def test_the_queue_holds_exactly_the_clerks_cases(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant, live_server: LiveServer
) -> None:
    picc = {citizen.submit_application()["id"] for _ in range(2)}
    only_member_takes_cases(live_server.ctx, "cpic")
    citizen.submit_application()  # 太平洋财险's: not this clerk's
    log_in(qtbot, window, clerk)
    assert shown_ids(window) == picc
    assert window.panel.current_filter_key() == "open"
    assert window.proxy.rowCount() == 2
    assert "李窗口 · 窗口经办 · 人保财险 · 亭湖区" == window.user_label.text()


def test_another_members_clerk_sees_only_their_own(
    qtbot: Any, window: MainWindow, other_clerk: StaffAccount, citizen: CitizenApplicant, live_server: LiveServer
) -> None:
    citizen.submit_application()
    only_member_takes_cases(live_server.ctx, "cpic")
    theirs = citizen.submit_application()["id"]
    log_in(qtbot, window, other_clerk)
    assert shown_ids(window) == {theirs}


def test_a_new_application_appears_without_reloading_and_is_announced(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant, beeper: Beeper
) -> None:
    first = citizen.submit_application()["id"]
    log_in(qtbot, window, clerk)
    assert shown_ids(window) == {first}
    with qtbot.assertNotEmitted(window.model.modelReset), qtbot.assertNotEmitted(window.loader.page_loaded):
        with qtbot.waitSignal(window.notifier.notified, timeout=LOAD_TIMEOUT_MS):
            second = citizen.submit_application()["id"]
        qtbot.waitUntil(lambda: shown_ids(window) == {first, second}, timeout=LOAD_TIMEOUT_MS)
    assert beeper.count == 1
    row = window.proxy.proxy_row_of(second)
    assert window.proxy.index(row, 6).data() == "待受理"


def test_announcements_can_be_turned_off_and_that_is_remembered(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant, beeper: Beeper, tmp_path: Path
) -> None:
    log_in(qtbot, window, clerk)
    window.notify_action.trigger()
    assert not window.notify_action.isChecked()
    case_id = citizen.submit_application()["id"]
    qtbot.waitUntil(lambda: case_id in shown_ids(window), timeout=LOAD_TIMEOUT_MS)
    assert beeper.count == 0
    assert (
        Preferences(
            type(window.prefs.settings)(str(tmp_path / "desk.ini"), window.prefs.settings.format())
        ).notify_new_cases
        is False
    )


def test_an_outage_shows_the_banner_and_the_queue_catches_up_after_a_restart(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant, live_server: LiveServer
) -> None:
    log_in(qtbot, window, clerk)
    window.show()
    assert window.banner.isHidden()
    live_server.stop()
    window.refresh_action.trigger()  # F5 while the server is away
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=LOAD_TIMEOUT_MS)
    assert window.banner.label.text() == "无法连接服务器,正在重试…"
    live_server.start()  # same port, same data
    qtbot.waitUntil(lambda: window.banner.isHidden(), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.feed is not None and not window.loader.loading, timeout=LOAD_TIMEOUT_MS)
    case_id = citizen.submit_application()["id"]
    qtbot.waitUntil(lambda: case_id in shown_ids(window), timeout=LOAD_TIMEOUT_MS)


def test_busy_indicator_shows_while_loading(qtbot: Any, window: MainWindow, clerk: StaffAccount) -> None:
    log_in(qtbot, window, clerk)
    window.refresh_action.trigger()
    assert not window.busy_indicator.isHidden()
    qtbot.waitUntil(lambda: window.busy_indicator.isHidden(), timeout=LOAD_TIMEOUT_MS)


def test_an_expired_session_asks_for_the_password_and_returns_to_the_same_place(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant, live_server: LiveServer
) -> None:
    ids = [citizen.submit_application()["id"] for _ in range(3)]
    log_in(qtbot, window, clerk)
    window.show()
    window.panel.select_filter("assigned")
    assert window.panel.select_case(ids[1])
    revoker = ApiClient(live_server.url)
    revoker.token = window.api.token
    revoker.logout()  # the session ends on the server (expiry, or an administrator)
    revoker.close()
    window.refresh_action.trigger()
    qtbot.waitUntil(
        lambda: window.login_dialog is not None and window.login_dialog.isVisible(), timeout=LOAD_TIMEOUT_MS
    )
    dialog = window.login_dialog
    assert dialog is not None
    assert "登录已过期" in dialog.notice_label.text()
    assert dialog.username_edit.text() == clerk.username  # remembered: only the password to type
    qtbot.keyClicks(dialog.password_edit, clerk.password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.login_dialog is None, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.feed is not None and not window.loader.loading, timeout=LOAD_TIMEOUT_MS)
    assert window.panel.current_filter_key() == "assigned"
    assert window.current_case_id() == ids[1]
    assert shown_ids(window) == set(ids)


def test_logging_out_and_in_as_another_clerk_shows_their_queue(
    qtbot: Any,
    window: MainWindow,
    clerk: StaffAccount,
    other_clerk: StaffAccount,
    citizen: CitizenApplicant,
    live_server: LiveServer,
) -> None:
    mine = citizen.submit_application()["id"]
    only_member_takes_cases(live_server.ctx, "cpic")
    theirs = citizen.submit_application()["id"]
    log_in(qtbot, window, clerk)
    window.show()
    assert shown_ids(window) == {mine}
    old_token = window.api.token
    window.logout_action.trigger()
    assert window.api.token is None
    qtbot.waitUntil(
        lambda: window.login_dialog is not None and window.login_dialog.isVisible(), timeout=LOAD_TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: window.runner.busy_count == 0, timeout=LOAD_TIMEOUT_MS)
    probe = ApiClient(live_server.url)
    probe.token = old_token
    with pytest.raises(SessionExpired):  # revoked on the server, not just forgotten here
        probe.me()
    probe.close()
    dialog = window.login_dialog
    assert dialog is not None
    dialog.username_edit.setText(other_clerk.username)
    qtbot.keyClicks(dialog.password_edit, other_clerk.password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown_ids(window) == {theirs}, timeout=LOAD_TIMEOUT_MS)
    assert window.user_label.text().startswith("周窗口")


def test_enter_on_a_case_asks_to_open_it(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant
) -> None:
    case_id = citizen.submit_application()["id"]
    log_in(qtbot, window, clerk)
    window.show()
    opened: list[int] = []
    without_case_view(window).case_open_requested.connect(opened.append)
    window.panel.select_case(case_id)
    window.panel.table.setFocus()
    qtbot.keyClick(window.panel.table, Qt.Key.Key_Return)
    assert opened == [case_id]


def test_without_a_case_view_a_placeholder_says_what_was_opened(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant
) -> None:
    submitted = citizen.submit_application()
    log_in(qtbot, window, clerk)
    window.show()
    window.case_open_requested.disconnect(window.case_windows.open_case)  # as before the case view existed
    window.panel.select_case(submitted["id"])
    without_case_view(window).open_action.trigger()
    box = window.findChild(QMessageBox, "casePlaceholder")
    assert box is not None and submitted["number"] in box.text()
    box.close()


def test_ctrl_f_goes_to_the_search_box_and_typing_filters_after_a_pause(
    qtbot: Any, window: MainWindow, clerk: StaffAccount, citizen: CitizenApplicant
) -> None:
    first = citizen.submit_application()
    citizen.submit_application()
    log_in(qtbot, window, clerk)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.panel.search_box
    qtbot.keyClicks(window.panel.search_box, "zzz")  # (QTest types ASCII only; Chinese search is in the proxy tests)
    assert window.proxy.search_terms == ()  # not yet: the filter waits for a pause in typing
    qtbot.waitUntil(lambda: window.proxy.search_terms == ("zzz",), timeout=5000)
    assert window.proxy.rowCount() == 0
    window.panel.search_box.clear()
    qtbot.keyClicks(window.panel.search_box, first["vin"][-6:].lower())
    qtbot.keyClick(window.panel.search_box, Qt.Key.Key_Return)  # Enter searches at once and goes to the hit
    assert window.proxy.rowCount() == 1
    assert window.current_case_id() == first["id"]


def test_smoke_flag_starts_and_quits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--smoke"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
