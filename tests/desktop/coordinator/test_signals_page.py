"""The coordinator's 预警 page against the live server: masked flags, the rule form, live reloads, opening cases.

Cases are written straight into the live server's database (the signals
only read them); the server's clock stands at Tuesday 2026-03-10 10:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlmodel import select

from common.enums import Action, CaseStatus
from common.schemas.cases import EventOut
from common.schemas.signals import SignalsOut
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.signals import SignalsPage
from desktop.coordinator.signals_models import FLAG_COLUMNS, SignalTableModel
from server.models import Case, SignalRule
from tests.desktop.conftest import LiveServer, StaffAccount
from tests.server.signals.builders import add_case, add_complaint

TIMEOUT_MS = 15_000
DAY = timedelta(days=1)
FLAGGED = "13812340003"  # 3 owners this week
PAIR = "13812340002"  # 2 owners this week
OLD_PAIR = "13812349999"  # 2 owners, one of them 20 days ago


@pytest.fixture
def seeded(live_server: LiveServer) -> dict[str, int]:
    """One phone over the default threshold, two under it, a long-overdue case, a low rating, a complaint."""
    ctx = live_server.ctx
    now = ctx.clock.now()
    owner = iter(range(1, 100))
    for _ in range(3):
        add_case(ctx, owner=next(owner), applicant_phone=FLAGGED, submitted_at=now - DAY)
    for _ in range(2):
        add_case(ctx, owner=next(owner), applicant_phone=PAIR, submitted_at=now - 2 * DAY)
    add_case(ctx, owner=next(owner), applicant_phone=OLD_PAIR, submitted_at=now - DAY)
    add_case(ctx, owner=next(owner), applicant_phone=OLD_PAIR, submitted_at=now - 20 * DAY)
    late = add_case(
        ctx,
        owner=next(owner),
        owner_phone="13700000001",
        submitted_at=now - 4 * DAY,
        due_at=now - 2 * DAY,
    )
    rated = add_case(
        ctx,
        owner=next(owner),
        owner_phone="13700000002",
        submitted_at=now - 5 * DAY,
        status=CaseStatus.COMPLETED,
        rating=1,
        rating_comment="等了很久",
        rated_at=now - DAY,
    )
    add_complaint(ctx, rated, "窗口电话打不通", at=now - DAY)
    return {"late": late.id or 0, "rated": rated.id or 0}


@pytest.fixture
def page(
    qtbot: Any,
    api: ApiClient,
    runner: TaskRunner,
    coordinator: StaffAccount,
    seeded: dict[str, int],
) -> Iterator[SignalsPage]:
    """The page, logged in as the coordinator, with its first signals on screen."""
    api.login(coordinator.username, coordinator.password)
    widget = SignalsPage(api, runner, debounce_ms=50)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT_MS):
        widget.refresh()
    yield widget
    widget.poll_timer.stop()
    runner.wait_for_idle(10_000)


def shown(model: SignalTableModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def every_cell(page: SignalsPage) -> str:
    models = (
        page.flags_model,
        page.applications_model,
        page.overdue_model,
        page.ratings_model,
        page.complaints_model,
    )
    return " ".join(
        str(model.index(row, column).data())
        for model in models
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    )


def save_through_form(qtbot: Any, page: SignalsPage, *, threshold: int, window_days: int) -> SignalsOut:
    """Type the numbers into the form, press 保存, wait for the lists fetched under the new rule."""
    page.rule_form.threshold_spin.setValue(threshold)
    page.rule_form.window_spin.setValue(window_days)
    with qtbot.waitSignals([page.rule_saved, page.loaded], timeout=TIMEOUT_MS, order="strict"):
        qtbot.mouseClick(page.rule_form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.signals is not None and page.signals.rule.threshold == threshold,
        timeout=TIMEOUT_MS,
    )
    assert page.signals is not None
    return page.signals


def test_the_page_is_registered_for_the_coordinator_as_warnings() -> None:
    (spec,) = [p for p in coordinator_pages() if p.key == "signals"]
    assert spec.title == "预警"


def test_the_flagged_phone_is_shown_masked_with_its_applications(
    page: SignalsPage,
) -> None:
    assert shown(page.flags_model, 0) == ["138****0003"]
    assert shown(page.flags_model, 1) == ["3"]
    assert page.flags_model.headerData(0, Qt.Orientation.Horizontal) == "手机号"
    assert [c.title for c in FLAG_COLUMNS] == [
        "手机号",
        "不同车主数",
        "申请数",
        "最近申请",
    ]
    assert shown(page.applications_model, 1) == ["车主1", "车主2", "车主3"]
    assert page.tabs.tabText(0) == "中介嫌疑 (1)"
    assert page.tabs.tabText(1) == "超时一天以上 (1)"
    assert page.tabs.tabText(2) == "差评与投诉 (2)"
    cells = every_cell(page)
    for phone in (FLAGGED, PAIR, OLD_PAIR):
        assert phone not in cells


def test_overdue_ratings_and_complaints_are_listed_in_chinese(
    page: SignalsPage,
) -> None:
    assert shown(page.overdue_model, 5) == ["2天0小时"]
    assert shown(page.ratings_model, 3) == ["★☆☆☆☆ 1星"]
    assert shown(page.ratings_model, 4) == ["等了很久"]
    assert shown(page.complaints_model, 3) == ["窗口电话打不通"]
    assert page.rule_form.threshold_spin.value() == 3
    assert page.rule_form.window_spin.value() == 30
    assert page.rule_form.note.text() == "(默认规则)"


def test_changing_the_rule_through_the_form_changes_the_flags(
    qtbot: Any, page: SignalsPage, live_server: LiveServer
) -> None:
    lowered = save_through_form(qtbot, page, threshold=2, window_days=30)

    assert [f.phone_masked for f in lowered.intermediaries] == [
        "138****0003",
        "138****0002",
        "138****9999",
    ]
    assert shown(page.flags_model, 0) == ["138****0003", "138****0002", "138****9999"]
    assert "已保存" in page.message.text()
    assert page.rule_form.note.text().startswith("(由 市协调员(市级协调员) 于")

    narrowed = save_through_form(qtbot, page, threshold=2, window_days=7)

    assert shown(page.flags_model, 0) == ["138****0003", "138****0002"]
    assert narrowed.rule.window_days == 7
    with live_server.ctx.db.read() as session:
        stored = session.exec(select(SignalRule)).one()
    assert (stored.intermediary_threshold, stored.intermediary_window_days) == (2, 7)


def test_a_rule_the_server_refuses_is_reported_and_nothing_changes(qtbot: Any, page: SignalsPage) -> None:
    with qtbot.waitSignal(page.rule_save_failed, timeout=TIMEOUT_MS) as failed:
        page.save_rule(1, 30)  # below the spin box's minimum: only a stale client could send it

    assert "车主人数阈值应在2至50之间" in failed.args[0]
    assert page.message.text() == failed.args[0]
    assert page.rule_form.save_button.isEnabled()
    assert shown(page.flags_model, 0) == ["138****0003"]


def test_a_rating_event_reloads_the_lists_but_a_note_does_not(
    qtbot: Any, page: SignalsPage, live_server: LiveServer
) -> None:
    ctx = live_server.ctx
    now = ctx.clock.now()
    rated = add_case(
        ctx,
        owner=90,
        owner_phone="13700000003",
        submitted_at=now - 3 * DAY,
        status=CaseStatus.COMPLETED,
        rating=2,
        rated_at=now,
    )

    def event(action: Action) -> EventOut:
        return EventOut(
            seq=1, case_id=rated.id, action=action.value, action_label=action.label,
            status_after=None, actor_label="申请人", payload={}, created_at=now,
        )  # fmt: skip

    with qtbot.assertNotEmitted(page.loaded, wait=300):
        page.on_events([event(Action.NOTE), event(Action.CALL)])
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([event(Action.RATE)])

    assert shown(page.ratings_model, 3) == ["★☆☆☆☆ 1星", "★★☆☆☆ 2星"]


def test_showing_every_rating_asks_the_server_again_and_lists_the_good_ones_too(
    qtbot: Any, page: SignalsPage, live_server: LiveServer
) -> None:
    ctx = live_server.ctx
    now = ctx.clock.now()
    add_case(
        ctx,
        owner=91,
        owner_phone="13700000004",
        submitted_at=now - 3 * DAY,
        status=CaseStatus.COMPLETED,
        rating=5,
        rated_at=now - DAY,
    )

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.low_only_box.setChecked(False)

    assert sorted(shown(page.ratings_model, 3)) == ["★★★★★ 5星", "★☆☆☆☆ 1星"]


def test_double_clicking_a_case_asks_to_open_it(qtbot: Any, page: SignalsPage, seeded: dict[str, int]) -> None:
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentIndex(1)
    view = page.overdue_view
    spot = view.visualRect(page.overdue_model.index(0, 0)).center()

    with qtbot.waitSignal(page.case_open_requested, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)

    assert opened.args == [seeded["late"]]


def test_a_flag_row_is_no_case_and_opens_nothing(qtbot: Any, page: SignalsPage) -> None:
    index = page.flags_model.index(0, 0)

    assert index.data(SignalTableModel.CaseIdRole) is None
    assert page.applications_model.index(0, 0).data(SignalTableModel.CaseIdRole) is not None


def test_the_table_model_passes_qt_model_checks(qtmodeltester: Any, page: SignalsPage) -> None:
    for model in (
        page.flags_model,
        page.applications_model,
        page.overdue_model,
        page.ratings_model,
    ):
        qtmodeltester.check(model)


def test_the_case_ids_point_at_the_seeded_cases(page: SignalsPage, live_server: LiveServer) -> None:
    ids = [page.applications_model.index(row, 0).data(SignalTableModel.CaseIdRole) for row in range(3)]
    with live_server.ctx.db.read() as session:
        phones = set(session.exec(select(Case.applicant_phone).where(Case.id.in_(ids))).all())  # type: ignore[union-attr]
    assert phones == {FLAGGED}
