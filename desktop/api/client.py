"""The staff API over HTTP: a synchronous client that only ever runs in worker threads.

Why synchronous: every call goes through `TaskRunner` (a thread pool), so a
plain blocking client is the simplest thing that keeps the GUI thread free;
httpx's `Client` is safe to share between those threads.

Every failure becomes one of the typed errors of `desktop.api.errors`
(re-exported here), whose `message` is Chinese and fit to show the clerk.
"""

from __future__ import annotations

import mimetypes
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from common.schemas.auth import StaffSessionOut, StaffUserOut
from desktop.api.abort import Aborted, RequestAbort
from desktop.api.errors import (
    TIMEOUT_MESSAGE,
    ApiError,
    FieldProblem,
    NotFound,
    Refused,
    ServerFailed,
    ServerUnreachable,
    SessionExpired,
    StaleVersion,
    error_for,
)

__all__ = [
    "Aborted",
    "ApiClient",
    "ApiError",
    "FieldProblem",
    "NotFound",
    "ProgressCallback",
    "Refused",
    "RequestAbort",
    "ServerFailed",
    "ServerUnreachable",
    "SessionExpired",
    "StaleVersion",
    "new_idempotency_key",
    "normalize_server_url",
]

API_PREFIX = "/api/v1"
USER_AGENT = "no1window-desk/0.1"
UPLOAD_CHUNK = 64 * 1024
DOWNLOAD_CHUNK = 64 * 1024
# The server's Date header has 1 s resolution: smaller differences are rounding, not a wrong PC clock.
CLOCK_SKEW_TOLERANCE = timedelta(seconds=2)

ProgressCallback = Callable[[int, int], None]
"""Called as progress(done_bytes, total_bytes) from the worker thread; total 0 when unknown."""

