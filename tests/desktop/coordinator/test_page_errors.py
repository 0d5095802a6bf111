"""Every coordinator page says an answer it cannot read in one plain Chinese sentence, not Python text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.messages import UNEXPECTED_MESSAGE
from tests.desktop.garbled import PHONE, garbled_api  # noqa: F401 - fixture

TIMEOUT_MS = 15_000

# Where each page writes a failed load.
MESSAGE_LINES: dict[str, Callable[[Any], QLabel]] = {
    "board": lambda page: page.error_label,
    "pool": lambda page: page.status_label,
    "users": lambda page: page.message_label,
    "statistics": lambda page: page.message,
    "signals": lambda page: page.message,
}


def test_every_page_has_a_message_line_in_this_test() -> None:
    assert {page.key for page in coordinator_pages()} == set(MESSAGE_LINES)


@pytest.mark.parametrize("key", sorted(MESSAGE_LINES))
def test_an_answer_the_page_cannot_read_shows_the_plain_message_not_python_text(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [spec] = [page for page in coordinator_pages() if page.key == key]
    page: QWidget = spec.factory(garbled_api, runner)
    qtbot.addWidget(page)
    line = MESSAGE_LINES[key](page)

    with caplog.at_level(logging.ERROR):
        page.refresh()  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: UNEXPECTED_MESSAGE in line.text(), timeout=TIMEOUT_MS)
    runner.wait_for_idle(TIMEOUT_MS)

    assert "ValidationError" not in line.text() and PHONE not in line.text()
    assert caplog.records and all(PHONE not in r.getMessage() for r in caplog.records)
