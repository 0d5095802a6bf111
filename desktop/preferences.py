"""What the desktop remembers between runs (QSettings): never the password."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

DEFAULT_SERVER_URL = "http://127.0.0.1:8000"


class Preferences:
    """Typed access to the app's QSettings; tests hand in a QSettings on a temporary file."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @property
    def settings(self) -> QSettings:
        """The underlying QSettings."""
        return self._settings

    def _text(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return value if isinstance(value, str) else default

    def _set(self, key: str, value: object) -> None:
        self._settings.setValue(key, value)
        self._settings.sync()

    @property
    def server_url(self) -> str:
        """The server address last logged in to."""
        return self._text("login/server_url", DEFAULT_SERVER_URL) or DEFAULT_SERVER_URL

    @server_url.setter
    def server_url(self, value: str) -> None:
        self._set("login/server_url", value)

    @property
    def username(self) -> str:
        """The username last logged in with."""
        return self._text("login/username")

    @username.setter
    def username(self, value: str) -> None:
        self._set("login/username", value)

    @property
    def notify_new_cases(self) -> bool:
        """Sound and tray message when a new case arrives (on unless the clerk turned it off)."""
        return bool(self._settings.value("notify/new_cases", True, type=bool))

    @notify_new_cases.setter
    def notify_new_cases(self, value: bool) -> None:
        self._set("notify/new_cases", bool(value))

    @property
    def queue_filter(self) -> str:
        """The key of the queue tab last shown."""
        return self._text("queue/filter")

    @queue_filter.setter
    def queue_filter(self, value: str) -> None:
        self._set("queue/filter", value)

    def window_state(self, name: str) -> QByteArray | None:
        """A saved geometry or header state."""
        value = self._settings.value(f"window/{name}")
        return value if isinstance(value, QByteArray) else None

    def save_window_state(self, name: str, state: QByteArray) -> None:
        """Remember a geometry or header state."""
        self._set(f"window/{name}", state)
