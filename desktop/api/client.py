"""The staff API over HTTP: a synchronous client that only ever runs in worker threads.

Why synchronous: every call goes through `TaskRunner` (a thread pool), so a
plain blocking client is the simplest thing that keeps the GUI thread free;
httpx's `Client` is safe to share between those threads.

Every failure becomes one of a few typed errors whose `message` is Chinese
and fit to show the clerk as it is:

* `ServerUnreachable`: no answer (connection refused, timeout, gateway down);
  safe to retry for reads and for actions sent with an idempotency key.
* `SessionExpired`: 401; the app asks for the password again.
* `StaleVersion`: 409 `stale_version`; someone (maybe this very clerk, on a
  retry) changed the case first: refresh it, do not show an error wall.
* `Refused`: any other 4xx, with the server's message (`NotFound` for 404,
  `errors` holds the per-field problems of a 422).
* `ServerFailed`: 5xx; the server broke, retrying may or may not help.
"""

from __future__ import annotations

import mimetypes
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from common.schemas.auth import StaffSessionOut, StaffUserOut

API_PREFIX = "/api/v1"
USER_AGENT = "no1window-desk/0.1"
UPLOAD_CHUNK = 64 * 1024
DOWNLOAD_CHUNK = 64 * 1024
# The server's Date header has 1 s resolution: smaller differences are rounding, not a wrong PC clock.
CLOCK_SKEW_TOLERANCE = timedelta(seconds=2)

ProgressCallback = Callable[[int, int], None]
"""Called as progress(done_bytes, total_bytes) from the worker thread; total 0 when unknown."""

_FALLBACK_MESSAGES = {
    401: "登录已过期,请重新登录",
    403: "您没有权限执行此操作",
    404: "未找到该记录,可能已改派或您无权查看",
    409: "该申请已被他人更新,请刷新后再试",
    413: "文件太大,请压缩后再上传",
    415: "不支持的文件类型",
    422: "填写内容不正确",
    423: "账号已锁定,请稍后再试",
    429: "操作太频繁,请稍后再试",
}
_UNREACHABLE_MESSAGE = "无法连接服务器,请检查网络"
_TIMEOUT_MESSAGE = "服务器响应超时,请检查网络"
_SERVER_FAILED_MESSAGE = "服务器出错,请稍后再试"
# A proxy in front of the server answers these when the server itself is down or restarting.
_GATEWAY_STATUSES = frozenset({502, 503, 504})
# A host name (IDNs arrive as punycode), an IPv4 or an IPv6 address.
_HOST = re.compile(r"[A-Za-z0-9.\-]+|[0-9A-Fa-f:.]+")


@dataclass(frozen=True)
class FieldProblem:
    """One field the server refused in a 422, e.g. field="owner.phone", message="手机号码格式不正确"."""

    field: str
    message: str


class ApiError(Exception):
    """Any failed call. `status` is the HTTP status (0 when there was no answer)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: tuple[FieldProblem, ...] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class ServerUnreachable(ApiError):
    """No usable answer: connection refused or reset, timeout, or a gateway saying the server is down."""

    def __init__(self, message: str = _UNREACHABLE_MESSAGE, *, status: int = 0) -> None:
        super().__init__(status, "unreachable", message)


class SessionExpired(ApiError):
    """401: the token expired or was revoked; log in again."""


class StaleVersion(ApiError):
    """409 stale_version: the case changed since it was read (also what a repeated action looks like)."""


class Refused(ApiError):
    """Any other 4xx: the server said no, with a message for the clerk."""


class NotFound(Refused):
    """404: gone, or no longer in this clerk's scope (reassigned)."""


class ServerFailed(ApiError):
    """5xx other than a gateway error: a bug or outage on the server."""


class Aborted(Exception):
    """The request was cut short on purpose with `RequestAbort.abort()` (the app is quitting)."""


def new_idempotency_key() -> str:
    """A fresh key for one user action; send the same key on every retry of that action."""
    return uuid.uuid4().hex


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
        data = self._request_json("POST", "/staff/sessions", json={"username": username, "password": password}, login=True)
        session = StaffSessionOut.model_validate(data)
        self._token = session.token
        return session

    def logout(self) -> None:
        """End the session on the server (best effort) and forget the token in any case."""
        try:
            if self._token:
                self._request("DELETE", "/staff/sessions/current")
        except ApiError:
            pass  # the token is dropped below anyway; an expired one is logged out already
        finally:
            self._token = None

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
                    raise _error_for(response, login=False)
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
            raise ServerUnreachable(_TIMEOUT_MESSAGE) from exc
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
        if token:
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
                raise ServerUnreachable(_TIMEOUT_MESSAGE) from exc
            raise ServerUnreachable() from exc
        self._note_server_time(response)
        if response.status_code >= 400:
            raise _error_for(response, login=login)
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
    """"10.0.0.5:8000" → "http://10.0.0.5:8000"; trailing slashes and an /api/v1 suffix dropped."""
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
    if parsed.scheme not in ("http", "https") or not _HOST.fullmatch(host) or (port is not None and not 0 < port < 65536):
        raise ValueError(problem)
    return url


def _error_for(response: httpx.Response, *, login: bool) -> ApiError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or "")
    detail = body.get("detail")
    message = detail if isinstance(detail, str) and detail else _FALLBACK_MESSAGES.get(status, _SERVER_FAILED_MESSAGE)
    errors = tuple(
        FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors") or ()
        if isinstance(e, dict)
    )
    retry_after = _retry_after(response)
    if status in _GATEWAY_STATUSES:
        return ServerUnreachable(_UNREACHABLE_MESSAGE, status=status)
    if status >= 500:
        return ServerFailed(status, code or "server_error", message)
    if status == 401 and not login:
        return SessionExpired(status, code or "not_authenticated", message)
    if status == 409 and code == "stale_version":
        return StaleVersion(status, code, message)
    if status == 404:
        return NotFound(status, code or "not_found", message)
    return Refused(status, code or "refused", message, errors=errors, retry_after=retry_after)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


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
