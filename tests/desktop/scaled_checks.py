"""Checks run at 200 % scaling (QT_SCALE_FACTOR=2) by test_case_scaling.py in a fresh process.

Not a test module of its own (the scale factor must be set before Qt starts,
so pytest runs this file in a child process with it). At 200 % a Full HD
screen is 960 × 540 logical pixels: every window must fit in that, show its
texts uncut, and draw its pictures at the screen's resolution.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from common.schemas.auth import StaffUserOut
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.case.opener import CaseWindows
from desktop.intake.form import IntakeDialog
from tests.desktop.case_fixtures import OFFSCREEN_RAISE, TIMEOUT_MS, case_windows, clerk_api, open_case  # noqa: F401
from tests.desktop.conftest import CitizenApplicant

pytestmark = OFFSCREEN_RAISE

FULL_HD_AT_200 = QSize(960, 540)


def fits(widget: QWidget) -> None:
    """The window's smallest usable size fits a Full HD screen at 200 %, and its texts are not cut."""
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    assert minimum.width() <= FULL_HD_AT_200.width() and minimum.height() <= FULL_HD_AT_200.height(), (
        f"{type(widget).__name__} needs {minimum.width()}×{minimum.height()} logical pixels"
    )
    widget.resize(FULL_HD_AT_200)
    widget.show()
    for child in widget.findChildren(QWidget):
        if not child.isVisible():
            continue
        if isinstance(child, QAbstractButton) and child.text():
            assert child.width() >= child.minimumSizeHint().width(), f"button {child.text()!r} is cut"
        if isinstance(child, QLabel) and child.text() and not child.wordWrap():
            assert child.width() >= child.minimumSizeHint().width() or child.parentWidget() is None, (
                f"label {child.text()!r} is cut"
            )
    picture = widget.grab()
    assert picture.devicePixelRatio() == 2
    assert picture.width() == widget.width() * 2


def test_the_scale_factor_is_in_force(qtbot: Any) -> None:
    assert os.environ.get("QT_SCALE_FACTOR") == "2"
    probe = QWidget()
    qtbot.addWidget(probe)
    assert probe.devicePixelRatioF() == 2


def test_the_case_window_and_its_dialogs_fit_at_200_percent(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows
) -> None:
    window = open_case(qtbot, case_windows, citizen.submit_application()["id"])
    qtbot.waitUntil(lambda: window.view.documents.thumbnails_loaded() == 4, timeout=TIMEOUT_MS)
    fits(window)
    for tile in window.view.documents.tiles.values():
        pixmap = tile.icon().pixmap(tile.iconSize(), 2.0)
        assert pixmap.devicePixelRatio() == 2  # a thumbnail sharp on the screen, not upscaled
    for action in ("accept", "reject", "call", "note"):
        dialog = window.open_action(action)
        assert dialog is not None
        fits(dialog)
        dialog.reject()
    assert window.case is not None
    viewer = window.open_document(window.case.documents[0].id)
    assert viewer is not None
    fits(viewer)
    qtbot.waitUntil(lambda: viewer.canvas.is_final, timeout=TIMEOUT_MS)
    viewer.close()


def test_the_payment_dialog_and_intake_form_fit_at_200_percent(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, clerk_api: ApiClient, runner: TaskRunner
) -> None:
    case_id = citizen.submit_application()["id"]
    version = clerk_api.get_json(f"/staff/cases/{case_id}")["version"]
    clerk_api.post_json(f"/staff/cases/{case_id}/accept", {"version": version})
    window = open_case(qtbot, case_windows, case_id)
    dialog = window.open_action("approve")
    assert dialog is not None
    dialog.link_edit.setText("https://pay.example.cn/p/200")  # type: ignore[attr-defined]
    fits(dialog)
    qr = dialog.qr  # type: ignore[attr-defined]
    assert qr.width() >= qr.minimumSizeHint().width()
    dialog.reject()

    user = StaffUserOut.model_validate(clerk_api.get_json("/staff/me"))
    intake = IntakeDialog(clerk_api, runner, user=user)
    qtbot.addWidget(intake)
    fits(intake)
    runner.wait_for_idle(10_000)


if __name__ == "__main__":  # pragma: no cover - run through test_case_scaling.py
    raise SystemExit(pytest.main([__file__]))
