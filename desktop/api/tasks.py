"""Background calls: run a blocking function on a thread pool, get its result back in the GUI thread.

The GUI thread never waits on the network. Every server call is written as
a plain function (usually a lambda around an `ApiClient` method) and handed
to `TaskRunner.run`; its result or exception comes back through `on_done` /
`on_error`, called in the GUI thread, so they may touch widgets freely::

    runner.run(
        lambda: api.get_json(f"/staff/cases/{case_id}"),
        on_done=lambda data: view.show_case(CaseDetail.model_validate(data)),
        on_error=lambda exc: view.show_error(exc),
        retry=True,          # a read: safe to repeat while the server is away
        context=view,        # drop the result if the view is gone by then
    )

With `on_progress`, the function is called with one argument, a
`progress(done, total)` callable it may call from its thread (pass it to
`ApiClient.upload`/`download`); `on_progress(done, total)` then runs in the
GUI thread.

Errors, in order:

* `ServerUnreachable`: the `ConnectionMonitor` is told (banner). With
  `retry=True` the call is repeated after the back-off delay, and at once
  when the server is seen again; `on_error` is not called. Without retry,
  `on_error` gets it (an action dialog keeps its input and its idempotency
  key, so the clerk can press the button again).
* `SessionExpired`: `session_expired` is emitted once (the main window asks
  for the password). A `retry=True` call is parked and sent again after
  `session_restored()`; other calls also get it in `on_error`, where they
  should show nothing (the login dialog is the message).
* Anything else goes to `on_error`, or to `unhandled_error` when there is
  no `on_error`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import count
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot

from desktop.api.client import ApiError, ServerUnreachable, SessionExpired
from desktop.api.connection import ConnectionMonitor
from desktop.redacted import described

log = logging.getLogger(__name__)

DEFAULT_MAX_THREADS = 4


class Task:
    """Handle on one background call; `cancel()` drops its callbacks and pending retries."""

    def __init__(
        self,
        task_id: int,
        fn: Callable[..., Any],
        *,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[[int, int], None] | None,
        retry: bool,
        context: QObject | None,
    ) -> None:
        self.id = task_id
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.on_progress = on_progress
        self.retry = retry
        self.context = context
        self.attempts = 0
        self.cancelled = False

    def cancel(self) -> None:
        """Forget the result: no callback will run and no retry will be made."""
        self.cancelled = True

    def wanted(self) -> bool:
        """Whether someone still waits for the result (not cancelled, context still alive)."""
        return not self.cancelled and (self.context is None or shiboken6.isValid(self.context))


class _Relay(QObject):
    """Carries results from pool threads into the GUI thread (it lives there; emits are queued)."""

    finished = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, object, object)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, task: Task) -> None:
        super().__init__()
        self._relay = relay
        self._task_id = task.id
        self._fn = task.fn
        self._wants_progress = task.on_progress is not None

    def run(self) -> None:
        try:
            result = self._fn(self._progress) if self._wants_progress else self._fn()
        except BaseException as exc:  # noqa: BLE001 - every failure is delivered to the GUI thread
            self._deliver(self._relay.failed, exc)
        else:
            self._deliver(self._relay.finished, result)

    def _progress(self, done: int, total: int) -> None:
        self._deliver(self._relay.progressed, done, total)

    def _deliver(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(self._task_id, *args)
        except RuntimeError:
            pass  # the runner was destroyed while the app quit: nobody is listening any more


class TaskRunner(QObject):
    """Runs blocking calls on its own thread pool and delivers the outcome as GUI-thread callbacks."""

    busy_changed = Signal(int)
    """How many calls are running now; 0 means idle (hide the busy indicator)."""

    session_expired = Signal()
    """A call met a 401; emitted once until `session_restored()`."""

    unhandled_error = Signal(object)
    """An exception from a call that had no `on_error`."""

    def __init__(
        self,
        monitor: ConnectionMonitor | None = None,
        *,
        max_threads: int = DEFAULT_MAX_THREADS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.monitor = monitor or ConnectionMonitor(parent=self)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.monitor.retry_requested.connect(self._retry_waiting_now)
        self._ids = count(1)
        self._running: dict[int, Task] = {}
        self._waiting: dict[int, tuple[Task, QTimer]] = {}
        self._parked: list[Task] = []
        self._expired = False
        self._shut_down = False

    # ------------------------------------------------------------ API ----

    def run(
        self,
        fn: Callable[..., Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        retry: bool = False,
        context: QObject | None = None,
    ) -> Task:
        """Start `fn` on the pool; see the module docstring for what happens to its outcome."""
        task = Task(
            next(self._ids),
            fn,
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            retry=retry,
            context=context,
        )
        self._submit(task)
        return task

    @property
    def busy_count(self) -> int:
        """Calls running now (waiting retries and parked calls do not count)."""
        return len(self._running)

    @property
    def waiting_count(self) -> int:
        """Calls waiting for the server to come back."""
        return len(self._waiting)

    @property
    def session_is_expired(self) -> bool:
        """Between a 401 and `session_restored()`."""
        return self._expired

    def session_restored(self) -> None:
        """The clerk logged in again: send the parked calls with the new token."""
        self._expired = False
        parked, self._parked = self._parked, []
        for task in parked:
            if task.wanted():
                self._submit(task)

    def discard_parked(self) -> None:
        """Another user logged in: the parked calls belong to the previous one."""
        self._parked.clear()
        self._expired = False

    def wait_for_idle(self, timeout_ms: int = -1) -> bool:
        """Block until the running calls are done (for shutdown and tests); False on timeout."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop retrying, drop queued calls, wait a little for running ones; at quit."""
        self._shut_down = True
        for task, timer in self._waiting.values():
            timer.stop()
            task.cancel()
        self._waiting.clear()
        self._parked.clear()
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)

    # ------------------------------------------------------------ internals ----

    def _submit(self, task: Task) -> None:
        if self._shut_down:
            return
        task.attempts += 1
        self._running[task.id] = task
        self.busy_changed.emit(len(self._running))
        self._pool.start(_Job(self._relay, task))

    def _finish(self, task_id: int) -> Task | None:
        task = self._running.pop(task_id, None)
        self.busy_changed.emit(len(self._running))
        return task

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: object) -> None:
        task = self._finish(task_id)
        self.monitor.report_reachable()
        if task is not None and task.wanted() and task.on_done is not None:
            task.on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: BaseException) -> None:
        task = self._finish(task_id)
        if isinstance(exc, ServerUnreachable):
            self.monitor.report_unreachable()
        elif isinstance(exc, ApiError):
            self.monitor.report_reachable()
        if task is None or not task.wanted():
            return
        if isinstance(exc, ServerUnreachable) and task.retry:
            self._wait_and_retry(task)
            return
        if isinstance(exc, SessionExpired):
            announce = not self._expired
            self._expired = True
            if task.retry:
                self._parked.append(task)
            if announce:
                self.session_expired.emit()
            if task.retry:
                return
        if task.on_error is not None:
            task.on_error(exc)
        else:
            if not isinstance(exc, ApiError):
                # Type and traceback only: the message may quote a phone or ID number.
                log.error("background call failed: %s", described(exc))
            self.unhandled_error.emit(exc)

    @Slot(int, object, object)
    def _on_progress(self, task_id: int, done: object, total: object) -> None:
        task = self._running.get(task_id)
        if task is not None and task.wanted() and task.on_progress is not None:
            task.on_progress(int(done), int(total))  # type: ignore[call-overload]

    def _wait_and_retry(self, task: Task) -> None:
        delay = self.monitor.backoff.delay(task.attempts - 1)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._retry(task.id))
        self._waiting[task.id] = (task, timer)
        timer.start(int(delay * 1000))

    def _retry(self, task_id: int) -> None:
        entry = self._waiting.pop(task_id, None)
        if entry is None:
            return
        task, timer = entry
        timer.deleteLater()
        if task.wanted():
            self._submit(task)

    @Slot()
    def _retry_waiting_now(self) -> None:
        for task_id in list(self._waiting):
            task, timer = self._waiting[task_id]
            timer.stop()
            self._retry(task_id)
