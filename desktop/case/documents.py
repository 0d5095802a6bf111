"""The case's documents on the case view: the required-document checklist and thumbnails by round."""

from __future__ import annotations

from itertools import groupby

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from common.enums import CaseStatus, DocumentKind
from common.schemas.cases import CaseDetail, DocumentOut
from desktop.case.flow import FlowLayout
from desktop.viewer.decode import PDF_CONTENT_TYPE
from desktop.viewer.source import DocumentSource
from desktop.viewer.window import round_label

THUMBNAIL_SIZE = QSize(150, 112)
"""Logical pixels: Qt multiplies them at 150 %/200 % scaling, and the pixmap is made for the screen's ratio."""
PRESENT_STYLE = "color: #2e7d32;"
MISSING_STYLE = "color: #c62828;"


def ordered(documents: list[DocumentOut]) -> list[DocumentOut]:
    """Round by round, each round in upload order: the order of the tiles and of the viewer's 上一份/下一份."""
    return sorted(documents, key=lambda d: (d.round, d.id))


class DocumentTile(QToolButton):
    """One document: its thumbnail (loaded in the background) above its kind; click to open the viewer."""

    def __init__(self, document: DocumentOut, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.loaded = False
        self.setObjectName(f"document_{document.id}")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setIconSize(THUMBNAIL_SIZE)
        self.setAutoRaise(True)
        extra = f" · PDF {document.pages}页" if document.content_type == PDF_CONTENT_TYPE and document.pages else ""
        self.setText(f"{document.kind_label}{extra}")
        self.setToolTip(f"{document.kind_label} · {round_label(document.round)} · 点击查看大图")
        placeholder = QPixmap(THUMBNAIL_SIZE * self.devicePixelRatioF())
        placeholder.setDevicePixelRatio(self.devicePixelRatioF())
        placeholder.fill(Qt.GlobalColor.lightGray)
        self.setIcon(QIcon(placeholder))

    def set_thumbnail(self, data: bytes) -> None:
        """Show the server's thumbnail (a small JPEG), sharp at the screen's scaling."""
        image = QImage.fromData(data)
        if image.isNull():
            return
        ratio = self.devicePixelRatioF()
        scaled = image.scaled(
            THUMBNAIL_SIZE * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        pixmap = QPixmap.fromImage(scaled)
        pixmap.setDevicePixelRatio(ratio)
        self.setIcon(QIcon(pixmap))
        self.loaded = True


class DocumentsPanel(QWidget):
    """Thumbnails grouped by supplement round; `document_activated(id)` when one is clicked."""

    document_activated = Signal(int)

    def __init__(self, source: DocumentSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.tiles: dict[int, DocumentTile] = {}
        self.documents: list[DocumentOut] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel("暂无材料", self)
        self._layout.addWidget(self._empty)

    def set_documents(self, documents: list[DocumentOut]) -> None:
        """Show `documents`; unchanged lists keep their tiles (and thumbnails) as they are."""
        documents = ordered(documents)
        if [d.id for d in documents] == [d.id for d in self.documents]:
            return
        self.documents = documents
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self._empty:
                widget.deleteLater()
        self.tiles.clear()
        self._empty.setVisible(not documents)
        self._layout.addWidget(self._empty)
        for round_number, group in groupby(documents, key=lambda d: d.round):
            members = list(group)
            heading = QLabel(f"{round_label(round_number)}({len(members)}份)", self)
            heading.setStyleSheet("font-weight: bold;")
            self._layout.addWidget(heading)
            box = QWidget(self)
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            flow = FlowLayout(box)
            flow.setContentsMargins(0, 0, 0, 0)
            for document in members:
                tile = DocumentTile(document, box)
                tile.clicked.connect(lambda _checked=False, doc_id=document.id: self.document_activated.emit(doc_id))
                flow.addWidget(tile)
                self.tiles[document.id] = tile
                self.source.fetch(document.id, "thumbnail", tile.set_thumbnail, context=tile)
            self._layout.addWidget(box)

    def thumbnails_loaded(self) -> int:
        """How many tiles show their thumbnail (for tests and the status line)."""
        return sum(1 for tile in self.tiles.values() if tile.loaded)


class Checklist(QWidget):
    """The required documents of the case's business type, each present (✓) or missing (✗)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, QLabel] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.request_label = QLabel(self)
        self.request_label.setObjectName("supplementRequest")
        self.request_label.setWordWrap(True)
        self.request_label.setStyleSheet(MISSING_STYLE)
        self._layout.addWidget(self.request_label)

    def set_case(self, case: CaseDetail) -> None:
        """Rebuild the rows for `case`."""
        for label in self.rows.values():
            label.deleteLater()
        self.rows.clear()
        missing = set(case.missing_documents)
        for index, kind in enumerate(case.required_documents):
            present = kind not in missing
            label = QLabel(f"✓ {DocumentKind(kind).label}" if present else f"✗ {DocumentKind(kind).label}(缺)", self)
            label.setObjectName(f"check_{kind}")
            label.setStyleSheet(PRESENT_STYLE if present else MISSING_STYLE)
            self._layout.insertWidget(index, label)
            self.rows[kind] = label
        asked = case.status == CaseStatus.SUPPLEMENT_REQUESTED.value and case.supplement_kinds
        if asked:
            names = "、".join(DocumentKind(k).label for k in case.supplement_kinds)
            note = f"第{case.supplement_round}次补充,已要求客户补充:{names}"
            if case.supplement_message:
                note += f"({case.supplement_message})"
            self.request_label.setText(note)
        self.request_label.setVisible(bool(asked))

    def is_present(self, kind: str) -> bool:
        """Whether the row of `kind` says present."""
        return self.rows[kind].text().startswith("✓")
