"""`no1window-server serve --workers N` as a real process: every worker takes connections, and it stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server import serving
from tests.server import cli_support

# The CLI's fixtures, made this module's own so pytest finds them.
data_dir, initialised = cli_support.data_dir, cli_support.initialised

pytestmark = pytest.mark.skipif(not serving.can_share_port(), reason="workers share the port through SO_REUSEPORT")

DEADLINE_S = 30.0
CONNECTIONS = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serve:
    """The serve command in a subprocess, its log collected in a file."""

    def __init__(self, data: Path, workers: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data.parent / "serve.log"
        command = [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--workers", str(workers)]
        with self.log_path.open("wb") as log:
            # A session of its own, as a terminal gives it: Ctrl-C is SIGINT to the whole process group.
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(), start_new_session=True
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_until(self, condition, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + DEADLINE_S
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"{what} within {DEADLINE_S} s; log:\n{self.log()}")
            time.sleep(0.05)  # polling a log file and a port, with a deadline

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/v1/ping", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def listening(self) -> int:
        return len(re.findall(r"worker \d+ listening", self.log()))

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"worker (\d+) started", self.log())]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DEADLINE_S)


@pytest.fixture
def two_workers(initialised: Path) -> Iterator[Serve]:
    server = Serve(initialised, workers=2)
    try:
        # Connections go only to workers already listening: both must be, or one would take them all.
        server.wait_until(lambda: server.listening() == 2 and server.answers(), "two workers listening")
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A worker that ended but was not yet reaped by its parent is a zombie: gone for our purpose.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_connections_opened_together_are_spread_over_the_workers(two_workers: Serve) -> None:
    clients = [httpx.Client(base_url=two_workers.url, timeout=5) for _ in range(CONNECTIONS)]
    try:
        for client in clients:
            assert client.get("/api/v1/ping").status_code == 200
    finally:
        for client in clients:
            client.close()

    workers = set(two_workers.worker_pids())
    # The app's access line names the process that answered (LOG_FORMAT's [pid]).
    two_workers.wait_until(
        lambda: len(re.findall(r"\[\d+\] no1window\.access: GET /api/v1/ping", two_workers.log())) >= CONNECTIONS,
        "every request logged",
    )
    answered_by = {int(pid) for pid in re.findall(r"\[(\d+)\] no1window\.access: GET /api/v1/ping", two_workers.log())}

    # Sixteen connections on one of two workers by chance: 1 in 32,768.
    assert answered_by == workers


def test_sigterm_stops_every_worker_and_exits_cleanly(two_workers: Serve) -> None:
    workers = two_workers.worker_pids()

    assert two_workers.stop() == 0
    two_workers.wait_until(lambda: not any(_alive(pid) for pid in workers), "every worker gone")


def test_ctrl_c_stops_the_server_without_a_traceback(two_workers: Serve) -> None:
    workers = two_workers.worker_pids()

    os.killpg(two_workers.process.pid, signal.SIGINT)

    assert two_workers.process.wait(timeout=DEADLINE_S) == 0
    two_workers.wait_until(lambda: not any(_alive(pid) for pid in workers), "every worker gone")
    assert "Traceback" not in two_workers.log()
    assert two_workers.log().count("Finished server process") == 2


def test_a_worker_that_dies_right_after_starting_stops_the_server(two_workers: Serve) -> None:
    first, second = two_workers.worker_pids()

    os.kill(first, signal.SIGKILL)

    assert two_workers.process.wait(timeout=DEADLINE_S) == 1
    two_workers.wait_until(lambda: not _alive(second), "the other worker stopped")
    assert "ended right after starting" in two_workers.log()


def test_workers_stop_when_the_server_process_is_killed(two_workers: Serve) -> None:
    workers = two_workers.worker_pids()

    two_workers.process.kill()  # SIGKILL: no chance to stop them itself
    two_workers.process.wait()

    two_workers.wait_until(lambda: not any(_alive(pid) for pid in workers), "every worker gone")
