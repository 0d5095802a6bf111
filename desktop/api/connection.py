"""Whether the server answers, and how long to wait before trying again.

Counter PCs sit on county networks that drop out; the app must keep working
through that: reads are retried with exponential back-off (1, 2, 4, … at
most 30 s), a banner says "无法连接服务器,正在重试…", and the moment anything
gets through again (the feed, a retry, the clerk's "立即重试") every waiting
retry goes at once instead of sitting out its back-off.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

UNREACHABLE_BANNER = "无法连接服务器,正在重试…"


@dataclass(frozen=True)
class BackoffPolicy:
    """Delays between retries: initial, initial*factor, … capped at maximum (seconds)."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 30.0

    def delay(self, attempt: int) -> float:
        """The wait before retry number `attempt` (0 for the first retry)."""
        # Capping the exponent first keeps a long outage from overflowing the float.
        return min(self.maximum, self.initial * self.factor ** min(attempt, 32))


class ConnectionMonitor(QObject):
    """The app's single view of "is the server there?"; lives in the GUI thread.

    Everything that talks to the server reports here: `TaskRunner` after each
    call, `FeedFollower` through its `reachable_changed` signal. The state
    flips only on a change, so the banner is not redrawn on every request.
    """

    reachable_changed = Signal(bool)
    """The server stopped (False) or started again (True) answering."""

    retry_requested = Signal()
    """Waiting retries should go now: the server is back, or the clerk clicked "立即重试"."""

    def __init__(self, backoff: BackoffPolicy | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backoff = backoff or BackoffPolicy()
        self._reachable = True

    @property
    def reachable(self) -> bool:
        """False from the first failed call until the next one that gets an answer."""
        return self._reachable

    @Slot(bool)
    def set_reachable(self, reachable: bool) -> None:
        """Record the outcome of a call: True when the server answered (even with an error)."""
        if reachable == self._reachable:
            return
        self._reachable = reachable
        self.reachable_changed.emit(reachable)
        if reachable:
            self.retry_requested.emit()

    @Slot()
    def report_reachable(self) -> None:
        """The server answered."""
        self.set_reachable(True)

    @Slot()
    def report_unreachable(self) -> None:
        """A call got no answer."""
        self.set_reachable(False)

    @Slot()
    def retry_now(self) -> None:
        """Skip the back-off: try every waiting call again now."""
        self.retry_requested.emit()
