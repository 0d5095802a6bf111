"""An exception as the log may say it: its type and where it was raised, never its message.

A validation error's message quotes the values it refused, and a failed
request's may quote what was sent; those may be phone numbers or ID
numbers, which are never logged. The type and the traceback are enough to
find the bug.
"""

from __future__ import annotations

import traceback

MAX_CHAIN = 5


def described(exc: BaseException) -> str:
    """The exception's type and traceback, then those of its causes (at most `MAX_CHAIN`); no message text."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < MAX_CHAIN:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}\n{frames}")
        current = current.__cause__ or current.__context__
    return "\ncaused by ".join(parts)
