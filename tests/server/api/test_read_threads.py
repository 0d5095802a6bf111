"""The staff's reads run in a few threads of their own, never more at once than configured."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient

from server.api.read_threads import ReadThreads, default_read_threads
from server.app import build_context, create_app
from server.context import AppContext
from server.settings import Settings
from tests.server.queue.builders import make_case, staff


class HeldWork:
    """Work that records how many copies run at the same moment and holds until opened."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open = False
        self.running = 0
        self.most = 0

    def work(self) -> str:
        with self._changed:
            self.running += 1
            self.most = max(self.most, self.running)
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._open, timeout=10)
            self.running -= 1
        return threading.current_thread().name

    def wait_running(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.running >= count, timeout=timeout)

    def open(self) -> None:
        with self._changed:
            self._open = True
            self._changed.notify_all()


@pytest.mark.parametrize("limit", [1, 3])
def test_no_more_reads_run_at_once_than_there_are_threads(limit: int) -> None:
    threads, held = ReadThreads(limit), HeldWork()
    names: list[str] = []

    async def six_reads() -> None:
        names.extend(await asyncio.gather(*(threads.run(held.work) for _ in range(6))))

    caller = threading.Thread(target=asyncio.run, args=(six_reads(),))
    caller.start()
    try:
        assert held.wait_running(limit, timeout=10)
        # That no more start can only be seen by watching a moment: short and bounded.
        assert not held.wait_running(limit + 1, timeout=0.2)
    finally:
        held.open()
        caller.join(timeout=10)
        threads.close()

    assert held.most == limit
    assert len(names) == 6
    assert all(name.startswith("staff-read") for name in names)


def test_sqlite_reads_one_at_a_time_and_postgres_a_few_unless_set() -> None:
    assert default_read_threads(is_sqlite=True) == 1
    assert default_read_threads(is_sqlite=False) > 1
    with pytest.raises(ValueError):
        ReadThreads(0)


def test_the_setting_sizes_the_apps_read_threads(ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(update={"read_threads": 3})
    app = create_app(build_context(settings, database=ctx.db, clock=ctx.clock))

    assert app.state.read_threads.count == 3
    assert create_app(ctx).state.read_threads.count == default_read_threads(ctx.db.is_sqlite)


def test_the_queue_is_read_in_a_read_thread(ctx: AppContext, client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_case(ctx)
    _, headers = staff(ctx, "clerk", member="picc", county="320902")
    seen: list[str] = []
    original = ReadThreads.run

    async def noting(self: ReadThreads, work):  # type: ignore[no-untyped-def]
        def noted():  # type: ignore[no-untyped-def]
            seen.append(threading.current_thread().name)
            return work()

        return await original(self, noted)

    monkeypatch.setattr(ReadThreads, "run", noting)
    response = client.get("/api/v1/staff/cases", headers=headers)

    assert response.status_code == 200
    assert len(response.json()["items"]) == 1
    assert [name.split("_")[0] for name in seen] == ["staff-read"]


def test_a_settings_value_outside_the_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, read_threads=0)  # type: ignore[call-arg]
