"""The open case windows of a session: one per case, refreshed when the feed reports a change.

The main window connects `case_open_requested` to `open_case` and
`case_updated` to `case_changed`; `case_acted` carries what an action
returned back to the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.case.window import CaseWindow
from desktop.viewer.source import DocumentSource


class CaseWindows(QObject):
    """Opens, finds and refreshes case windows; `role` says which action buttons the user gets."""

    case_acted = Signal(object)

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        role: Callable[[], str | None],
        window_parent: QWidget | None = None,
        source: DocumentSource | None = None,
        now: Callable[[], datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.source = source or DocumentSource(api, runner, parent=self)
        self._role = role
        self._window_parent = window_parent
        self._now = now
        self.windows: dict[int, CaseWindow] = {}

    def open_case(self, case_id: int) -> CaseWindow:
        """Show the case's window, bringing an open one to the front rather than opening it twice."""
        window = self.windows.get(case_id)
        if window is None:
            window = CaseWindow(
                case_id,
                self.api,
                self.runner,
                self.source,
                role=self._role(),
                now=self._now,
                parent=self._window_parent,
            )
            window.case_acted.connect(self.case_acted)
            window.destroyed.connect(lambda _obj=None, cid=case_id: self.windows.pop(cid, None))
            self.windows[case_id] = window
            window.reload()
            window.show()  # a new window comes up in front by itself
            return window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def case_changed(self, case_id: int) -> None:
        """The feed says the case changed (someone else, or this clerk elsewhere): re-read it if it is open."""
        window = self.windows.get(case_id)
        if window is not None:
            window.reload()

    def close_all(self) -> None:
        """Close every case window (another user logged in on this PC)."""
        for window in list(self.windows.values()):
            window.close()
        self.windows.clear()
