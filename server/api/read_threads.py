"""The few threads the staff's busiest reads run in, apart from FastAPI's pool of forty.

Every database call lets go of Python's interpreter lock while SQLite works,
and with forty threads reading at once each let-go hands the lock to another
thread: under sixteen desktops' load a queue page then costs the server half
as much again in thread switching as in its own work. The reads are short
(a few milliseconds), so a worker process runs them one or a few at a time
here, while uploads, logins and writes keep FastAPI's own pool and the event
loop stays free for everything else.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# SQLite reads are CPU work in this process, so one thread at a time wastes nothing; PostgreSQL
# answers over a socket, and a few reads can wait on it at once.
SQLITE_READ_THREADS = 1
POSTGRES_READ_THREADS = 4


def default_read_threads(is_sqlite: bool) -> int:
    """How many threads read at once when the settings do not say."""
    return SQLITE_READ_THREADS if is_sqlite else POSTGRES_READ_THREADS


class ReadThreads:
    """A small pool of threads for blocking reads, usable from any event loop."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("at least one read thread")
        self.count = count
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="staff-read")

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` in one of the threads, awaited without blocking the event loop."""
        # Copied like anyio does, so context variables set for the request stay visible in the work.
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._executor, context.run, work)

    def close(self) -> None:
        """Let the threads end once their current work is done."""
        self._executor.shutdown(wait=False)
