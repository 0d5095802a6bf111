"""LiveRefresh: one read kept fresh, at most one request in flight, nothing lost, nothing piled up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject

from desktop.api.errors import Refused
from desktop.api.tasks import TaskRunner
from desktop.coordinator.live_refresh import LiveRefresh

TIMEOUT_MS = 5_000


class FakeServer:
    """Answers reads with their serial number (1, 2, …); `hold()` keeps answers back until `release()`."""

    def __init__(self) -> None:
        self.sent = 0
        self.fail_next = False
        self._gate = threading.Event()
        self._gate.set()

    def prepare(self) -> Callable[[], int]:
        self.sent += 1
        serial, fail = self.sent, self.fail_next
        self.fail_next = False

        def read() -> int:
            self._gate.wait(TIMEOUT_MS / 1000)
            if fail:
                raise Refused(400, "refused", "请求不正确")
            return serial

        return read

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()


class Page:
    """What a page gets back: every answer and every error, in order."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.errors: list[str] = []


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.release()  # never leave a worker thread waiting


@pytest.fixture
def page() -> Page:
    return Page()


@pytest.fixture
def owner() -> Iterator[QObject]:
    """Stands in for the page: the LiveRefresh's parent and its tasks' context."""
    obj = QObject()
    yield obj
    obj.deleteLater()


def make_live(runner: TaskRunner, server: FakeServer, page: Page, owner: QObject, **options: Any) -> LiveRefresh:
    return LiveRefresh(
        runner,
        server.prepare,
        on_done=page.answers.append,
        on_error=lambda exc: page.errors.append(str(exc)),
        parent=owner,
        **options,
    )


def settle(qtbot: Any, live: LiveRefresh, page: Page, answers: int) -> None:
    """Wait until `answers` answers arrived and nothing is in flight."""
    qtbot.waitUntil(
        lambda: len(page.answers) + len(page.errors) >= answers and not live.busy,
        timeout=TIMEOUT_MS,
    )


def test_restart_fetches_at_once_and_hands_over_the_answer(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner)

    live.restart()

    assert live.busy
    settle(qtbot, live, page, 1)
    assert page.answers == [1]
    assert not live.poll_timer.isActive()  # no poll_ms: no timer


def test_a_burst_of_changes_costs_one_request(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner, debounce_ms=30)

    for _ in range(5):
        live.soon()

    assert server.sent == 0  # nothing before the debounce delay
    settle(qtbot, live, page, 1)
    with qtbot.assertNotEmitted(runner.busy_changed, wait=100):
        pass
    assert (server.sent, page.answers) == (1, [1])


def test_changes_noticed_during_a_request_cost_exactly_one_more(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner)
    server.hold()
    live.restart()

    for _ in range(3):
        live.now()
    assert server.sent == 1  # never two in flight

    server.release()
    settle(qtbot, live, page, 2)
    with qtbot.assertNotEmitted(runner.busy_changed, wait=100):
        pass
    assert (server.sent, page.answers) == (2, [1, 2])


def test_restart_drops_the_answer_on_its_way(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner)
    server.hold()
    live.restart()
    live.now()  # asked meanwhile: restart forgets it too

    live.restart()
    server.release()

    qtbot.waitUntil(lambda: page.answers == [2], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=TIMEOUT_MS)
    assert (server.sent, page.answers) == (2, [2])


def test_the_timer_repeats_the_read(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner, poll_ms=60_000)
    live.restart()
    settle(qtbot, live, page, 1)
    assert live.poll_timer.isActive() and live.poll_timer.interval() == 60_000

    live.set_poll_interval(20)

    qtbot.waitUntil(lambda: len(page.answers) >= 3, timeout=TIMEOUT_MS)
    live.stop()
    assert page.answers[:3] == [1, 2, 3]


def test_an_error_is_handed_over_and_a_change_noticed_meanwhile_is_still_fetched(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner)
    server.fail_next = True
    server.hold()
    live.restart()
    live.now()

    server.release()

    settle(qtbot, live, page, 2)
    assert page.errors == ["请求不正确"]
    assert page.answers == [2]


def test_stop_drops_the_answer_and_the_pending_fetch(
    qtbot: Any, runner: TaskRunner, server: FakeServer, page: Page, owner: QObject
) -> None:
    live = make_live(runner, server, page, owner, poll_ms=20, debounce_ms=10)
    server.hold()
    live.restart()
    live.soon()

    live.stop()
    server.release()

    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=TIMEOUT_MS)
    with qtbot.assertNotEmitted(runner.busy_changed, wait=100):
        pass
    assert page.answers == [] and server.sent == 1
    assert not live.poll_timer.isActive() and not live.busy
