"""The errors of the staff API, as the desktop sees them; every `message` is Chinese, fit to show as it is.

* `ServerUnreachable`: no answer (connection refused, timeout, gateway down);
  safe to retry for reads and for actions sent with an idempotency key.
* `SessionExpired`: 401; the app asks for the password again.
* `StaleVersion`: 409 `stale_version`; someone (maybe this very clerk, on a
  retry) changed the case first: refresh it, do not show an error wall.
* `Refused`: any other 4xx, with the server's message (`NotFound` for 404;
  `errors` holds the per-field problems of a 422).
* `ServerFailed`: 5xx; the server broke, retrying may or may not help.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

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
UNREACHABLE_MESSAGE = "无法连接服务器,请检查网络"
TIMEOUT_MESSAGE = "服务器响应超时,请检查网络"
SERVER_FAILED_MESSAGE = "服务器出错,请稍后再试"
# A proxy in front of the server answers these when the server itself is down or restarting.
_GATEWAY_STATUSES = frozenset({502, 503, 504})


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

    def __init__(self, message: str = UNREACHABLE_MESSAGE, *, status: int = 0) -> None:
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


def error_for(response: httpx.Response, *, login: bool) -> ApiError:
    """The typed error for a 4xx/5xx answer; on the login call a 401 means wrong credentials, not expiry."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or "")
    detail = body.get("detail")
    message = detail if isinstance(detail, str) and detail else _FALLBACK_MESSAGES.get(status, SERVER_FAILED_MESSAGE)
    errors = tuple(
        FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors") or ()
        if isinstance(e, dict)
    )
    retry_after = _retry_after(response)
    if status in _GATEWAY_STATUSES:
        return ServerUnreachable(UNREACHABLE_MESSAGE, status=status)
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
