"""A QR code of the payment link, large enough for a customer at the counter to scan from the screen."""

from __future__ import annotations

import segno
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4
"""Modules of white around the code: scanners need it (ISO/IEC 18004)."""


def qr_image(text: str, *, error: str = "m") -> QImage:
    """The code as a 1-pixel-per-module image, quiet zone included; scale it without smoothing."""
    code = segno.make(text, error=error, micro=False)
    matrix = code.matrix
    size = len(matrix) + 2 * QUIET_ZONE
    image = QImage(size, size, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x + QUIET_ZONE, y + QUIET_ZONE, black)
    return image


class QrCodeView(QWidget):
    """Paints the code as large as the widget allows, in whole device pixels per module (crisp at any scaling)."""

    def __init__(self, parent: QWidget | None = None, *, minimum: int = 220) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._text = ""
        self._minimum = minimum
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("缴费二维码")

    @property
    def text(self) -> str:
        """What the code encodes ("" when empty)."""
        return self._text

    @property
    def image(self) -> QImage | None:
        """The code at one pixel per module, None when nothing is shown."""
        return self._image

    def set_text(self, text: str) -> None:
        """Show the code of `text`; an empty text clears it."""
        self._text = text
        self._image = qr_image(text) if text else None
        self.update()

    def sizeHint(self) -> QSize:
        """Square, comfortably scannable."""
        return QSize(self._minimum + 80, self._minimum + 80)

    def minimumSizeHint(self) -> QSize:
        """Below this a phone camera struggles at counter distance."""
        return QSize(self._minimum, self._minimum)

    def hasHeightForWidth(self) -> bool:
        """The code is square."""
        return True

    def heightForWidth(self, width: int) -> int:
        """Square."""
        return width

    def paintEvent(self, event: QPaintEvent) -> None:
        """The code centred, each module a whole number of device pixels."""
        painter = QPainter(self)
        if self._image is None:
            painter.setPen(QColor("#888888"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, "填写缴费链接后\n显示二维码"
            )
            return
        ratio = self.devicePixelRatioF()
        side_device = int(min(self.width(), self.height()) * ratio)
        modules = self._image.width()
        per_module = max(1, side_device // modules)
        side = per_module * modules / ratio
        left = (self.width() - side) / 2
        top = (self.height() - side) / 2
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(QRectF(left, top, side, side), self._image)
        painter.end()
