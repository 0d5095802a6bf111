"""The banner across the top of the window while the server cannot be reached."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.api.connection import UNREACHABLE_BANNER


class ConnectionBanner(QFrame):
    """Hidden while the server answers; "无法连接服务器,正在重试…" and a retry button while it does not."""

    retry_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setStyleSheet(
            "#connectionBanner { background: #fff4e5; border-bottom: 1px solid #f0b25a; }"
            "#connectionBanner QLabel { color: #7a4100; font-weight: bold; }"
        )
        self.label = QLabel(UNREACHABLE_BANNER, self)
        self.retry_button = QPushButton("立即重试", self)
        self.retry_button.clicked.connect(self.retry_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        self.setVisible(False)

    @Slot(bool)
    def set_reachable(self, reachable: bool) -> None:
        """Show the banner when the server is unreachable, hide it when it is back."""
        self.setVisible(not reachable)
