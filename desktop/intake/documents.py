"""The intake form's document slots: one per required kind plus 其他材料, filled by file dialog or drag and drop.

A scan dropped on a slot goes to that slot. Dropped anywhere else in the
area, files fill the empty required slots in catalog order and the rest go
to 其他材料, so a clerk who scanned the customer's papers in the usual order
can drop them all at once and only check the result.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from common.enums import DocumentKind
from desktop.actions.uploads import choose_files

ERROR_STYLE = "color: #c62828;"


class DocumentSlot(QFrame):
    """One kind: its name, the chosen file(s), 选择文件… and 移除."""

    def __init__(self, kind: DocumentKind, *, required: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.required = required
        self.files: list[Path] = []
        self.uploaded: set[Path] = set()
        self.setObjectName(f"slot_{kind.value}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_label = QLabel(f"{kind.label}{'(必需)' if required else '(可选,可多份)'}", self)
        self.file_label = QLabel(self)
        self.file_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.choose_button = QPushButton("选择文件…", self)
        self.remove_button = QPushButton("移除", self)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(self.clear)
        grid = QGridLayout(self)
        grid.addWidget(self.name_label, 0, 0)
        grid.addWidget(self.file_label, 0, 1)
        grid.addWidget(self.choose_button, 0, 2)
        grid.addWidget(self.remove_button, 0, 3)
        grid.addWidget(self.error_label, 1, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        self._show()

    @property
    def multiple(self) -> bool:
        """Only 其他材料 takes several files."""
        return self.kind is DocumentKind.OTHER

    def add(self, path: Path) -> None:
        """Put `path` in the slot (replacing the file of a single-file slot not yet uploaded)."""
        if self.multiple:
            if path not in self.files:
                self.files.append(path)
        elif not self.uploaded:
            self.files = [path]
        self.set_error("")
        self._show()

    def choose(self) -> None:
        """选择文件…"""
        for path in choose_files(self, f"选择{self.kind.label}", many=self.multiple):
            self.add(path)
        parent = self.parentWidget()
        if isinstance(parent, DocumentSlots):
            parent.changed.emit()

    def clear(self) -> None:
        """移除 what is not uploaded yet (an uploaded file stays on the case in any event)."""
        self.files = [p for p in self.files if p in self.uploaded]
        self.set_error("")
        self._show()
        parent = self.parentWidget()
        if isinstance(parent, DocumentSlots):
            parent.changed.emit()

    def set_error(self, text: str) -> None:
        """A problem with this slot's file (refused by the server, missing)."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def mark_uploaded(self, path: Path) -> None:
        """`path` is on the case now: it can no longer be replaced or removed here."""
        self.uploaded.add(path)
        self._show()

    def _show(self) -> None:
        if self.files:
            names = [f"{p.name}{' ✓已上传' if p in self.uploaded else ''}" for p in self.files]
            self.file_label.setText("、".join(names))
            self.file_label.setStyleSheet("")
        else:
            self.file_label.setText("拖入文件或点击“选择文件…”")
            self.file_label.setStyleSheet("color: #888888;")
        locked = bool(self.uploaded) and not self.multiple
        self.choose_button.setEnabled(not locked)
        self.remove_button.setEnabled(any(p not in self.uploaded for p in self.files))


class DocumentSlots(QWidget):
    """All slots of one business type; accepts dropped files (see the module docstring)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.slots: dict[str, DocumentSlot] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel("可将扫描件直接拖入此处:按顺序放入空的必需材料,其余放入“其他材料”。", self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555555;")
        self._layout.addWidget(self.hint)

    def set_kinds(self, required: list[DocumentKind], *, keep: bool = True) -> None:
        """One slot per required kind plus 其他材料; with `keep`, files chosen for a kind that stays stay."""
        kept = {kind: slot.files for kind, slot in self.slots.items()} if keep else {}
        for slot in self.slots.values():
            slot.deleteLater()
        self.slots.clear()
        for kind in [*required, DocumentKind.OTHER]:
            slot = DocumentSlot(kind, required=kind is not DocumentKind.OTHER, parent=self)
            for path in kept.get(kind.value, []):
                slot.add(path)
            self._layout.addWidget(slot)
            self.slots[kind.value] = slot
        self.changed.emit()

    def add_file(self, kind: str, path: Path) -> None:
        """Put `path` into the slot of `kind`."""
        self.slots[kind].add(path)
        self.changed.emit()

    def add_dropped(self, paths: list[Path], kind: str | None = None) -> None:
        """Files dropped on the slot of `kind`, or (None) on the area: empty required slots first, then 其他材料."""
        for path in paths:
            target = kind
            if target is None or (target != DocumentKind.OTHER.value and self.slots[target].files):
                target = next(
                    (k for k, s in self.slots.items() if s.required and not s.files), DocumentKind.OTHER.value
                )
            self.slots[target].add(path)
        self.changed.emit()

    def files(self) -> list[tuple[str, Path]]:
        """(kind, path) of every chosen file, slot by slot."""
        return [(kind, path) for kind, slot in self.slots.items() for path in slot.files]

    def missing(self) -> list[str]:
        """Required kinds without a file."""
        return [kind for kind, slot in self.slots.items() if slot.required and not slot.files]

    def clear_errors(self) -> None:
        """Forget the problems shown on the slots."""
        for slot in self.slots.values():
            slot.set_error("")

    # ------------------------------------------------------------ drag and drop ----

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Files from the file manager (local paths) are welcome."""
        if _local_paths(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Keep accepting while the files move over the area."""
        if _local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Into the slot under the pointer, or spread over the empty slots."""
        paths = _local_paths(event)
        if not paths:
            return
        slot = self.slot_at(event.position().toPoint())
        self.add_dropped(paths, slot.kind.value if slot is not None else None)
        event.acceptProposedAction()

    def slot_at(self, point: QPoint) -> DocumentSlot | None:
        """The slot under `point` (this widget's coordinates), if any."""
        widget = self.childAt(point)
        while widget is not None and not isinstance(widget, DocumentSlot):
            widget = widget.parentWidget()
        return widget


def _local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).is_file()]
