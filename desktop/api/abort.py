"""Cutting a blocking request short from another thread (the feed's long poll, when the app quits)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any


class Aborted(Exception):  # noqa: N818 - it is what happened, not an error
    """The request was cut short on purpose with `RequestAbort.abort()` (the app is quitting)."""


class RequestAbort:
    """Lets another thread cut a blocking request short, e.g. the feed's 25 s long poll on quit.

    httpx has no cancel, and closing a socket does not wake a thread blocked
    reading it on Linux; shutting it down does. The socket is learnt from
    httpx's documented `trace` request extension, which reports each new
    connection, so requests using this must not reuse pooled connections
    (`ApiClient` sends them over a client without keep-alive).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._aborted = False

    @property
    def aborted(self) -> bool:
        """Whether `abort()` was called."""
        return self._aborted

    def abort(self) -> None:
        """Make the request in progress (or the next one using this handle) fail at once."""
        with self._lock:
            self._aborted = True
            streams, self._streams = self._streams, []
        for stream in streams:
            _shut_down(stream)

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx/httpcore trace hook: remember each connection the request opens."""
        if event.endswith(".started") and self._aborted:
            raise Aborted()
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            with self._lock:
                late = self._aborted
                if not late:
                    self._streams.append(stream)
            if late:
                _shut_down(stream)


def _shut_down(stream: Any) -> None:
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to wake
