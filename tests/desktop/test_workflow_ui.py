"""A case from submission to 已办结, driven only through the case window's buttons and dialogs.

The citizen applies on their phone (real HTTP); the clerk accepts, asks for
a supplement, records the papers brought to the counter, escalates; the
supervisor decides in their own window; the clerk phones the customer, sends
the payment link, records the payment and issues the e-policy as a PDF. Each
SMS the dialogs previewed is the SMS the server put in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno

from common.enums import CallOutcome, CaseStatus, Role
from desktop.actions.call import CallDialog
from desktop.actions.payment import ApproveDialog
from desktop.actions.policy import IssuePolicyDialog
from desktop.actions.supplement import RequestSupplementDialog, SupplementReceivedDialog
from desktop.api.client import ApiClient
from desktop.api.connection import ConnectionMonitor
from desktop.api.tasks import TaskRunner
from desktop.case.opener import CaseWindows
from tests.desktop.case_fixtures import (  # noqa: F401 - fixtures
    OFFSCREEN_RAISE,
    TIMEOUT_MS,
    act,
    case_windows,
    clerk_api,
    open_case,
    outbox,
    send,
    server_now,
    start_action,
    supervisor,
)
from tests.desktop.conftest import TEST_BACKOFF, CitizenApplicant, LiveServer, StaffAccount
from tests.server.factories import jpeg_bytes, pdf_bytes

pytestmark = OFFSCREEN_RAISE

PAYMENT_LINK = "https://pay.picc.example.cn/jqx/YC-abc123"


class FakeMonotonic:
    """The call dialog's stopwatch: moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def supervisor_windows(live_server: LiveServer, supervisor: StaffAccount) -> Iterator[CaseWindows]:
    """The supervisor's own client, runner and case windows (another PC)."""
    api = ApiClient(live_server.url)
    api.login(supervisor.username, supervisor.password)
    runner = TaskRunner(ConnectionMonitor(TEST_BACKOFF))
    windows = CaseWindows(api, runner, role=lambda: Role.SUPERVISOR.value, now=server_now)
    yield windows
    windows.close_all()
    runner.shutdown(10_000)
    api.close()


