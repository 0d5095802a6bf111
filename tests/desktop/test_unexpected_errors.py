"""An unexpected error anywhere a clerk works says one plain Chinese sentence, and the log keeps the values out.

The server here answers 200 with a body nothing can read and a phone number
in it (`tests.desktop.garbled`): the pydantic error that follows quotes the
phone. The login dialog, an action dialog, the intake form, the case window
and the queue's status bar must show `UNEXPECTED_MESSAGE` instead of that
text, and no log record may contain the phone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from common.schemas.cases import CaseDetail
from desktop.actions.review import NoteDialog
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.case.opener import CaseWindows
from desktop.feed import FeedFollower
from desktop.intake.form import IntakeDialog
from desktop.login import LoginDialog
from desktop.main_window import MainWindow
from desktop.messages import UNEXPECTED_MESSAGE
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from tests.desktop.case_fixtures import TIMEOUT_MS, clerk_api  # noqa: F401 - fixture
from tests.desktop.conftest import TEST_BACKOFF, CitizenApplicant
from tests.desktop.garbled import PHONE, garbled_api  # noqa: F401 - fixture
from tests.desktop.test_intake import SERVER_DAY, attach, fill_truck, scans  # noqa: F401 - fixture


def assert_plain(label: QLabel, caplog: pytest.LogCaptureFixture) -> None:
    """The label says the plain sentence and nothing of the error; something was logged, never the phone."""
    assert label.text().endswith(UNEXPECTED_MESSAGE) or UNEXPECTED_MESSAGE in label.text()
    assert PHONE not in label.text() and "validation" not in label.text().lower()
    assert caplog.records, "the unexpected error should be logged for whoever fixes it"
    assert all(PHONE not in record.getMessage() for record in caplog.records)
    assert all(record.exc_info is None for record in caplog.records)  # a formatted traceback would quote it


def test_a_login_answer_that_cannot_be_read_says_the_plain_message(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    prefs: Preferences,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prefs.server_url = garbled_api.base_url
    dialog = LoginDialog(garbled_api, runner, prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("picc_tinghu")
    dialog.password_edit.setText("secret-password")

    with caplog.at_level(logging.DEBUG):
        dialog.submit()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT_MS)

    assert dialog.error_label.text() == UNEXPECTED_MESSAGE
    assert dialog.isVisible()
    assert_plain(dialog.error_label, caplog)
    assert all("secret-password" not in record.getMessage() for record in caplog.records)


def test_an_action_whose_answer_cannot_be_read_keeps_the_dialog_and_says_the_plain_message(
    qtbot: Any,
    citizen: CitizenApplicant,
    clerk_api: ApiClient,  # noqa: F811 - the fixture
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    submitted = citizen.submit_application()
    case = CaseDetail.model_validate(clerk_api.get_json(f"/staff/cases/{submitted['id']}"))
    dialog = NoteDialog(case, garbled_api, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.text_edit.setPlainText("客户来电询问进度")

    with caplog.at_level(logging.DEBUG):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT_MS)
    runner.wait_for_idle(TIMEOUT_MS)

    assert dialog.error_label.text() == UNEXPECTED_MESSAGE
    assert dialog.isVisible() and dialog.retry_button.isVisible()
    assert dialog.text_edit.toPlainText() == "客户来电询问进度"  # what was typed is kept
    assert_plain(dialog.error_label, caplog)


def test_an_intake_answer_that_cannot_be_read_says_the_plain_message_and_offers_retry(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    scans: dict[str, Path],  # noqa: F811 - the fixture
    caplog: pytest.LogCaptureFixture,
) -> None:
    dialog = IntakeDialog(garbled_api, runner, user=None, today=SERVER_DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    runner.wait_for_idle(TIMEOUT_MS)  # the catalog request of the form's start
    fill_truck(dialog)
    attach(dialog, scans)
    dialog.consent_check.setChecked(True)

    with caplog.at_level(logging.DEBUG):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT_MS)
    runner.wait_for_idle(TIMEOUT_MS)

    assert dialog.error_label.text() == UNEXPECTED_MESSAGE
    assert dialog.retry_button.isVisible()
    assert_plain(dialog.error_label, caplog)


def test_a_case_that_cannot_be_read_says_the_plain_message_in_its_window(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    windows = CaseWindows(garbled_api, runner, role=lambda: "clerk")
    with caplog.at_level(logging.DEBUG):
        window = windows.open_case(7)
        qtbot.addWidget(window)
        notice = window.view.notice_label
        qtbot.waitUntil(lambda: notice.isVisible(), timeout=TIMEOUT_MS)

    assert notice.text() == UNEXPECTED_MESSAGE
    assert_plain(notice, caplog)


def test_a_background_call_failing_unexpectedly_says_the_plain_message_in_the_status_bar(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    prefs: Preferences,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = MainWindow(garbled_api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    qtbot.addWidget(window)

    def broken() -> None:
        raise ValueError(f"applicant phone {PHONE} is not valid")

    with caplog.at_level(logging.DEBUG), qtbot.waitSignal(runner.unhandled_error, timeout=TIMEOUT_MS):
        runner.run(broken)  # no on_error: the main window shows what nobody else handled

    shown = window.statusBar().currentMessage()
    assert shown == UNEXPECTED_MESSAGE
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "builtins.ValueError" in logged and "broken" in logged  # the type and where, for whoever fixes it
    assert PHONE not in logged and all(record.exc_info is None for record in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        {"events": [{"seq": 1, "applicant_phone": PHONE}], "last_seq": 1},  # events it cannot read
        {"unexpected": PHONE},  # not a feed page at all
    ],
)
def test_a_feed_page_that_cannot_be_read_is_retried_and_logged_without_its_values(
    qtbot: Any, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    polls: list[int] = []

    def handler(_request: httpx.Request) -> httpx.Response:
        polls.append(1)
        return httpx.Response(200, json=body)

    client = ApiClient("http://no1window.test", transport=httpx.MockTransport(handler))
    follower = FeedFollower(client, after=0, wait_seconds=0.0, backoff=TEST_BACKOFF)
    try:
        with caplog.at_level(logging.DEBUG, logger="desktop.feed"):
            follower.start()
            qtbot.waitUntil(lambda: len(polls) >= 3, timeout=TIMEOUT_MS)  # it keeps trying
            assert follower.isRunning()
    finally:
        assert follower.stop()
        client.close()

    feed_records = [r for r in caplog.records if r.name == "desktop.feed"]
    assert feed_records and all(PHONE not in r.getMessage() for r in feed_records)
