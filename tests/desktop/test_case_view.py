"""The case view against the real server: what a clerk sees of a case, and how it stays current."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from sqlmodel import select

from common.enums import CaseStatus
from common.schemas.cases import CaseDetail
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.case.opener import CaseWindows
from desktop.case.window import GONE_TEXT
from desktop.main_window import MainWindow
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from server.models import Branch, Case, Event
from tests.desktop.case_fixtures import OFFSCREEN_RAISE, TIMEOUT_MS, case_windows, clerk_api, open_case  # noqa: F401
from tests.desktop.conftest import TINGHU, CitizenApplicant, LiveServer, StaffAccount

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


def test_the_full_id_number_is_shown_on_request_and_the_view_is_recorded(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, live_server: LiveServer
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    view = window.view
    qtbot.mouseClick(view.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "*" not in view.owner.values["owner_id"].text(), timeout=TIMEOUT_MS)
    with live_server.ctx.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and view.owner.values["owner_id"].text() == case.owner_id_number
        reveals = session.exec(select(Event).where(Event.case_id == case_id, Event.action == "reveal_id")).all()
    assert len(reveals) == 1 and case.owner_id_number not in str(reveals[0].payload)
    assert view.reveal_button.isHidden()
    window.reload()  # a fresh copy of the same case keeps the number shown
    qtbot.waitUntil(lambda: not window.loading, timeout=TIMEOUT_MS)
    assert "*" not in view.owner.values["owner_id"].text()


def test_a_change_made_elsewhere_refreshes_the_open_case_through_the_feed(
    qtbot: Any,
    citizen: CitizenApplicant,
    clerk: StaffAccount,
    api: ApiClient,
    runner: TaskRunner,
    prefs: Preferences,
    live_server: LiveServer,
) -> None:
    case_id = citizen.submit_application()["id"]
    main = MainWindow(api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    qtbot.addWidget(main)
    main.start_session(api.login(clerk.username, clerk.password))
    qtbot.waitUntil(lambda: main.feed is not None and main.feed.isRunning(), timeout=TIMEOUT_MS)
    main.request_open_case(case_id)
    window = main.case_windows.windows[case_id]
    qtbot.waitUntil(lambda: window.case is not None, timeout=TIMEOUT_MS)
    assert window.view.status_label.text() == "待受理"

    other_pc = ApiClient(live_server.url)
    other_pc.login(clerk.username, clerk.password)  # the same clerk at the other counter PC
    version = CaseDetail.model_validate(other_pc.get_json(f"/staff/cases/{case_id}")).version
    other_pc.post_json(f"/staff/cases/{case_id}/accept", {"version": version})
    other_pc.close()

    qtbot.waitUntil(lambda: window.view.status_label.text() == "审核中", timeout=TIMEOUT_MS)
    assert window.view.action_buttons["request_supplement"].isEnabled()
    main.close()


def test_a_case_reassigned_away_says_so_and_offers_no_action(
    qtbot: Any, citizen: CitizenApplicant, case_windows: CaseWindows, coordinator: StaffAccount, live_server: LiveServer
) -> None:
    case_id = citizen.submit_application()["id"]
    window = open_case(qtbot, case_windows, case_id)
    city = ApiClient(live_server.url)
    city.login(coordinator.username, coordinator.password)
    version = CaseDetail.model_validate(city.get_json(f"/staff/cases/{case_id}")).version
    with live_server.ctx.db.write() as session:  # 太平洋财险's window opens so the case can go there
        for branch in session.exec(select(Branch).where(Branch.county_code == TINGHU)).all():
            branch.available = True
            session.add(branch)
    city.post_json(
        f"/staff/cases/{case_id}/reassign", {"version": version, "member_code": "cpic", "reason": "客户要求"}
    )
    city.close()

    window.reload()
    qtbot.waitUntil(lambda: window.view.notice_label.isVisible(), timeout=TIMEOUT_MS)
    assert window.view.notice_label.text() == GONE_TEXT
    assert not any(button.isEnabled() for button in window.view.action_buttons.values())
