"""The document viewer on documents uploaded to the real server: a large photo, a PDF page, and the controls."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from common.schemas.cases import CaseDetail
from desktop.actions.uploads import upload_document
from desktop.api.client import ApiClient
from desktop.case.opener import CaseWindows
from desktop.case.window import CaseWindow
from desktop.viewer import decode
from desktop.viewer.decode import ImageDecoder
from desktop.viewer.window import DocumentViewer
from tests.desktop.case_fixtures import OFFSCREEN_RAISE, TIMEOUT_MS, case_windows, clerk_api, open_case  # noqa: F401
from tests.desktop.conftest import CitizenApplicant
from tests.server.factories import jpeg_bytes, pdf_bytes

pytestmark = OFFSCREEN_RAISE

PHOTO = QSize(4000, 3000)


@pytest.fixture
def case_with_scans(citizen: CitizenApplicant, clerk_api: ApiClient, tmp_path: Path) -> int:
    """An online case to which the clerk added, on the customer's behalf, a 12-megapixel photo and a PDF."""
    case_id = citizen.submit_application()["id"]
    detail = CaseDetail.model_validate(clerk_api.get_json(f"/staff/cases/{case_id}"))
    detail = CaseDetail.model_validate(
        clerk_api.post_json(f"/staff/cases/{case_id}/accept", {"version": detail.version})
    )
    detail = CaseDetail.model_validate(
        clerk_api.post_json(
            f"/staff/cases/{case_id}/request-supplement", {"version": detail.version, "kinds": ["other"]}
        )
    )
    photo = tmp_path / "大照片.jpg"
    photo.write_bytes(jpeg_bytes(PHOTO.width(), PHOTO.height(), (180, 60, 60)))
    pdf = tmp_path / "说明.pdf"
    pdf.write_bytes(pdf_bytes())
    upload_document(clerk_api, case_id, "other", photo)
    upload_document(clerk_api, case_id, "other", pdf)
    return case_id


def open_viewer(qtbot: Any, window: CaseWindow, kind_round: tuple[str, int], content_type: str) -> DocumentViewer:
    assert window.case is not None
    document = next(
        d for d in window.case.documents if (d.kind, d.round) == kind_round and d.content_type == content_type
    )
    viewer = window.open_document(document.id)
    assert viewer is not None
    return viewer


def test_a_large_photo_shows_a_preview_at_once_then_the_full_picture(
    qtbot: Any, case_windows: CaseWindows, case_with_scans: int
) -> None:
    window = open_case(qtbot, case_windows, case_with_scans)
    qtbot.waitUntil(lambda: window.view.documents.thumbnails_loaded() == 6, timeout=TIMEOUT_MS)
    shown: list[tuple[QSize, bool]] = []
    viewer = open_viewer(qtbot, window, ("other", 1), "image/jpeg")
    # Opened from the case view, the thumbnail it already had is on screen before anything is downloaded.
    assert viewer.canvas.has_image and not viewer.canvas.is_final
    assert viewer.canvas.full_size == PHOTO
    viewer.image_shown.connect(lambda _doc, final: shown.append((viewer.canvas.shown_size, final)))
    qtbot.waitUntil(lambda: viewer.canvas.is_final, timeout=TIMEOUT_MS)
    assert viewer.canvas.shown_size == PHOTO
    previews = [size for size, final in shown if not final]
    assert previews and all(s.width() < PHOTO.width() for s in previews)  # the screen-sized pass came first
    assert viewer.position_label.text().startswith("第 5 / 6 份 · 其他材料 · 第1次补充")


def test_a_pdf_page_is_rendered(qtbot: Any, case_windows: CaseWindows, case_with_scans: int) -> None:
    window = open_case(qtbot, case_windows, case_with_scans)
    viewer = open_viewer(qtbot, window, ("other", 1), "application/pdf")
    qtbot.waitUntil(lambda: viewer.canvas.is_final, timeout=TIMEOUT_MS)
    # An A4 page (595 × 842 pt) at 2.5 × 72 dpi.
    assert abs(viewer.canvas.shown_size.width() - 595 * 2.5) <= 2
    assert abs(viewer.canvas.shown_size.height() - 842 * 2.5) <= 2
    assert "第 1 / 1 页" in viewer.page_label.text()
    assert not viewer.next_page_action.isEnabled()


