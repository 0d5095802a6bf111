"""What the coordinator's pages say when a call fails: the server's message, or one plain Chinese sentence."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QLabel, QWidget

from desktop.api.client import ApiClient
from desktop.api.errors import NotFound, Refused, ServerUnreachable
from desktop.api.tasks import TaskRunner
from desktop.coordinator.messages import DONE_STYLE, ERROR_STYLE, UNEXPECTED_MESSAGE, MessageLine, error_text
from desktop.coordinator.pages import coordinator_pages

PHONE = "13812340003"
TIMEOUT_MS = 15_000


def raised(exc: BaseException) -> BaseException:
    """`exc` with a traceback, as the task runner hands it over."""
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - the test wants it back
        return caught


@pytest.mark.parametrize(
    "exc",
    [
        Refused(422, "refused", "车主人数阈值应在2至50之间"),
        NotFound(404, "not_found", "未找到该记录,可能已改派或您无权查看"),
        ServerUnreachable(),
    ],
)
def test_an_api_error_keeps_its_chinese_message_and_is_not_logged(
    exc: Refused, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="desktop.coordinator.messages"):
        assert error_text(exc) == exc.message
    assert caplog.records == []


def test_anything_else_says_sorry_in_chinese_and_logs_where_without_the_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        int(PHONE + "x")
    except ValueError as cause:
        exc = raised(KeyError(f"applicant {PHONE}"))
        exc.__cause__ = cause

    with caplog.at_level(logging.ERROR, logger="desktop.coordinator.messages"):
        text = error_text(exc)

    assert text == UNEXPECTED_MESSAGE
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    logged = record.getMessage()
    assert "builtins.KeyError" in logged and "builtins.ValueError" in logged
    assert "test_messages.py" in logged  # where it was raised
    assert PHONE not in logged


# --- the message line ---------------------------------------------------------------------------


def test_the_message_line_says_errors_in_red_successes_in_green_and_hides_when_empty(qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    line = MessageLine(page)
    assert line.isHidden()

    line.show_error("规则未保存:车主人数阈值应在2至50之间")
    assert (line.isHidden(), line.is_error, line.styleSheet()) == (False, True, ERROR_STYLE)

    line.show_done("已保存")
    assert (line.text(), line.is_error, line.styleSheet()) == ("已保存", False, DONE_STYLE)

    line.show_note("正在统计…")
    assert (line.is_error, line.styleSheet()) == (False, "")

    line.clear_message()
    assert (line.text(), line.isHidden()) == ("", True)


def test_a_line_beside_buttons_keeps_its_place_when_empty(qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    line = MessageLine(page, keep_space=True)

    line.show_error("保存失败")
    line.clear_message()

    assert line.text() == "" and not line.isHidden() and not line.is_error


# --- every page -------------------------------------------------------------------------------

# Where each page writes a failed load.
MESSAGE_LINES: dict[str, Callable[[Any], QLabel]] = {
    "board": lambda page: page.error_label,
    "pool": lambda page: page.status_label,
    "users": lambda page: page.message_label,
    "statistics": lambda page: page.message,
    "signals": lambda page: page.message,
}


@pytest.fixture
def garbled_api() -> Iterator[ApiClient]:
    """A server that answers every request with 200 and a body no page can read (with a phone in it)."""

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": PHONE})

    client = ApiClient("http://no1window.test", transport=httpx.MockTransport(handler))
    yield client
    client.close()


def test_every_page_has_a_message_line_in_this_test() -> None:
    assert {page.key for page in coordinator_pages()} == set(MESSAGE_LINES)


@pytest.mark.parametrize("key", sorted(MESSAGE_LINES))
def test_an_answer_the_page_cannot_read_shows_the_plain_message_not_python_text(
    qtbot: Any,
    garbled_api: ApiClient,
    runner: TaskRunner,
    key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [spec] = [page for page in coordinator_pages() if page.key == key]
    page: QWidget = spec.factory(garbled_api, runner)
    qtbot.addWidget(page)
    line = MESSAGE_LINES[key](page)

    with caplog.at_level(logging.ERROR, logger="desktop.coordinator.messages"):
        page.refresh()  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: UNEXPECTED_MESSAGE in line.text(), timeout=TIMEOUT_MS)
    runner.wait_for_idle(TIMEOUT_MS)

    assert "ValidationError" not in line.text() and PHONE not in line.text()
    assert caplog.records and all(PHONE not in r.getMessage() for r in caplog.records)
