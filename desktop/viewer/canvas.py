"""The picture area of the viewer: zoom (wheel, buttons), fit, 100 %, rotate, pan by dragging.

Scene coordinates are the full image's pixels with the picture's centre at
the origin. A preview (a scaled-down decode) is drawn scaled up to the same
scene size, so when the full image replaces it nothing on screen moves: the
clerk may already be zooming into the preview.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsTextItem, QGraphicsView, QWidget

MIN_ZOOM = 0.02
MAX_ZOOM = 16.0
BUTTON_STEP = 1.25
# One wheel notch is 120 eighths of a degree; each notch zooms by BUTTON_STEP.
WHEEL_NOTCH = 120.0


class DocumentCanvas(QGraphicsView):
    """Shows one image; `zoom_changed(percent)` where 100 means one image pixel per screen pixel."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#3c3f41"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self._message = QGraphicsTextItem()
        self._message.setDefaultTextColor(QColor("white"))
        self.scene().addItem(self._message)
        self._full_size = QSize()
        self._rotation = 0
        self._fit = True
        self._final = False

    # ------------------------------------------------------------ content ----

    @property
    def has_image(self) -> bool:
        """Whether a picture is shown (possibly still the preview)."""
        return not self._item.pixmap().isNull()

    @property
    def is_final(self) -> bool:
        """Whether the shown picture is the full decode (not a preview or thumbnail)."""
        return self._final

    @property
    def full_size(self) -> QSize:
        """The size of the full image in pixels."""
        return QSize(self._full_size)

    @property
    def shown_size(self) -> QSize:
        """The size of the pixmap drawn now (smaller than `full_size` for a preview)."""
        return self._item.pixmap().size()

    @property
    def rotation(self) -> int:
        """0, 90, 180 or 270 degrees clockwise."""
        return self._rotation

    def set_image(self, image: QImage, full_size: QSize, *, final: bool, new_document: bool) -> None:
        """Show `image` standing for a picture of `full_size`; a new document starts fitted and upright."""
        self._message.setVisible(False)
        pixmap = QPixmap.fromImage(image)
        self._item.setPixmap(pixmap)
        self._item.setOffset(-pixmap.width() / 2, -pixmap.height() / 2)
        self._item.setScale(full_size.width() / pixmap.width() if pixmap.width() else 1.0)
        self._full_size = QSize(full_size)
        self._final = final
        if new_document:
            self._rotation = 0
            self._item.setRotation(0)
            self._fit = True
        self._update_scene_rect()
        if self._fit:
            self.fit()

    def show_message(self, text: str) -> None:
        """Words instead of a picture (loading, or why it cannot be shown)."""
        self._item.setPixmap(QPixmap())
        self._final = False
        self._message.setPlainText(text)
        self._message.setVisible(True)
        rect = self._message.boundingRect()
        self._message.setPos(-rect.width() / 2, -rect.height() / 2)
        self.setSceneRect(self._message.sceneBoundingRect())
        self.resetTransform()
        self.centerOn(0, 0)

    @property
    def message(self) -> str:
        """The words shown instead of a picture ("" when a picture is shown)."""
        return self._message.toPlainText() if self._message.isVisible() else ""

    # ------------------------------------------------------------ view ----

    def zoom(self) -> float:
        """The scale now: 1.0 is one image pixel per screen (device) pixel."""
        # The view only ever scales uniformly (rotation is the item's), so m11 is the scale.
        return self.transform().m11() * self.devicePixelRatioF()

    def fit(self) -> None:
        """适应窗口: the whole picture visible, as large as it fits; stays so when the window is resized."""
        self._fit = True
        if self.has_image:
            self.fitInView(self._item.sceneBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom() * 100)

    def actual_size(self) -> None:
        """100 %: one image pixel on one screen pixel, centred."""
        self._set_zoom(1.0)
        self.centerOn(0, 0)

    def zoom_in(self) -> None:
        """放大 one step around the centre."""
        self._zoom_by(BUTTON_STEP, around_mouse=False)

    def zoom_out(self) -> None:
        """缩小 one step around the centre."""
        self._zoom_by(1 / BUTTON_STEP, around_mouse=False)

    def rotate_by(self, degrees: int) -> None:
        """Rotate the picture by a multiple of 90° (clockwise positive) around its centre."""
        self._rotation = (self._rotation + degrees) % 360
        self._item.setRotation(self._rotation)
        self._update_scene_rect()
        if self._fit:
            self.fit()

    def _zoom_by(self, factor: float, *, around_mouse: bool) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        anchor = self.transformationAnchor()
        if not around_mouse:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self._set_zoom(target)
        self.setTransformationAnchor(anchor)

    def _set_zoom(self, zoom: float) -> None:
        self._fit = False
        current = self.zoom()
        if current > 0:
            factor = zoom / current
            self.scale(factor, factor)
        else:
            self.setTransform(QTransform.fromScale(zoom / self.devicePixelRatioF(), zoom / self.devicePixelRatioF()))
        self.zoom_changed.emit(self.zoom() * 100)

    def _update_scene_rect(self) -> None:
        self.setSceneRect(self._item.sceneBoundingRect())

    # ------------------------------------------------------------ events ----

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms around the mouse pointer (no scrolling: dragging pans)."""
        if not self.has_image:
            return
        steps = event.angleDelta().y() / WHEEL_NOTCH
        if steps:
            self._zoom_by(BUTTON_STEP**steps, around_mouse=True)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A fitted picture stays fitted."""
        super().resizeEvent(event)
        if self._fit and self.has_image:
            self.fit()
