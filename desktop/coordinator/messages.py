"""What the coordinator's pages say when a call fails: the server's Chinese message, or a plain apology.

An `ApiError` already carries a message written for the user (the server's
refusal, "无法连接服务器…", "服务器出错…"), so it is shown as it is. Anything
else is a bug on this side (an answer that did not parse, a programming
error): its Python text means nothing to a coordinator, so the page says
`UNEXPECTED_MESSAGE` and the error goes to the log for whoever fixes it.

The log gets the exception's type and traceback, not its message: a
validation error's message quotes the values it refused, and those may be
phone numbers or ID numbers, which are never logged.
"""

from __future__ import annotations

import logging
import traceback

from desktop.api.errors import ApiError

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "发生意外错误,请稍后再试"


def error_text(exc: BaseException) -> str:
    """The Chinese text to show for a failed call; an unexpected error is logged (type and traceback only)."""
    if isinstance(exc, ApiError):
        return exc.message
    log.error("unexpected error on a coordinator page: %s", _described(exc))
    return UNEXPECTED_MESSAGE


def _described(exc: BaseException) -> str:
    """The exception's type and where it was raised, with the types of its causes; no message text."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 5:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}\n{frames}")
        current = current.__cause__ or current.__context__
    return "\ncaused by ".join(parts)
