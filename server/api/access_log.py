"""One access-log line per HTTP request: method, path (never the query string), status, duration."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("no1window.access")


class AccessLog:
    """Plain ASGI middleware rather than `@app.middleware("http")`.

    Starlette's function middleware (BaseHTTPMiddleware) wraps every response
    in a stream and a task group; on the busiest endpoints that cost more than
    the line it writes. Here the status is read from the response's start
    message as it passes, and the line is written when the body is complete.
    The query string is left out on purpose: a search may hold personal data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            access_log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