def test_a_case_goes_from_submitted_to_completed_through_the_ui(
    qtbot: Any,
    tmp_path: Path,
    citizen: CitizenApplicant,
    live_server: LiveServer,
    case_windows: CaseWindows,
    supervisor_windows: CaseWindows,
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    view = window.view

    accepted = act(qtbot, window, "accept")
    assert accepted.status == CaseStatus.REVIEWING.value
    assert view.status_label.text() == "审核中"

    def ask_for_invoice(dialog: RequestSupplementDialog) -> None:
        for kind, box in dialog.kind_boxes.items():
            box.setChecked(kind == "purchase_invoice")
        dialog.message_edit.setPlainText("发票照片不清晰,请重新拍摄")

    dialog = start_action(qtbot, window, "request_supplement")
    assert isinstance(dialog, RequestSupplementDialog)
    ask_for_invoice(dialog)
    supplement_preview = dialog.preview.text
    send(qtbot, dialog)
    qtbot.waitUntil(lambda: view.status_label.text() == "待补充材料", timeout=TIMEOUT_MS)
    assert "发票照片不清晰" in view.checklist.request_label.text()

    scan = tmp_path / "invoice-again.jpg"
    scan.write_bytes(jpeg_bytes(640, 480, (200, 180, 40)))

    def attach_scan(dialog: SupplementReceivedDialog) -> None:
        dialog.set_file("purchase_invoice", scan)

    received = act(qtbot, window, "supplement", attach_scan)
    assert received.status == CaseStatus.REVIEWING.value
    assert [d.round for d in received.documents].count(1) == 1
    qtbot.waitUntil(lambda: view.documents.thumbnails_loaded() == 5, timeout=TIMEOUT_MS)

    act(qtbot, window, "escalate", lambda d: d.text_edit.setPlainText("车主年满70周岁,需上级确认承保"))
    assert view.status_label.text() == "待上级审批"
    assert not view.action_buttons["approve"].isEnabled()

    boss = open_case(qtbot, supervisor_windows, case_id)
    assert boss.view.action_buttons["decide"].isEnabled()
    act(qtbot, boss, "decide", lambda d: d.text_edit.setPlainText("同意承保,按正常流程办理"))

    version_before = window.case.version if window.case else 0
    window.reload()  # no feed in this test: F5
    qtbot.waitUntil(lambda: window.case is not None and window.case.version > version_before, timeout=TIMEOUT_MS)
    assert view.status_label.text() == "审核中"

    stopwatch = FakeMonotonic()
    dialog = start_action(qtbot, window, "call")
    assert isinstance(dialog, CallDialog)
    dialog.monotonic = stopwatch
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData(CallOutcome.CONNECTED.value))
    dialog.start_button.click()
    stopwatch.now += 75
    dialog.tick()
    assert dialog.timer_label.text() == "01:15"
    dialog.stop_button.click()
    dialog.notes_edit.setPlainText("客户同意缴费,约定今天下午完成")
    send(qtbot, dialog)
    qtbot.waitUntil(lambda: view.calls.topLevelItemCount() == 1, timeout=TIMEOUT_MS)
    assert view.calls.topLevelItem(0).text(2) == "1分15秒"

    dialog = start_action(qtbot, window, "approve")
    assert isinstance(dialog, ApproveDialog)
    dialog.link_edit.setText(PAYMENT_LINK)
    dialog.premium_edit.setText("180")
    payment_preview = dialog.preview.text
    assert "180.00元" in payment_preview
    assert _qr_matches(dialog.qr.image, PAYMENT_LINK)
    send(qtbot, dialog)
    qtbot.waitUntil(lambda: view.status_label.text() == "待缴费", timeout=TIMEOUT_MS)

    act(qtbot, window, "record_payment", lambda d: d.reference_edit.setText("PAY-20260310-001"))
    assert view.status_label.text() == "已缴费"

    policy = tmp_path / "电子保单.pdf"
    policy.write_bytes(pdf_bytes())
    dialog = start_action(qtbot, window, "issue_policy")
    assert isinstance(dialog, IssuePolicyDialog)
    dialog.number_edit.setText("PDZA202632090000001234")
    dialog.set_pdf(policy)
    uploaded: list[int] = []
    dialog.progress.valueChanged.connect(uploaded.append)
    completed = send(qtbot, dialog)
    assert uploaded and uploaded[-1] > len(pdf_bytes()) and uploaded == sorted(uploaded)  # the PDF went up with a bar

    assert completed.status == CaseStatus.COMPLETED.value
    qtbot.waitUntil(lambda: view.status_label.text() == "已办结", timeout=TIMEOUT_MS)
    assert [d.kind for d in completed.documents].count("e_policy") == 1
    enabled = {a for a, b in view.action_buttons.items() if b.isEnabled()}
    assert enabled == {"call", "note"}  # a finished case may still be phoned about and noted

    messages = outbox(live_server, citizen.phone)
    texts = {m.template: m.text for m in messages}
    assert [m.template for m in messages if m.template != "login_code"] == [
        "assigned",
        "supplement_requested",
        "payment_link",
        "e_policy",
    ]
    assert texts["supplement_requested"] == supplement_preview
    assert texts["payment_link"] == payment_preview
    assert "PDZA202632090000001234" in texts["e_policy"]


def _qr_matches(image: Any, text: str) -> bool:
    """The dialog's QR image has exactly the modules segno makes for `text`."""
    matrix = segno.make(text, error="m", micro=False).matrix
    border = (image.width() - len(matrix)) // 2
    return all(
        (image.pixelColor(x + border, y + border).lightness() < 128) == bool(dark)
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
    )
