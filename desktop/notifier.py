"""Telling the clerk a new case has arrived: a tray message and a beep, which the clerk can turn off.

The counter is busy; a clerk serving a walk-in customer does not watch the
queue. The message names the case number, category and county, never the
owner: tray messages show on screen to whoever stands at the counter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from common.schemas.cases import CaseSummary
from desktop.preferences import Preferences

TRAY_MESSAGE_MS = 8000


class NewCaseNotifier(QObject):
    """Tray message (when the desktop has a tray) plus a sound, both behind one switch in the preferences."""

    notified = Signal(int)
    """A case was announced (its id), whether or not a tray exists."""

    def __init__(
        self,
        prefs: Preferences,
        *,
        window: QWidget | None = None,
        icon: QIcon | None = None,
        beep: Callable[[], None] = QApplication.beep,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self._window = window
        self._beep = beep
        self._tray: QSystemTrayIcon | None = None
        # Offscreen test runs and some Linux desktops have no tray: the sound still works there.
        if icon is not None and not icon.isNull() and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("盐城保险业“1号窗口”")
            self._tray.show()

    @property
    def enabled(self) -> bool:
        """Whether new cases are announced."""
        return self._prefs.notify_new_cases

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._prefs.notify_new_cases = value

    @property
    def has_tray(self) -> bool:
        """Whether tray messages can be shown here."""
        return self._tray is not None

    def announce(self, case: CaseSummary) -> bool:
        """Announce a newly assigned case; False when the clerk turned announcements off."""
        if not self.enabled:
            return False
        if self._tray is not None:
            self._tray.showMessage(
                "新的投保申请",
                f"{case.number}  {case.category_label}  {case.county_name}",
                QSystemTrayIcon.MessageIcon.Information,
                TRAY_MESSAGE_MS,
            )
        self._beep()
        if self._window is not None:
            QApplication.alert(self._window)  # flashes the taskbar entry on Windows
        self.notified.emit(case.id)
        return True