# A host name (IDNs arrive as punycode), an IPv4 or an IPv6 address.
_HOST = re.compile(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+")


def new_idempotency_key() -> str:
    """A fresh key for one user action; send the same key on every retry of that action."""
    return uuid.uuid4().hex


class ApiClient:
    """The staff API. Blocking: call it from worker threads only (see `TaskRunner`).

    Paths are relative to `/api/v1`, e.g. `client.get_json("/staff/cases", {"page": 1})`.
    The bearer token from `login` is sent with every request.
    """

    def __init__(self, base_url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self._timeout = timeout
        self._transport = transport
        self._lock = threading.Lock()
        self._token: str | None = None
        self._clock_offset = timedelta(0)
        self._base_url = normalize_server_url(base_url)
        self._http = self._make_http(keep_alive=True)
        self._long_poll_http: httpx.Client | None = None

    # ------------------------------------------------------------ state ----

    @property
    def base_url(self) -> str:
        """The server's address, e.g. "https://no1window.example.cn"."""
        return self._base_url

    def set_base_url(self, base_url: str) -> None:
        """Point the client at another server (from the login dialog); forgets the token."""
        url = normalize_server_url(base_url)
        with self._lock:
            if url == self._base_url:
                return
            old = [self._http, self._long_poll_http]
            self._base_url = url
            self._token = None
            self._http = self._make_http(keep_alive=True)
            self._long_poll_http = None
        for http in old:
            if http is not None:
                http.close()

    @property
    def token(self) -> str | None:
        """The bearer token of the logged-in user, None before login."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value

    def server_now(self) -> datetime:
        """The server's idea of now, from the Date header of its last answer; counts down deadlines.

        A counter PC's clock is often minutes off; the deadlines come from the
        server's clock, so the countdown must run on it too.
        """
        return datetime.now(UTC) + self._clock_offset

    def close(self) -> None:
        """Close the connections."""
        with self._lock:
            clients = [self._http, self._long_poll_http]
            self._long_poll_http = None
        for http in clients:
            if http is not None:
                http.close()

    # ------------------------------------------------------------ session ----

    def login(self, username: str, password: str) -> StaffSessionOut:
        """Log in and keep the token. Wrong credentials are `Refused` (401) or locked (423), with the server's message."""
        data = self._request_json(
            "POST", "/staff/sessions", json={"username": username, "password": password}, login=True
        )
        session = StaffSessionOut.model_validate(data)
        self._token = session.token
        return session

    def logout(self, token: str | None = None) -> None:
        """End a session on the server, best effort: `token`, or the current one, which is forgotten at once.

        Passing the token lets the GUI forget it first and revoke it in the
        background without racing a new login's token.
        """
        token = token or self._token
        if self._token == token:
            self._token = None
        if not token:
            return
        try:
            self._request("DELETE", "/staff/sessions/current", headers={"Authorization": f"Bearer {token}"})
        except ApiError:
            pass  # expired already, or the server is away: the token is forgotten here either way

    def me(self) -> StaffUserOut:
        """The logged-in user."""
        return StaffUserOut.model_validate(self.get_json("/staff/me"))

    # ------------------------------------------------------------ calls ----

    def get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        abort: RequestAbort | None = None,
    ) -> Any:
        """GET `path` and return the decoded JSON. With `abort`, another thread may cut the call short."""
        return self._request_json("GET", path, params=params, timeout=timeout, abort=abort)

    def post_json(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        """POST a JSON body; pass one `new_idempotency_key()` per user action and reuse it on retries."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._request_json("POST", path, json=body if body is not None else {}, headers=headers)

    def put_json(self, path: str, body: Any) -> Any:
        """PUT a JSON body: replace a setting with the given value (repeating it is harmless)."""
        return self._request_json("PUT", path, json=body)

    def patch_json(self, path: str, body: Any) -> Any:
        """PATCH a JSON body: set the given fields of a setting, leave the others (repeating it is harmless)."""
        return self._request_json("PATCH", path, json=body)

    def upload(
        self,
        path: str,
        fields: Mapping[str, str],
        content: bytes,
        filename: str,
        *,
        content_type: str | None = None,
        progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """POST a multipart form (`fields` plus the file as "file"), reporting progress(sent, total)."""
        boundary = uuid.uuid4().hex
        kind = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        head, tail = _multipart_frame(boundary, fields, filename, kind)
        total = len(head) + len(content) + len(tail)

        def body() -> Iterator[bytes]:
            sent = 0
            for piece in _pieces(head, content, tail):
                yield piece
                sent += len(piece)
                if progress is not None:
                    progress(sent, total)

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(total)}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._request_json("POST", path, content=body(), headers=headers)

    def download(
        self, path: str, *, params: Mapping[str, Any] | None = None, progress: ProgressCallback | None = None
    ) -> bytes:
        """GET raw bytes (a document), reporting progress(received, total)."""
        try:
            with self._http.stream("GET", self._url(path), params=params, headers=self._headers()) as response:
                self._note_server_time(response)
                if response.status_code >= 400:
                    response.read()
                    raise error_for(response, login=False)
                total = int(response.headers.get("Content-Length") or 0)
                chunks: list[bytes] = []
                received = 0
                for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                    chunks.append(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(received, total)
                return b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise ServerUnreachable(TIMEOUT_MESSAGE) from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise ServerUnreachable() from exc

    # ------------------------------------------------------------ internals ----

    def _make_http(self, *, keep_alive: bool) -> httpx.Client:
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10 if keep_alive else 0)
        return httpx.Client(
            base_url=self._base_url + API_PREFIX,
            timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 5.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=limits,
            transport=self._transport,
            # A proxy from the PC's environment would be a surprise on a counter PC; the server address is explicit.
            trust_env=False,
        )

    def _long_poll_client(self) -> httpx.Client:
        with self._lock:
            if self._long_poll_http is None:
                self._long_poll_http = self._make_http(keep_alive=False)
            return self._long_poll_http

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else "/" + path

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        token = self._token
        if token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        abort: RequestAbort | None = None,
        login: bool = False,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        http = self._long_poll_client() if abort is not None else self._http
        extensions = {"trace": abort.trace} if abort is not None else None
        try:
            response = http.request(
                method,
                self._url(path),
                headers=self._headers(headers),
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                extensions=extensions,
                **kwargs,
            )
        except Aborted:
            raise
        except (httpx.TransportError, httpx.StreamError) as exc:
            if abort is not None and abort.aborted:
                raise Aborted() from exc
            if isinstance(exc, httpx.TimeoutException):
                raise ServerUnreachable(TIMEOUT_MESSAGE) from exc
            raise ServerUnreachable() from exc
        self._note_server_time(response)
        if response.status_code >= 400:
            raise error_for(response, login=login)
        return response

    def _request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ServerFailed(response.status_code, "bad_response", "服务器返回的内容无法识别") from exc

    def _note_server_time(self, response: httpx.Response) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        offset = server - datetime.now(UTC)
        self._clock_offset = offset if abs(offset) > CLOCK_SKEW_TOLERANCE else timedelta(0)


def normalize_server_url(text: str) -> str:
    """ "10.0.0.5:8000" → "http://10.0.0.5:8000"; trailing slashes and an /api/v1 suffix dropped."""
    url = text.strip()
    if not url:
        raise ValueError("请填写服务器地址")
    if "://" not in url:
        url = "http://" + url
    url = url.rstrip("/")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    problem = "服务器地址格式不正确,例如 https://no1window.example.cn"
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except httpx.InvalidURL as exc:
        raise ValueError(problem) from exc
    host = parsed.host
    if (
        parsed.scheme not in ("http", "https")
        or not _HOST.fullmatch(host)
        or (port is not None and not 0 < port < 65536)
    ):
        raise ValueError(problem)
    return url


def _multipart_frame(boundary: str, fields: Mapping[str, str], filename: str, content_type: str) -> tuple[bytes, bytes]:
    """The bytes before and after the file in a multipart/form-data body."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quote(filename)}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return "".join(parts).encode("utf-8"), f"\r\n--{boundary}--\r\n".encode("ascii")


def _quote(value: str) -> str:
    # The HTML5 form encoding: quotes and line breaks percent-encoded, everything else (Chinese too) as UTF-8.
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _pieces(head: bytes, content: bytes, tail: bytes) -> Iterator[bytes]:
    yield head
    view = memoryview(content)
    for start in range(0, len(content), UPLOAD_CHUNK):
        yield bytes(view[start : start + UPLOAD_CHUNK])
    yield tail
