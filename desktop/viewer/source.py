"""Fetching documents (files and thumbnails) from the server in the background, with a memory cache.

A stored document never changes (the server keeps every round, addressed by
its SHA-256), so whatever was fetched once can be shown again without asking:
flipping back and forth between an ID card and an invoice is instant. The
cache is bounded by size, least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import shiboken6
from PySide6.QtCore import QObject

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner

Part = Literal["content", "thumbnail"]
DEFAULT_CACHE_BYTES = 200 * 1024 * 1024


@dataclass
class _Waiter:
    on_done: Callable[[bytes], None]
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int], None] | None
    context: QObject | None

    def alive(self) -> bool:
        return self.context is None or shiboken6.isValid(self.context)


@dataclass
class _Pending:
    waiters: list[_Waiter] = field(default_factory=list)


class DocumentSource(QObject):
    """Bytes of documents by id; one request per document however many views ask at once."""

    def __init__(
        self, api: ApiClient, runner: TaskRunner, *, max_bytes: int = DEFAULT_CACHE_BYTES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._max_bytes = max_bytes
        self._cache: OrderedDict[tuple[int, Part], bytes] = OrderedDict()
        self._cached_bytes = 0
        self._pending: dict[tuple[int, Part], _Pending] = {}

    def cached(self, document_id: int, part: Part) -> bytes | None:
        """The bytes if they are in memory already (no request)."""
        data = self._cache.get((document_id, part))
        if data is not None:
            self._cache.move_to_end((document_id, part))
        return data

    def fetch(
        self,
        document_id: int,
        part: Part,
        on_done: Callable[[bytes], None],
        *,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        context: QObject | None = None,
    ) -> None:
        """Call `on_done(bytes)` in the GUI thread: at once when cached, else after the download.

        Reads are retried while the server is away (the banner says so); a
        refusal (404: no longer in scope) goes to `on_error`. Callbacks are
        dropped when `context` has been deleted meanwhile.
        """
        data = self.cached(document_id, part)
        if data is not None:
            on_done(data)
            return
        key = (document_id, part)
        waiter = _Waiter(on_done, on_error, on_progress, context)
        pending = self._pending.get(key)
        if pending is not None:
            pending.waiters.append(waiter)
            return
        self._pending[key] = _Pending([waiter])
        path = f"/staff/documents/{document_id}/{part}"
        self._runner.run(
            lambda progress: self._api.download(path, progress=progress),
            on_done=lambda data: self._arrived(key, data),
            on_error=lambda exc: self._failed(key, exc),
            on_progress=lambda done, total: self._progressed(key, done, total),
            retry=True,
            context=self,
        )

    def _arrived(self, key: tuple[int, Part], data: bytes) -> None:
        self._store(key, data)
        for waiter in self._pending.pop(key, _Pending()).waiters:
            if waiter.alive():
                waiter.on_done(data)

    def _failed(self, key: tuple[int, Part], exc: BaseException) -> None:
        for waiter in self._pending.pop(key, _Pending()).waiters:
            if waiter.alive() and waiter.on_error is not None:
                waiter.on_error(exc)

    def _progressed(self, key: tuple[int, Part], done: int, total: int) -> None:
        pending = self._pending.get(key)
        for waiter in pending.waiters if pending else ():
            if waiter.alive() and waiter.on_progress is not None:
                waiter.on_progress(done, total)

    def _store(self, key: tuple[int, Part], data: bytes) -> None:
        if len(data) > self._max_bytes:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= len(old)
        self._cache[key] = data
        self._cached_bytes += len(data)
        while self._cached_bytes > self._max_bytes:
            _key, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped)
