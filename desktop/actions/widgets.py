"""Small widgets the action dialogs share: a text box and the SMS preview."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from common.validators import mask_phone


class TextEdit(QPlainTextEdit):
    """A few lines of free text; Tab moves on to the next field instead of typing a tab."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        # Room for about three lines at the current font, whatever the scaling: no pixel height.
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

    def value(self) -> str:
        """The text without surrounding blanks."""
        return self.toPlainText().strip()


class SmsPreview(QFrame):
    """The text the customer will receive, framed like a message, updated as the clerk types."""

    def __init__(self, phone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("smsPreview")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"短信预览(将发送至 {mask_phone(phone)})", self)
        self.title.setStyleSheet("color: #555555;")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("smsText")
        self.text_label.setWordWrap(True)
        # A link or a note typed by the clerk is shown as it is, never taken for markup.
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text_label)

    @property
    def text(self) -> str:
        """The message as shown."""
        return self.text_label.text()

    def set_text(self, text: str) -> None:
        """Show `text`."""
        self.text_label.setText(text)
