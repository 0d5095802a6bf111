"""Domain errors. Services raise these; the HTTP layer turns each into its status code.

Every message is Chinese and safe to show to the user as it is.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of all errors a service raises on purpose."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class BadInput(DomainError):
    status_code = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """Also what another member's or county's case looks like: invisible, not forbidden."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after": retry_after} if retry_after else None)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class UnsupportedMedia(DomainError):
    status_code = 415
    code = "unsupported_type"


CASE_NOT_FOUND = "未找到该申请,或您无权查看"
