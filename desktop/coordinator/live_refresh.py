"""Keeping one server read fresh on a page: at once, shortly after a change, and on a timer.

A coordinator's page shows one read (the board, the signals, a county's
windows, the accounts) and learns of changes from the feed. `LiveRefresh`
holds the rules every such page needs:

* `restart()` fetches now, dropping an answer still on its way (it may be
  for a previous user or another county), and starts the poll timer;
* `soon()` asks for a fetch after `debounce_ms`, so a burst of feed events
  costs one request;
* `now()` asks for a fetch at once;
* at most one request is in flight: a fetch asked for meanwhile is made
  once the answer is in (that answer may predate the change), never more
  than one, so nothing is lost and nothing piles up while the server is away;
* with `poll_ms`, the read is also repeated on a timer, for what changes
  by time alone (a case becoming overdue writes no event).

Reads are sent with `retry=True`: the `TaskRunner` repeats them while the
server is unreachable and parks them while the session is expired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from desktop.api.tasks import Task, TaskRunner

DEFAULT_DEBOUNCE_MS = 300

Prepare = Callable[[], Callable[[], Any]]
"""Called in the GUI thread as a request starts (read widgets here); returns what the worker thread runs."""


class LiveRefresh(QObject):
    """One read kept fresh for a page (see the module docstring); `parent` is the page, also the task context."""

    def __init__(
        self,
        runner: TaskRunner,
        prepare: Prepare,
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        poll_ms: int | None = None,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._prepare = prepare
        self._on_done = on_done
        self._on_error = on_error
        self._context = parent
        self._task: Task | None = None
        self._again = False

        self.poll_timer = QTimer(self)
        """Repeats the read every `poll_ms` once `restart()` ran; never started without `poll_ms`."""
        self.poll_timer.timeout.connect(self.now)
        self._polls = poll_ms is not None
        if poll_ms is not None:
            self.poll_timer.setInterval(poll_ms)
        self.debounce_timer = QTimer(self)
        self.debounce_timer.setSingleShot(True)
        self.debounce_timer.setInterval(debounce_ms)
        self.debounce_timer.timeout.connect(self.now)

    @property
    def busy(self) -> bool:
        """A request is in flight (or waiting for the server, or parked for a login)."""
        return self._task is not None

    def restart(self) -> None:
        """Fetch now, forgetting any answer on its way and any fetch asked for; then keep polling."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.debounce_timer.stop()
        self._again = False
        self._fetch()
        if self._polls:
            self.poll_timer.start()

    def soon(self) -> None:
        """Fetch after the debounce delay; asking again meanwhile does not add a request."""
        self.debounce_timer.start()

    def now(self) -> None:
        """Fetch at once, or right after the answer in flight."""
        self.debounce_timer.stop()
        if self._task is not None:
            self._again = True  # the answer on its way may predate what changed
            return
        self._fetch()

    def stop(self) -> None:
        """No more fetches: timers stopped, an answer on its way dropped."""
        self.poll_timer.stop()
        self.debounce_timer.stop()
        self._again = False
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def set_poll_interval(self, ms: int) -> None:
        """How often the read is repeated without a change; a running timer starts its new interval now."""
        self._polls = True
        self.poll_timer.setInterval(ms)
        if self.poll_timer.isActive():
            self.poll_timer.start()

    # ------------------------------------------------------------ internals ----

    def _fetch(self) -> None:
        self._task = self._runner.run(
            self._prepare(),
            on_done=self._done,
            on_error=self._failed,
            retry=True,
            context=self._context,
        )

    def _done(self, result: Any) -> None:
        self._task = None
        if self._again:
            self._again = False
            self._fetch()  # sent before the page sees this answer, so a fetch it asks for waits its turn
        self._on_done(result)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        if self._again:
            self._again = False
            self._fetch()  # a change was noticed meanwhile: one more try, not a loop
        self._on_error(exc)
