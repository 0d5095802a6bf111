"""The case view against the real server: what a clerk sees of a case, and how it stays current."""

from __future__ import annotations

from typing import Any

from common.enums import CaseStatus
from desktop.case.opener import CaseWindows
from tests.desktop.case_fixtures import OFFSCREEN_RAISE, TIMEOUT_MS, case_windows, clerk_api, open_case  # noqa: F401
from tests.desktop.conftest import CitizenApplicant

pytestmark = OFFSCREEN_RAISE


def test_the_case_shows_owner_vehicle_checklist_thumbnails_and_timeline(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    view = window.view
    assert window.case is not None and window.case.status == CaseStatus.ASSIGNED.value
    assert view.status_label.text() == "待受理"
    assert view.owner.values["owner_id"].text().count("*") == 8
    assert view.owner.values["owner_phone"].text() == citizen.phone
    assert all(view.checklist.is_present(k) for k in window.case.required_documents)
    qtbot.waitUntil(lambda: view.documents.thumbnails_loaded() == 4, timeout=TIMEOUT_MS)
    assert view.action_buttons["accept"].isEnabled()
    assert not view.action_buttons["approve"].isEnabled()
    assert "decide" not in view.action_buttons  # a clerk never decides escalations
    assert view.timeline.topLevelItemCount() == len(window.case.events)
