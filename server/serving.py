"""Running the HTTP server: one process, or several worker processes sharing the port evenly.

With `--workers N`, uvicorn's own supervisor lets all workers accept from
one shared socket, and the worker that wakes first takes every connection
waiting: when the desktops reconnect together (a restart, the morning's
first minute) they can all land on one worker while the others idle, and
they stay there, since a desktop keeps its connection open. On Linux each
worker here listens on a socket of its own on the same port
(SO_REUSEPORT), and the kernel spreads new connections over them.

Hand-written because uvicorn has no such option (it binds once in the
parent); elsewhere, uvicorn's supervisor is used as it is.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger("no1window.serving")

APP_FACTORY = "server.cli:app_factory"
# How long a stopping worker gets to finish its requests before it is killed.
STOP_GRACE_SECONDS = 30
# A worker that dies this soon after starting is not restarted: it would only die again.
MIN_UPTIME_SECONDS = 10


def default_workers() -> int:
    """One worker process per CPU this process may run on: Python runs one request's code at a time per process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_share_port() -> bool:
    """Whether this system lets each worker listen on the port with a socket of its own."""
    return hasattr(socket, "SO_REUSEPORT")


def serve(*, host: str, port: int, workers: int, log_config: dict[str, Any]) -> int:
    """Serve the app until SIGINT or SIGTERM; returns the exit code."""
    import uvicorn  # only serving needs it; keeps the other commands quick to start

    options: dict[str, Any] = {"factory": True, "access_log": False, "log_config": log_config}
    if workers == 1 or not can_share_port():
        uvicorn.run(APP_FACTORY, host=host, port=port, workers=workers, **options)
        return 0
    # Bound here first, so that a port in use is reported at once; held while the workers run, and
    # never listening, so it takes no connections itself.
    try:
        reservation = port_socket(host, port)
    except OSError as problem:
        log.error("cannot listen on %s:%d: %s", host, port, problem.strerror or problem)
        return 1
    with reservation:
        return _Workers(host, port, workers, options).run()


def port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to the port with SO_REUSEPORT, not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _Workers:
    """Starts the worker processes, restarts one that dies, and stops them all on a signal."""

    def __init__(self, host: str, port: int, count: int, options: dict[str, Any]) -> None:
        self._args = (host, port, options)
        self._count = count
        self._context = multiprocessing.get_context("spawn")
        self._stopping = False
        self._started_at: dict[int | None, float] = {}
        # The parent's ends of each worker's pipe: held open while it runs, closed (by the system, when
        # the parent is killed) to tell the worker to stop.
        self._lifelines: dict[int | None, Connection] = {}

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            processes = [self._start() for _ in range(self._count)]
            code = self._watch(processes)
            self._stop(processes)
            return code
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping the workers (%s)", signal.Signals(signum).name)
        self._stopping = True

    def _start(self) -> BaseProcess:
        from server.serving_worker import run_worker

        mine, theirs = self._context.Pipe()
        process = self._context.Process(target=run_worker, args=(*self._args, theirs), name="no1window-worker")
        process.start()
        theirs.close()
        self._lifelines[process.pid] = mine
        self._started_at[process.pid] = time.monotonic()
        log.info("worker %d started", process.pid)
        return process

    def _watch(self, processes: list[BaseProcess]) -> int:
        while not self._stopping:
            # Woken by a worker's exit; the timeout only lets a signal's flag be seen.
            wait([p.sentinel for p in processes], timeout=0.5)
            for index, process in enumerate(processes):
                if process.is_alive() or self._stopping:
                    continue
                log.warning("worker %d ended with exit code %s", process.pid, process.exitcode)
                self._lifelines.pop(process.pid).close()
                if time.monotonic() - self._started_at.pop(process.pid, 0.0) < MIN_UPTIME_SECONDS:
                    log.error("the worker ended right after starting: stopping the server")
                    return 1
                processes[index] = self._start()
        return 0

    def _stop(self, processes: list[BaseProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in progress
        for process in processes:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                log.warning("worker %d did not stop in %d s: killed", process.pid, STOP_GRACE_SECONDS)
                process.kill()
                process.join()
        for lifeline in self._lifelines.values():
            lifeline.close()
