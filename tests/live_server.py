"""The real server on 127.0.0.1 in a background thread, for tests whose behaviour crosses the network."""

from __future__ import annotations

import socket
import threading

import uvicorn

from server.app import create_app
from server.context import AppContext

STARTUP_DEADLINE_S = 15.0


class _ThreadedServer(uvicorn.Server):
    """uvicorn that says when it is listening (an Event, so nobody polls or sleeps)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


class LiveServer:
    """The real app on 127.0.0.1; stop() and start() again keep the port and the database."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.app = create_app(ctx)
        self.port = 0
        self._server: _ThreadedServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """e.g. http://127.0.0.1:45123"""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (on the same port as before, after a stop) and wait until uvicorn is up."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        server = _ThreadedServer(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
        thread.start()
        if not server.ready.wait(STARTUP_DEADLINE_S) or not server.started:
            server.should_exit = True
            raise RuntimeError("uvicorn did not start")
        self._server, self._thread = server, thread

    def stop(self) -> None:
        """Stop at once, cutting open long polls (as a crash or a restart would)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        server.force_exit = True
        thread.join(STARTUP_DEADLINE_S)
        assert not thread.is_alive(), "uvicorn did not stop"
