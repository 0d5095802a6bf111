"""TaskRunner: results in the GUI thread, retries with back-off, parked calls across a re-login."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, QThread

from desktop.api.client import Refused, ServerUnreachable, SessionExpired
from desktop.api.connection import BackoffPolicy, ConnectionMonitor
from desktop.api.tasks import TaskRunner


class Flaky:
    """A call that fails with `errors` in turn, then returns `result`; records the threads it ran on."""

    def __init__(self, *errors: BaseException, result: object = "ok") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0
        self.threads: list[threading.Thread] = []

    def __call__(self) -> object:
        self.calls += 1
        self.threads.append(threading.current_thread())
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def test_result_arrives_in_the_gui_thread_and_work_runs_elsewhere(qtbot: Any, runner: TaskRunner) -> None:
    call = Flaky(result=42)
    seen: list[tuple[object, bool]] = []
    runner.run(call, on_done=lambda value: seen.append((value, QThread.currentThread() is runner.thread())))
    qtbot.waitUntil(lambda: seen == [(42, True)], timeout=5000)
    assert call.threads[0] is not threading.main_thread()


def test_busy_count_goes_up_and_back_to_zero(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    counts: list[int] = []
    runner.busy_changed.connect(counts.append)
    runner.run(lambda: release.wait(10))
    assert runner.busy_count == 1
    release.set()
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=5000)
    assert counts == [1, 0]


def test_errors_go_to_on_error(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[BaseException] = []
    runner.run(Flaky(Refused(422, "invalid", "请填写车主姓名")), on_done=pytest.fail, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert isinstance(errors[0], Refused) and errors[0].message == "请填写车主姓名"


def test_an_error_without_handler_is_reported(qtbot: Any, runner: TaskRunner) -> None:
    with qtbot.waitSignal(runner.unhandled_error, timeout=5000) as blocker:
        runner.run(Flaky(Refused(403, "forbidden", "您没有权限执行此操作")))
    assert blocker.args[0].status == 403


def test_progress_is_reported_in_the_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    steps: list[tuple[int, int]] = []

    def work(progress: Any) -> str:
        for done in (10, 20, 30):
            progress(done, 30)
        return "done"

    results: list[str] = []
    runner.run(work, on_done=results.append, on_progress=lambda done, total: steps.append((done, total)))
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert steps == [(10, 30), (20, 30), (30, 30)]


def test_unreachable_read_is_retried_until_it_succeeds(qtbot: Any, runner: TaskRunner) -> None:
    call = Flaky(ServerUnreachable(), ServerUnreachable(), result="queue")
    results: list[object] = []
    states: list[bool] = []
    runner.monitor.reachable_changed.connect(states.append)
    runner.run(call, on_done=results.append, on_error=pytest.fail, retry=True)
    qtbot.waitUntil(lambda: results == ["queue"], timeout=5000)
    assert call.calls == 3
    assert states == [False, True]


def test_unreachable_without_retry_goes_to_on_error(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[BaseException] = []
    runner.run(Flaky(ServerUnreachable()), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert not runner.monitor.reachable


def test_waiting_retries_go_at_once_when_the_server_is_back(qtbot: Any) -> None:
    # A back-off far longer than the test: only "server is back" can make the retry happen in time.
    runner = TaskRunner(ConnectionMonitor(BackoffPolicy(initial=600, maximum=600)))
    try:
        results: list[object] = []
        runner.run(Flaky(ServerUnreachable(), result="later"), on_done=results.append, retry=True)
        qtbot.waitUntil(lambda: runner.waiting_count == 1, timeout=5000)
        runner.monitor.report_reachable()  # e.g. the feed got through
        qtbot.waitUntil(lambda: results == ["later"], timeout=5000)
    finally:
        runner.shutdown(5000)


def test_session_expiry_is_announced_once_and_parked_reads_resume(qtbot: Any, runner: TaskRunner) -> None:
    expired = SessionExpired(401, "not_authenticated", "登录已过期,请重新登录")
    first, second = Flaky(expired, result="a"), Flaky(expired, result="b")
    results: list[object] = []
    announcements: list[bool] = []
    runner.session_expired.connect(lambda: announcements.append(True))
    runner.run(first, on_done=results.append, retry=True)
    runner.run(second, on_done=results.append, retry=True)
    qtbot.waitUntil(lambda: first.calls == 1 and second.calls == 1 and runner.busy_count == 0, timeout=5000)
    assert announcements == [True] and results == []
    assert runner.session_is_expired
    runner.session_restored()
    qtbot.waitUntil(lambda: sorted(results) == ["a", "b"], timeout=5000)  # type: ignore[type-var]


def test_an_action_meeting_expiry_gets_it_in_on_error(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.session_expired, timeout=5000):
        runner.run(Flaky(SessionExpired(401, "not_authenticated", "登录已过期")), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert isinstance(errors[0], SessionExpired)


def test_cancelled_task_delivers_nothing(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    task = runner.run(lambda: release.wait(10), on_done=pytest.fail, on_error=pytest.fail)
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=5000)


def test_result_for_a_destroyed_context_is_dropped(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    owner = QObject()
    runner.run(lambda: release.wait(10), on_done=pytest.fail, context=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=5000)


def test_backoff_doubles_up_to_thirty_seconds() -> None:
    policy = BackoffPolicy()
    assert [policy.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.delay(10_000) == 30
