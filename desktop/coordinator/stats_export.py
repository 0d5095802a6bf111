"""Saving the server's statistics workbook: ask where, download, write it whole or not at all.

The workbook is made by the server (one sheet per view, Chinese heads, numbers
as numbers), so the file and the screen come from the same report; the
desktop only fetches the bytes and saves them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.api.client import ApiClient, ApiError, ServerFailed

WORKBOOK_PATH = "/coordinator/stats.xlsx"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
# Every .xlsx is a zip archive: anything else (an HTML error page from a proxy) is not the workbook.
_ZIP_MAGIC = b"PK\x03\x04"

SaveFileChooser = Callable[[QWidget, str], Path | None]
"""chooser(parent, suggested file name) → where to save, or None when the coordinator cancels."""


class ExportFailed(ApiError):
    """The workbook came but could not be written where the coordinator asked."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "export_failed", message)


def suggested_name(date_from: date, date_to: date) -> str:
    """统计报表_2026-03-01_2026-03-31.xlsx."""
    return f"统计报表_{date_from.isoformat()}_{date_to.isoformat()}.xlsx"


def ask_where_to_save(parent: QWidget, name: str) -> Path | None:
    """The platform's save dialog, in the user's home folder; the path always ends in .xlsx."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "导出统计报表", str(Path.home() / name), XLSX_FILTER)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def save_workbook(api: ApiClient, date_from: date, date_to: date, path: Path) -> Path:
    """Download the range's workbook and write it to `path` (worker thread).

    Written to a temporary file beside the target and renamed over it, so a
    failure at any point leaves no file, or the old one untouched.
    """
    content = api.download(WORKBOOK_PATH, params={"from": date_from.isoformat(), "to": date_to.isoformat()})
    if not content.startswith(_ZIP_MAGIC):
        raise ServerFailed(200, "bad_response", "服务器返回的不是Excel文件,请稍后再试")
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        reason = exc.strerror or type(exc).__name__
        raise ExportFailed(f"无法保存到 {path}:{reason}") from exc
    return path
