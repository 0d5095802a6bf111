"""The document viewer: one case's documents, one at a time, with zoom, fit, 100 %, rotation and paging.

Opening is immediate: the thumbnail the case view already has is shown at
once (scaled up), then a screen-sized preview decoded in the background, then
the full picture. Previous/next walks through the case's documents; a PDF
also pages through its pages.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QToolBar, QVBoxLayout, QWidget

from common.schemas.cases import DocumentOut
from desktop.messages import error_text
from desktop.viewer.canvas import DocumentCanvas
from desktop.viewer.decode import PDF_CONTENT_TYPE, ImageDecoder
from desktop.viewer.source import DocumentSource


def round_label(round_number: int) -> str:
    """0 → "首次提交", 2 → "第2次补充"."""
    return "首次提交" if round_number == 0 else f"第{round_number}次补充"


class DocumentViewer(QDialog):
    """Shows the documents of one case; `image_shown(document_id, final)` after each picture is drawn."""

    image_shown = Signal(int, bool)

    def __init__(
        self, source: DocumentSource, decoder: ImageDecoder | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowFlag(Qt.WindowType.WindowMinimizeButtonHint, True)
        self.source = source
        self.decoder = decoder or ImageDecoder(self)
        self.decoder.decoded.connect(self._on_decoded)
        self.decoder.failed.connect(self._on_decode_failed)
        self.documents: list[DocumentOut] = []
        self.index = -1
        self.page = 0
        self.title = ""
        self._data: bytes | None = None
        self._generation = 0
        self._request = 0
        self._new_document = True

        self.canvas = DocumentCanvas(self)
        self.canvas.zoom_changed.connect(lambda percent: self.zoom_label.setText(f"{percent:.0f} %"))
        self.toolbar = QToolBar(self)
        self.previous_action = self._action("上一份", self.previous_document, QKeySequence(Qt.Key.Key_PageUp))
        self.next_action = self._action("下一份", self.next_document, QKeySequence(Qt.Key.Key_PageDown))
        self.toolbar.addSeparator()
        self.zoom_in_action = self._action("放大", self.canvas.zoom_in, QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action("缩小", self.canvas.zoom_out, QKeySequence.StandardKey.ZoomOut)
        self.fit_action = self._action("适应窗口", self.canvas.fit, QKeySequence("Ctrl+0"))
        self.actual_action = self._action("100 %", self.canvas.actual_size, QKeySequence("Ctrl+1"))
        self.toolbar.addSeparator()
        self.rotate_left_action = self._action("向左旋转", lambda: self.canvas.rotate_by(-90), QKeySequence("Ctrl+L"))
        self.rotate_right_action = self._action("向右旋转", lambda: self.canvas.rotate_by(90), QKeySequence("Ctrl+R"))
        self.toolbar.addSeparator()
        self.previous_page_action = self._action("上一页", self.previous_page, QKeySequence(Qt.Key.Key_Left))
        self.page_label = QLabel(self)
        self.toolbar.addWidget(self.page_label)
        self.next_page_action = self._action("下一页", self.next_page, QKeySequence(Qt.Key.Key_Right))

        self.position_label = QLabel(self)
        self.zoom_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2 + 2)
        self.progress.setVisible(False)
        status = QHBoxLayout()
        status.addWidget(self.position_label, 1)
        status.addWidget(self.progress)
        status.addWidget(self.zoom_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas, 1)
        status.setContentsMargins(8, 0, 8, 0)
        layout.addLayout(status)
        self.resize(1000, 760)

    def _action(self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey) -> QAction:
        action = QAction(text, self)
        shortcut = QKeySequence(shortcut)
        action.setShortcut(shortcut)
        action.setToolTip(f"{text} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        return action

    # ------------------------------------------------------------ navigation ----

    @property
    def document(self) -> DocumentOut | None:
        """The document shown."""
        return self.documents[self.index] if 0 <= self.index < len(self.documents) else None

    def show_documents(self, documents: list[DocumentOut], index: int, *, title: str = "") -> None:
        """Show `documents[index]`; previous/next move within `documents`."""
        self.documents = list(documents)
        self.title = title
        self.show_index(index)

    def show_index(self, index: int) -> None:
        """Show document number `index` (0-based), its first page."""
        if not self.documents:
            return
        self.index = max(0, min(index, len(self.documents) - 1))
        self.page = 0
        self._generation += 1
        self._request = 0
        self._data = None
        self._new_document = True
        document = self.documents[self.index]
        self._update_labels()
        thumbnail = self.source.cached(document.id, "thumbnail")
        image = QImage.fromData(thumbnail) if thumbnail else QImage()
        if not image.isNull():
            # The small picture the case view already shows, scaled up: something to look at immediately.
            full = QSize(document.width or image.width(), document.height or image.height())
            self._show(image, full, final=False)
        else:
            self.canvas.show_message("正在加载…")
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.source.fetch(
            document.id,
            "content",
            partial(self._on_content, self._generation),
            on_error=partial(self._on_content_failed, self._generation),
            on_progress=self._on_progress,
            context=self,
        )

    def previous_document(self) -> None:
        """上一份."""
        if self.index > 0:
            self.show_index(self.index - 1)

    def next_document(self) -> None:
        """下一份."""
        if self.index < len(self.documents) - 1:
            self.show_index(self.index + 1)

    def page_count(self) -> int:
        """Pages of the document shown (1 for a photo)."""
        document = self.document
        return max(1, document.pages or 1) if document else 1

    def previous_page(self) -> None:
        """上一页 of a PDF."""
        self._go_to_page(self.page - 1)

    def next_page(self) -> None:
        """下一页 of a PDF."""
        self._go_to_page(self.page + 1)

    def _go_to_page(self, page: int) -> None:
        if not 0 <= page < self.page_count() or page == self.page:
            return
        self.page = page
        self._new_document = True
        self._update_labels()
        if self._data is not None:
            self._decode()

    # ------------------------------------------------------------ loading ----

    def _on_content(self, generation: int, data: bytes) -> None:
        if generation != self._generation:
            return  # the clerk has moved on to another document
        self.progress.setVisible(False)
        self._data = data
        self._decode()

    def _on_content_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.progress.setVisible(False)
        self.canvas.show_message(error_text(exc))

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _decode(self) -> None:
        document = self.document
        if document is None or self._data is None:
            return
        ratio = self.devicePixelRatioF()
        viewport = self.canvas.viewport().size()
        preview = QSize(max(1, int(viewport.width() * ratio)), max(1, int(viewport.height() * ratio)))
        self._request = self.decoder.decode(self._data, document.content_type, page=self.page, preview=preview)

    def _on_decoded(self, request: int, image: QImage, full: QSize, final: bool) -> None:
        if request != self._request:
            return  # an older document's or page's picture
        self._show(image, full, final=final)

    def _on_decode_failed(self, request: int, message: str) -> None:
        if request == self._request:
            self.canvas.show_message(message)

    def _show(self, image: QImage, full: QSize, *, final: bool) -> None:
        self.canvas.set_image(image, full, final=final, new_document=self._new_document)
        self._new_document = False
        document = self.document
        if document is not None:
            self.image_shown.emit(document.id, final)

    def _update_labels(self) -> None:
        document = self.document
        if document is None:
            return
        count = len(self.documents)
        pages = self.page_count()
        self.setWindowTitle(f"{document.kind_label} - {self.title}" if self.title else document.kind_label)
        self.position_label.setText(
            f"第 {self.index + 1} / {count} 份 · {document.kind_label} · {round_label(document.round)}"
        )
        is_pdf = document.content_type == PDF_CONTENT_TYPE
        self.page_label.setText(f" 第 {self.page + 1} / {pages} 页 " if is_pdf else "")
        self.previous_page_action.setEnabled(is_pdf and self.page > 0)
        self.next_page_action.setEnabled(is_pdf and self.page < pages - 1)
        self.previous_action.setEnabled(self.index > 0)
        self.next_action.setEnabled(self.index < count - 1)

    def done(self, result: int) -> None:
        """Closing drops pending results (their generation no longer matches)."""
        self._generation += 1
        self._request = 0
        super().done(result)
