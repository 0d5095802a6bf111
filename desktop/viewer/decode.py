"""Turning a document's bytes into an image, off the GUI thread.

A phone photo of an ID card is easily 4000×3000: decoding it takes long
enough to freeze the window if done in the GUI thread. So a photo is decoded
on a small thread pool, twice: first with `QImageReader.setScaledSize` to
about the size of the screen (JPEG decoders scale while decoding, so this is
fast) for a preview shown at once, then in full for zooming in.

A PDF page is rendered with pdfium (pypdfium2). pdfium is not thread-safe:
every call into it holds `PDFIUM_LOCK`.
"""

from __future__ import annotations

import logging
import threading
from itertools import count

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRunnable, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

log = logging.getLogger(__name__)

PDFIUM_LOCK = threading.Lock()
"""Held around every pdfium call in the process (pdfium keeps global state)."""

PDF_CONTENT_TYPE = "application/pdf"
# A PDF page rendered at 2.5 × 72 dpi = 180 dpi: sharp when zoomed in, an A4 page about 1500×2100 pixels.
PDF_SCALE = 2.5
PDF_MAX_SIDE = 4000
DEFAULT_PREVIEW_SIDE = 1600
# Only worth a preview pass when the full image is clearly bigger than the preview.
PREVIEW_WORTHWHILE = 1.5
UNREADABLE = "无法显示该文件,可能已损坏"


def decode_image(data: bytes, target: QSize | None = None) -> tuple[QImage, QSize]:
    """Decode `data` (scaled to fit `target` if given); returns the image and the full size. Any thread."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    full = reader.size()
    if target is not None and full.isValid():
        reader.setScaledSize(full.scaled(target, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ValueError(reader.errorString())
    return image, full if full.isValid() else image.size()


def render_pdf_page(data: bytes, page_index: int, *, scale: float = PDF_SCALE) -> tuple[QImage, int]:
    """Page `page_index` of the PDF as an image, and the number of pages. Any thread (takes the lock)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
        try:
            pages = len(document)
            page = document[min(max(page_index, 0), pages - 1)]
            try:
                width, height = page.get_size()
                scale = min(scale, PDF_MAX_SIDE / max(width, height, 1))
                bitmap = page.render(scale=scale, force_bitmap_format=pdfium_raw.FPDFBitmap_BGRx, rev_byteorder=True)
                image = QImage(
                    bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
                ).copy()  # own the pixels: the bitmap's buffer goes with it
                bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return image, pages


class _Relay(QObject):
    """Lives in the GUI thread; the workers' emits reach it queued."""

    decoded = Signal(int, QImage, QSize, bool)
    failed = Signal(int, str)


class _DecodeJob(QRunnable):
    def __init__(self, relay: _Relay, request: int, data: bytes, content_type: str, page: int, preview: QSize) -> None:
        super().__init__()
        self._relay = relay
        self._request = request
        self._data = data
        self._content_type = content_type
        self._page = page
        self._preview = preview

    def run(self) -> None:
        try:
            if self._content_type == PDF_CONTENT_TYPE:
                image, _pages = render_pdf_page(self._data, self._page)
                self._emit(self._relay.decoded, image, image.size(), True)
                return
            preview, full = decode_image(self._data, self._preview)
            if preview.size() != full and max(full.width(), full.height()) > PREVIEW_WORTHWHILE * max(
                self._preview.width(), self._preview.height()
            ):
                self._emit(self._relay.decoded, preview, full, False)
                image, full = decode_image(self._data)
                self._emit(self._relay.decoded, image, full, True)
            else:
                # Small enough: decode once, in full.
                image, full = decode_image(self._data)
                self._emit(self._relay.decoded, image, full, True)
        except Exception as exc:  # noqa: BLE001 - a broken file is reported, never raised in a pool thread
            log.warning("document could not be decoded: %s", exc)
            self._emit(self._relay.failed, UNREADABLE)

    def _emit(self, signal: object, *args: object) -> None:
        try:
            signal.emit(self._request, *args)  # type: ignore[attr-defined]
        except RuntimeError:
            pass  # the decoder is gone (the viewer closed): nobody waits for this image


class ImageDecoder(QObject):
    """Decodes photos and PDF pages on its own threads.

    `decoded(request, image, full_size, final)` comes once with final=True,
    possibly after a preview (final=False, smaller image, same `full_size`).
    """

    decoded = Signal(int, QImage, QSize, bool)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.decoded.connect(self._on_decoded, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._ids = count(1)

    def decode(self, data: bytes, content_type: str, *, page: int = 0, preview: QSize | None = None) -> int:
        """Start decoding; returns the request number the signals will carry."""
        request = next(self._ids)
        target = preview or QSize(DEFAULT_PREVIEW_SIDE, DEFAULT_PREVIEW_SIDE)
        self._pool.start(_DecodeJob(self._relay, request, data, content_type, page, target))
        return request

    def wait_for_idle(self, timeout_ms: int = -1) -> bool:
        """Block until running decodes finish (at close and in tests)."""
        return self._pool.waitForDone(timeout_ms)

    @Slot(int, QImage, QSize, bool)
    def _on_decoded(self, request: int, image: QImage, full: QSize, final: bool) -> None:
        self.decoded.emit(request, image, full, final)

    @Slot(int, str)
    def _on_failed(self, request: int, message: str) -> None:
        self.failed.emit(request, message)
