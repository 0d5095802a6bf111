"""What the desktop says when a call fails: the server's message, or one plain Chinese sentence; the message line."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from desktop.api.errors import NotFound, Refused, ServerUnreachable
from desktop.messages import DONE_STYLE, ERROR_STYLE, UNEXPECTED_MESSAGE, MessageLine, error_text
from tests.desktop.garbled import PHONE, raised


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
    with caplog.at_level(logging.DEBUG, logger="desktop.messages"):
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

    with caplog.at_level(logging.ERROR, logger="desktop.messages"):
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
