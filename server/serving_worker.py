"""One worker process of `serve --workers N` (see `server.serving`): its own socket on the port, and uvicorn on it."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from multiprocessing.connection import Connection
from typing import Any

import uvicorn

from server.serving import APP_FACTORY, port_socket

log = logging.getLogger("no1window.serving")


class ListeningServer(uvicorn.Server):
    """uvicorn, saying when this worker's socket has joined the port (it gets connections from then on)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            log.info("worker %d listening", os.getpid())


def run_worker(host: str, port: int, options: dict[str, Any], parent: Connection) -> None:
    """Serve the app on a socket of this worker's own until told to stop or the parent ends."""
    # Out of the terminal's process group: Ctrl-C reaches the parent alone, which stops the workers
    # once (a worker given both SIGINT and the parent's SIGTERM would force-quit mid-shutdown).
    os.setpgrp()
    threading.Thread(target=_stop_with_parent, args=(parent,), name="parent-watch", daemon=True).start()
    config = uvicorn.Config(APP_FACTORY, host=host, port=port, **options)
    ListeningServer(config).run(sockets=[port_socket(host, port)])


def _stop_with_parent(parent: Connection) -> None:
    """Blocks until the parent's end of the pipe closes (it ended, even killed), then stops this worker."""
    try:
        parent.recv()
    except (EOFError, OSError):
        pass
    # uvicorn stops on SIGTERM as on any other: requests in progress are finished first.
    os.kill(os.getpid(), signal.SIGTERM)
