"""Action dialogs against the real server: conflicts, outages and retries, Esc, local checks, previews."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.enums import CaseStatus, Role
from common.schemas.cases import CaseDetail
from desktop.actions.base import STALE_LOADING_TEXT, UNREACHABLE_TEXT
from desktop.actions.payment import ApproveDialog, QrLargeDialog
from desktop.actions.policy import IssuePolicyDialog
from desktop.actions.review import NoteDialog, RejectDialog
from desktop.api.client import ApiClient, ServerUnreachable
from desktop.case.opener import CaseWindows
from desktop.case.window import CaseWindow
from tests.desktop.case_fixtures import (  # noqa: F401 - fixtures
    OFFSCREEN_RAISE,
    TIMEOUT_MS,
    case_windows,
    clerk_api,
    open_case,
    outbox,
    send,
    start_action,
    supervisor,
)
from tests.desktop.conftest import CitizenApplicant, LiveServer, StaffAccount

pytestmark = OFFSCREEN_RAISE


def advance(api: ApiClient, case_id: int, *steps: tuple[str, dict[str, Any]]) -> CaseDetail:
    """Move a case on by API calls (setting the scene, not what is tested)."""
    detail = CaseDetail.model_validate(api.get_json(f"/staff/cases/{case_id}"))
    for endpoint, body in steps:
        detail = CaseDetail.model_validate(
            api.post_json(f"/staff/cases/{case_id}/{endpoint}", {"version": detail.version, **body})
        )
    return detail


TO_PAID = (
    ("accept", {}),
    ("approve", {"payment_link": "https://pay.example.cn/p/1", "premium": "96.50"}),
    ("record-payment", {}),
)


@pytest.fixture
def second_desk(live_server: LiveServer, supervisor: StaffAccount) -> Callable[[], ApiClient]:
    """Another person of the same member at another PC (the supervisor), acting over plain HTTP."""
    clients: list[ApiClient] = []

    def make() -> ApiClient:
        client = ApiClient(live_server.url)
        client.login(supervisor.username, supervisor.password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_a_conflict_is_said_in_plain_words_and_the_fresh_case_is_shown(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, second_desk: Callable[[], ApiClient]
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "accept")
    advance(second_desk(), case_id, ("accept", {}))  # someone else was quicker

    dialog.send_button.click()
    qtbot.waitUntil(
        lambda: window.case is not None and window.case.status == CaseStatus.REVIEWING.value, timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: dialog.error_label.text() != STALE_LOADING_TEXT, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "该申请已被他人更新,当前状态为“审核中”,不能再执行“受理”。"
    assert not dialog.send_button.isEnabled() and dialog.isVisible()
    assert window.view.status_label.text() == "审核中"
    assert "该申请已被他人更新" in window.view.notice_label.text()
    assert window.view.action_buttons["approve"].isEnabled()


def test_after_a_conflict_an_action_still_allowed_can_be_sent_again_with_what_was_typed(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, second_desk: Callable[[], ApiClient]
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "note")
    assert isinstance(dialog, NoteDialog)
    dialog.text_edit.setPlainText("客户下午三点来窗口")
    advance(second_desk(), case_id, ("accept", {}))

    dialog.send_button.click()
    qtbot.waitUntil(
        lambda: dialog.send_button.isEnabled() and "请核对后" in dialog.error_label.text(), timeout=TIMEOUT_MS
    )
    assert dialog.text_edit.toPlainText() == "客户下午三点来窗口"
    detail = send(qtbot, dialog)
    assert detail.events[-1].action == "note" and detail.events[-1].payload["text"] == "客户下午三点来窗口"


def test_with_the_server_down_the_dialog_keeps_its_text_and_the_retry_succeeds_with_the_same_key(
    qtbot: Any,
    citizen: CitizenApplicant,
    case_windows: CaseWindows,
    live_server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "reject")
    assert isinstance(dialog, RejectDialog)
    keys: list[str | None] = []
    real_post = dialog.api.post_json

    def recording_post(path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        keys.append(idempotency_key)
        return real_post(path, body, idempotency_key=idempotency_key)

    monkeypatch.setattr(dialog.api, "post_json", recording_post)
    dialog.text_edit.setPlainText("车辆不属于本区县,请到东台市窗口办理")

    live_server.stop()
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.retry_button.isVisible(), timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == UNREACHABLE_TEXT
    assert dialog.text_edit.toPlainText() == "车辆不属于本区县,请到东台市窗口办理"
    assert dialog.isVisible()

    live_server.start()
    with qtbot.waitSignal(dialog.sent, timeout=TIMEOUT_MS) as blocker:
        dialog.retry_button.click()
    assert blocker.args[0].status == CaseStatus.REJECTED.value
    assert len(keys) == 2 and keys[0] is not None and keys[0] == keys[1]
    qtbot.waitUntil(lambda: window.view.status_label.text() == "已退回", timeout=TIMEOUT_MS)


def test_a_retry_whose_first_attempt_did_arrive_counts_as_done(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "accept")
    real_post = dialog.api.post_json
    answers_lost = [True]

    def post_then_lose_the_answer(path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        result = real_post(path, body, idempotency_key=idempotency_key)
        if answers_lost.pop() if answers_lost else False:
            raise ServerUnreachable()  # the server did it; the answer never came back
        return result

    monkeypatch.setattr(dialog.api, "post_json", post_then_lose_the_answer)
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.retry_button.isVisible(), timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dialog.sent, timeout=TIMEOUT_MS) as blocker:
        dialog.retry_button.click()  # 409 from the server: the fresh case shows our own accept
    assert blocker.args[0].status == CaseStatus.REVIEWING.value
    assert [e.action for e in blocker.args[0].events].count("accept") == 1


def test_escape_closes_a_dialog_and_nothing_is_sent(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    version = window.case.version if window.case else 0
    dialog = start_action(qtbot, window, "reject")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and window.active_dialog is None
    window.reload()
    qtbot.waitUntil(lambda: not window.loading, timeout=TIMEOUT_MS)
    assert window.case is not None and window.case.version == version


def test_an_empty_reason_is_refused_before_anything_is_sent(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "reject")
    monkeypatch.setattr(dialog.api, "post_json", lambda *a, **k: pytest.fail("nothing may be sent"))
    dialog.text_edit.setPlainText("   ")
    dialog.send_button.click()
    assert dialog.error_label.text() == "请填写退回原因"  # the request schema's own words
    assert not dialog.sending


def test_the_payment_dialog_shows_a_qr_only_for_a_real_link_and_enlarges_it(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, clerk_api: ApiClient
) -> None:
    case_id = citizen.submit_application()["id"]
    advance(clerk_api, case_id, ("accept", {}))
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "approve")
    assert isinstance(dialog, ApproveDialog)
    dialog.link_edit.setText("http://pay.example.cn/unsafe")
    assert dialog.qr.image is None and not dialog.enlarge_button.isEnabled()
    dialog.link_edit.setText("https://pay.example.cn/p/2")
    assert dialog.qr.image is not None and dialog.enlarge_button.isEnabled()
    dialog.premium_edit.setText("")
    qtbot.keyClicks(dialog.premium_edit, "12a3.456")
    assert dialog.premium_edit.text() == "123.45"  # letters and a third decimal are not accepted
    dialog.enlarge_button.click()
    large = dialog.findChild(QrLargeDialog)
    assert large is not None and large.qr.text == "https://pay.example.cn/p/2"
    qtbot.keyClick(large, Qt.Key.Key_Escape)


def test_the_e_policy_sms_preview_is_the_sms_sent(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, clerk_api: ApiClient, live_server: LiveServer
) -> None:
    case_id = citizen.submit_application()["id"]
    advance(clerk_api, case_id, *TO_PAID)
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "issue_policy")
    assert isinstance(dialog, IssuePolicyDialog)
    dialog.number_edit.setText("PDZA2026320900000099")
    dialog.link_edit.setText("https://policy.example.cn/e/99")
    preview = dialog.preview.text
    detail = send(qtbot, dialog)
    assert detail.status == CaseStatus.COMPLETED.value
    assert outbox(live_server, citizen.phone)[-1].text == preview


def test_moving_offline_keeps_payment_and_policy_open_for_the_remote_follow_up(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, clerk_api: ApiClient
) -> None:
    case_id = citizen.submit_application()["id"]
    advance(clerk_api, case_id, ("accept", {}))
    window = open_case(qtbot, case_windows, case_id)
    dialog = start_action(qtbot, window, "move_offline")
    dialog.text_edit.setPlainText("客户年纪大不会用手机缴费,约好到窗口现场办理")  # type: ignore[attr-defined]
    detail = send(qtbot, dialog)
    assert detail.status == CaseStatus.OFFLINE.value
    qtbot.waitUntil(lambda: window.view.status_label.text() == "转线下", timeout=TIMEOUT_MS)
    enabled = {a for a, b in window.view.action_buttons.items() if b.isEnabled()}
    assert {"approve", "record_payment", "issue_policy", "reject"} <= enabled
    assert "转线下" in window.view.timeline.topLevelItem(0).text(1)


def test_buttons_follow_the_role(qtbot: Any, citizen: CitizenApplicant, clerk_api: ApiClient, runner: Any) -> None:
    coordinator_view = CaseWindows(clerk_api, runner, role=lambda: Role.COORDINATOR.value)
    window: CaseWindow = open_case(qtbot, coordinator_view, citizen.submit_application()["id"])
    assert set(window.view.action_buttons) == {"reject", "reassign", "call", "note"}
    coordinator_view.close_all()
