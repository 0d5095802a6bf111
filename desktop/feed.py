"""Following the server's change feed: how the desktop hears of new and changed cases.

One worker thread loops on the long poll `GET /staff/events?after=<last
seq>&wait=25`: the server holds the request until an event in the clerk's
scope arrives (or 25 s pass), so a new case shows up within a second without
reloading the queue. The cursor (`last_seq`) only moves forward once a batch
has been handed over, so no event is lost or seen twice.

On quit, `stop()` returns at once even mid-poll: the poll's socket is shut
down through `RequestAbort`, which wakes the blocked read.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, Signal

from common.schemas.cases import EventOut
from desktop.api.client import Aborted, ApiClient, ApiError, RequestAbort, ServerUnreachable, SessionExpired
from desktop.api.connection import BackoffPolicy
from desktop.redacted import described

log = logging.getLogger(__name__)

FEED_PATH = "/staff/events"
DEFAULT_WAIT_SECONDS = 25.0
# The long poll answers after at most `wait` seconds; beyond that margin the connection is dead.
READ_MARGIN_SECONDS = 15.0


def fetch_feed_head(client: ApiClient) -> int:
    """The newest event's sequence number: where a follower starts after the queue is loaded.

    Read *before* loading the queue, so events that happen while it loads
    are replayed by the feed instead of being missed.
    """
    return int(client.get_json(FEED_PATH)["last_seq"])


class FeedFollower(QThread):
    """A thread following the feed from `after`; signals arrive in the GUI thread.

    Create one per login session; after `session_expired` or `stop()` the
    thread ends, and a new follower continues from `last_seq`.
    """

    events_arrived = Signal(list)
    """A batch of `EventOut`, oldest first, all in the clerk's scope."""

    reachable_changed = Signal(bool)
    """The feed lost (False) or regained (True) the server; connect to `ConnectionMonitor.set_reachable`."""

    session_expired = Signal()
    """The token stopped working; the thread has ended."""

    poll_started = Signal()
    """A long poll is being sent (the feed is live)."""

    cursor_reset = Signal(int)
    """The server's feed is behind our cursor (a restored database): reload the queue; carries the new cursor."""

    def __init__(
        self,
        client: ApiClient,
        *,
        after: int,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        backoff: BackoffPolicy | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._cursor = after
        self._wait_seconds = wait_seconds
        self._backoff = backoff or BackoffPolicy()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._abort_lock = threading.Lock()
        self._abort: RequestAbort | None = None
        self._reachable: bool | None = None

    @property
    def last_seq(self) -> int:
        """The cursor: every event up to this sequence number has been delivered."""
        return self._cursor

    def wake(self) -> None:
        """Cut a back-off wait short (the clerk clicked "立即重试" or the server came back)."""
        self._wake.set()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the thread to end, interrupting a poll in progress; True once it has ended."""
        self._stopping.set()
        self._wake.set()
        with self._abort_lock:
            abort = self._abort
        if abort is not None:
            abort.abort()
        return self.wait(timeout_ms) if self.isRunning() else True

    # ------------------------------------------------------------ thread ----

    def run(self) -> None:
        """The loop; runs in the follower's own thread."""
        failures = 0
        while not self._stopping.is_set():
            try:
                events, last_seq = self._poll()
            except Aborted:
                break
            except SessionExpired:
                self.session_expired.emit()
                break
            except ServerUnreachable:
                self._set_reachable(False)
                failures += 1
                self._pause(self._backoff.delay(failures - 1))
                continue
            except (ApiError, ValueError, LookupError, TypeError) as exc:
                # The server answered but not as expected (a 500, a bad body): keep trying, more slowly.
                # A bad body's error quotes what it could not read (a phone, maybe): the log gets its type.
                log.warning("feed: %s", exc.message if isinstance(exc, ApiError) else described(exc))
                self._set_reachable(True)
                failures += 1
                self._pause(self._backoff.delay(failures - 1))
                continue
            failures = 0
            self._set_reachable(True)
            if self._stopping.is_set():
                break
            if last_seq < self._cursor:
                self._cursor = last_seq
                self.cursor_reset.emit(last_seq)
                continue
            self._cursor = last_seq
            if events:
                self.events_arrived.emit(events)

    def _poll(self) -> tuple[list[EventOut], int]:
        abort = RequestAbort()
        with self._abort_lock:
            self._abort = abort
        if self._stopping.is_set():
            raise Aborted()
        self.poll_started.emit()
        # Until the server has answered (at start, after an outage) ask without waiting,
        # so "the server is back" is known at once rather than after a 25 s poll.
        wait = self._wait_seconds if self._reachable else 0.0
        try:
            data = self._client.get_json(
                FEED_PATH,
                {"after": self._cursor, "wait": wait},
                timeout=wait + READ_MARGIN_SECONDS,
                abort=abort,
            )
        finally:
            with self._abort_lock:
                self._abort = None
        events = [EventOut.model_validate(e) for e in data["events"]]
        return events, int(data["last_seq"])

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self._reachable:
            self._reachable = reachable
            self.reachable_changed.emit(reachable)
