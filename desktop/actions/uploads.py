"""Uploading a file to a case (a scan at the counter, the e-policy PDF): shared by dialogs and the intake form."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from common.schemas.cases import DocumentOut
from desktop.api.client import ApiClient

SCAN_FILTER = "图片或PDF (*.jpg *.jpeg *.png *.pdf *.heic *.webp *.bmp *.tif *.tiff);;所有文件 (*)"
PDF_FILTER = "PDF 文件 (*.pdf);;所有文件 (*)"


def upload_document(
    api: ApiClient, case_id: int, kind: str, path: Path, progress: Callable[[int, int], None] | None = None
) -> DocumentOut:
    """Upload `path` as a document of `kind` (worker thread: reads the file and blocks on the network)."""
    content = path.read_bytes()
    content_type = mimetypes.guess_type(path.name)[0]  # a hint only: the server decides by the content
    data = api.upload(
        f"/staff/cases/{case_id}/documents",
        {"kind": kind},
        content,
        path.name,
        content_type=content_type,
        progress=progress,
    )
    return DocumentOut.model_validate(data)


def choose_files(parent: QWidget, title: str, *, pdf_only: bool = False, many: bool = False) -> list[Path]:
    """Ask for one file (or several) to upload; [] when the clerk cancels."""
    file_filter = PDF_FILTER if pdf_only else SCAN_FILTER
    if many:
        names, _ = QFileDialog.getOpenFileNames(parent, title, "", file_filter)
        return [Path(name) for name in names]
    name, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return [Path(name)] if name else []


class PendingUploads:
    """Files to upload before an action, remembered across retries so none goes up twice.

    Each upload is an event on the case and moves its version on by one, so the
    action that follows must carry the version plus the uploads made since the
    case was read (`bumps`). Used from the worker thread while a request runs,
    and reset from the GUI thread only between requests.
    """

    def __init__(self) -> None:
        self.done: dict[tuple[str, str], int] = {}
        self.bumps = 0

    def case_reloaded(self) -> None:
        """A fresh copy of the case was read: its version already counts the uploads."""
        self.bumps = 0

    def upload(
        self,
        api: ApiClient,
        case_id: int,
        files: list[tuple[str, Path]],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[int]:
        """Upload the files not uploaded yet; the document ids of all of them, in order."""
        ids = []
        for kind, path in files:
            key = (kind, str(path))
            if key not in self.done:
                self.done[key] = upload_document(api, case_id, kind, path, progress).id
                self.bumps += 1
            ids.append(self.done[key])
        return ids
