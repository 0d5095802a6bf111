"""Shared pieces of the case view, viewer, action and intake tests (import the fixtures you use).

Everything runs against the live server of `conftest.py`; the server's clock
stands at a working morning, so dialogs that stamp a time (a call) are given
that clock too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlmodel import select

from common.enums import Role
from common.schemas.cases import CaseDetail
from desktop.actions.base import ActionDialog
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.case.opener import CaseWindows
from desktop.case.window import CaseWindow
from server.context import AppContext
from server.models import SmsMessage
from tests.desktop.conftest import WORKING_MORNING, LiveServer, StaffAccount, make_staff

TIMEOUT_MS = 15_000
# Bringing a window to the front is a window manager's job; the offscreen platform says it cannot.
OFFSCREEN_RAISE = pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$", extend=True)


def server_now() -> Any:
    """The live server's fixed clock (the Date header says the real time, the services use this)."""
    return WORKING_MORNING


@pytest.fixture
def supervisor(server_ctx: AppContext) -> StaffAccount:
    """人保财险's supervisor: all counties, decides escalations."""
    return make_staff(server_ctx, "picc_supervisor", Role.SUPERVISOR, county_code=None, display_name="刘主管")


@pytest.fixture
def clerk_api(api: ApiClient, clerk: StaffAccount) -> ApiClient:
    """The live server's client, logged in as the 人保财险 clerk of 亭湖区."""
    api.login(clerk.username, clerk.password)
    return api


@pytest.fixture
def case_windows(qtbot: Any, clerk_api: ApiClient, runner: TaskRunner) -> Iterator[CaseWindows]:
    """Case windows of the clerk (role clerk), on the server's clock; closed at the end."""
    windows = CaseWindows(clerk_api, runner, role=lambda: Role.CLERK.value, now=server_now)
    yield windows
    windows.close_all()
    runner.wait_for_idle(10_000)
    # Closed windows delete themselves later: let that happen while the fixtures they use still exist.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def open_case(qtbot: Any, windows: CaseWindows, case_id: int) -> CaseWindow:
    """Open the case's window and wait until the case is on screen."""
    window = windows.open_case(case_id)
    qtbot.waitUntil(lambda: window.case is not None, timeout=TIMEOUT_MS)
    return window


def start_action(qtbot: Any, window: CaseWindow, action: str) -> ActionDialog:
    """Click the action's button on the case view; the dialog it opened."""
    button: QPushButton = window.view.action_buttons[action]
    assert button.isEnabled(), f"{action} is not enabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.active_dialog
    assert dialog is not None
    return dialog


def send(qtbot: Any, dialog: ActionDialog) -> CaseDetail:
    """Click 发送 and wait for the server's answer; the case it returned."""
    with qtbot.waitSignal(dialog.sent, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    detail = blocker.args[0]
    assert isinstance(detail, CaseDetail)
    return detail


def act(qtbot: Any, window: CaseWindow, action: str, fill: Callable[[Any], None] = lambda _d: None) -> CaseDetail:
    """Open the action's dialog, fill it, send it, wait until the window shows the result."""
    dialog = start_action(qtbot, window, action)
    fill(dialog)
    detail = send(qtbot, dialog)
    qtbot.waitUntil(lambda: window.case is not None and window.case.version >= detail.version, timeout=TIMEOUT_MS)
    return detail


def outbox(server: LiveServer, phone: str) -> list[SmsMessage]:
    """Every SMS to `phone`, oldest first."""
    with server.ctx.db.read() as session:
        return list(session.exec(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id)).all())