def test_zoom_fit_actual_size_rotate_pan_and_paging(
    qtbot: Any, case_windows: CaseWindows, case_with_scans: int
) -> None:
    window = open_case(qtbot, case_windows, case_with_scans)
    viewer = open_viewer(qtbot, window, ("other", 1), "image/jpeg")
    viewer.resize(900, 700)
    qtbot.waitUntil(lambda: viewer.canvas.is_final, timeout=TIMEOUT_MS)
    canvas = viewer.canvas

    viewer.fit_action.trigger()
    fitted = canvas.zoom()
    assert (
        fitted < 1 and canvas.mapFromScene(canvas.sceneRect()).boundingRect().width() <= canvas.viewport().width() + 1
    )
    viewer.zoom_in_action.trigger()
    assert canvas.zoom() == pytest.approx(fitted * 1.25)
    viewer.actual_action.trigger()
    assert canvas.zoom() == pytest.approx(1.0)
    assert viewer.zoom_label.text() == "100 %"

    wheel(canvas, notches=2)
    assert canvas.zoom() == pytest.approx(1.25**2)

    before = (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value())
    drag(canvas, QPoint(400, 300), QPoint(250, 200))
    after = (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value())
    assert after[0] > before[0] and after[1] > before[1]  # dragging left and up shows more to the right and below

    viewer.fit_action.trigger()
    viewer.rotate_right_action.trigger()
    assert canvas.rotation == 90
    rect = canvas.sceneRect()
    assert (round(rect.width()), round(rect.height())) == (PHOTO.height(), PHOTO.width())

    index = viewer.index
    viewer.next_action.trigger()
    assert (
        viewer.index == index + 1 and viewer.document is not None and viewer.document.content_type == "application/pdf"
    )
    qtbot.waitUntil(lambda: viewer.canvas.is_final, timeout=TIMEOUT_MS)
    assert canvas.rotation == 0  # a new document starts upright and fitted
    viewer.previous_action.trigger()
    assert viewer.index == index


def test_photos_are_decoded_off_the_gui_thread(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = decode.decode_image

    def spy(data: bytes, target: QSize | None = None) -> tuple[QImage, QSize]:
        threads.append(threading.current_thread())
        return real(data, target)

    monkeypatch.setattr(decode, "decode_image", spy)
    decoder = ImageDecoder()
    results: list[tuple[QSize, bool]] = []
    decoder.decoded.connect(lambda _request, image, _full, final: results.append((image.size(), final)))
    with qtbot.waitSignal(decoder.decoded, timeout=TIMEOUT_MS, check_params_cb=lambda *args: args[3]):
        decoder.decode(jpeg_bytes(3000, 2000), "image/jpeg", preview=QSize(600, 600))
    assert results == [(QSize(600, 400), False), (QSize(3000, 2000), True)]
    assert threads and all(t is not threading.main_thread() for t in threads)
    decoder.wait_for_idle()


def test_a_broken_file_says_so_instead_of_a_picture(qtbot: Any) -> None:
    decoder = ImageDecoder()
    with qtbot.waitSignal(decoder.failed, timeout=TIMEOUT_MS) as blocker:
        decoder.decode(b"a text file renamed .jpg", "image/jpeg")
    assert blocker.args[1] == decode.UNREADABLE
    decoder.wait_for_idle()


def wheel(widget: Any, *, notches: int) -> None:
    """Turn the mouse wheel over the middle of the view."""
    centre = QPointF(widget.viewport().rect().center())
    event = QWheelEvent(
        centre,
        widget.viewport().mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget.viewport(), event)


def drag(widget: Any, start: QPoint, end: QPoint) -> None:
    """Press, move and release the left button on the view (a pan)."""
    viewport = widget.viewport()
    for kind, point, buttons in (
        (QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, end, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton),
    ):
        local = QPointF(point)
        event = QMouseEvent(
            kind, local, viewport.mapToGlobal(local), Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(viewport, event)
