"""What the desktop says when something fails: a failed call's Chinese text, and the line a page says things on.

`error_text` turns a failure into the text to show: the server's message,
or a plain apology. Every place in the desktop that shows a failure to a
user (the queue's status bar, the case window, the action dialogs, the
intake form, the login dialog, the coordinator's pages) goes through it.
`MessageLine` is the line under a page's controls that shows it (red), what
was done (green) or a plain note.

An `ApiError` already carries a message written for the user (the server's
refusal, "无法连接服务器…", "服务器出错…"), so it is shown as it is. Anything
else is a bug on this side (an answer that did not parse, a programming
error): its Python text means nothing to a clerk or a coordinator, so the
screen says `UNEXPECTED_MESSAGE` and the error goes to the log for whoever
fixes it.

The log gets the exception's type and traceback, not its message
(`desktop.redacted`): a validation error's message quotes the values it
refused, and those may be phone numbers or ID numbers, which are never
logged.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.api.errors import ApiError
from desktop.redacted import described

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "发生意外错误,请稍后再试"
ERROR_STYLE = "color: #c62828;"
DONE_STYLE = "color: #2e7d32;"
NOTE_STYLE = ""


def error_text(exc: BaseException) -> str:
    """The Chinese text to show for a failed call; an unexpected error is logged (type and traceback only)."""
    if isinstance(exc, ApiError):
        return exc.message
    log.error("unexpected error, shown to the user as a plain apology: %s", described(exc))
    return UNEXPECTED_MESSAGE


class MessageLine(QLabel):
    """A page's message line: an error in red, a success in green, a note in the usual colour.

    Word-wrapped and selectable (a coordinator may copy a refusal into a
    report). Empty, it is hidden, unless `keep_space` (a line beside buttons
    that should not jump when it empties).
    """

    def __init__(self, parent: QWidget, *, keep_space: bool = False) -> None:
        super().__init__(parent)
        self._keep_space = keep_space
        self._style = NOTE_STYLE
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_message()

    @property
    def is_error(self) -> bool:
        """An error is shown now."""
        return bool(self.text()) and self._style == ERROR_STYLE

    def show_error(self, text: str) -> None:
        """Why something was not done (red)."""
        self._say(text, ERROR_STYLE)

    def show_done(self, text: str) -> None:
        """What was done (green)."""
        self._say(text, DONE_STYLE)

    def show_note(self, text: str) -> None:
        """A plain note: work in progress, edits not yet saved."""
        self._say(text, NOTE_STYLE)

    def clear_message(self) -> None:
        """Say nothing."""
        self._say("", NOTE_STYLE)

    def _say(self, text: str, style: str) -> None:
        self._style = style
        self.setStyleSheet(style)
        self.setText(text)
        self.setVisible(bool(text) or self._keep_space)
