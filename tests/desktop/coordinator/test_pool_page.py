"""The 分派设置 page against the real server: edit, confirm, save, see the history; failures leave the server's data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QMessageBox, QSpinBox
from sqlmodel import col, select

from common.enums import Action, Role
from common.schemas.cases import EventOut
from common.schemas.pool import WindowChangeIn
from desktop.api.client import ApiClient, Refused
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.pool import PoolPage
from desktop.coordinator.pool_models import HistoryModel, WindowColumn, WindowsModel
from server.actor import Actor
from server.dispatch.windows import set_window
from server.models import Branch, Event
from tests.desktop.conftest import TINGHU, WORKING_MORNING, CitizenApplicant, LiveServer, StaffAccount
from tests.server.queue.builders import add_event, make_case

TIMEOUT_MS = 15_000
YANDU = "320903"


@pytest.fixture
def page(qtbot: Any, api: ApiClient, runner: TaskRunner, coordinator: StaffAccount) -> Iterator[PoolPage]:
    api.login(coordinator.username, coordinator.password)
    widget = PoolPage(api, runner, debounce_ms=50)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT_MS):
        widget.refresh()
    yield widget
    runner.wait_for_idle(10_000)


def row_of(page: PoolPage, member_code: str) -> int:
    return next(i for i, w in enumerate(page.model.windows) if w.member_code == member_code)


def cell(page: PoolPage, member_code: str, column: WindowColumn) -> QModelIndex:
    return page.model.index(row_of(page, member_code), int(column))


def toggle_available(qtbot: Any, page: PoolPage, member_code: str) -> None:
    """Select the 接单 cell and press Space, as the coordinator does with the keyboard."""
    index = cell(page, member_code, WindowColumn.AVAILABLE)
    page.table.setFocus()
    page.table.setCurrentIndex(index)
    QTest.keyClick(page.table, Qt.Key.Key_Space)


def type_weight(qtbot: Any, page: PoolPage, member_code: str, weight: int) -> None:
    """Open the weight's spin box, type the number, press Enter."""
    index = cell(page, member_code, WindowColumn.WEIGHT)
    page.table.setCurrentIndex(index)
    page.table.edit(index)
    editor = page.table.indexWidget(index)  # the open editor of this cell (closed ones may linger as children)
    assert isinstance(editor, QSpinBox), "the weight is edited with a spin box"
    assert (editor.minimum(), editor.maximum()) == (1, 100)
    editor.selectAll()
    QTest.keyClicks(editor, str(weight))
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits and closes the editor on the next turn of the event loop.
    qtbot.waitUntil(
        lambda: page.table.state() != QAbstractItemView.State.EditingState,
        timeout=TIMEOUT_MS,
    )
    assert page.model.shown(member_code, "weight") == weight


def confirm(qtbot: Any, page: PoolPage, *, accept: bool = True) -> str:
    """Press 保存修改, read the confirmation, answer it; the confirmation's text."""
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.confirm_box is not None and page.confirm_box.isVisible(),
        timeout=TIMEOUT_MS,
    )
    box = page.confirm_box
    assert box is not None
    text = box.text()
    wanted = QMessageBox.ButtonRole.AcceptRole if accept else QMessageBox.ButtonRole.RejectRole
    button = next(b for b in box.buttons() if box.buttonRole(b) == wanted)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return text


def branch(server: LiveServer, member_code: str) -> Branch:
    with server.ctx.db.read() as session:
        return session.exec(select(Branch).where(Branch.member_code == member_code, Branch.county_code == TINGHU)).one()


def test_the_page_comes_right_after_the_board_in_the_coordinators_mode() -> None:
    keys = [(p.key, p.title) for p in coordinator_pages()]
    assert ("pool", "分派设置") in keys
    assert keys.index(("pool", "分派设置")) == keys.index(("board", "全市看板")) + 1


def test_coordinator_switches_a_member_off_and_changes_a_weight_through_the_page(
    qtbot: Any, page: PoolPage, live_server: LiveServer
) -> None:
    assert page.county_code == TINGHU and len(page.model.windows) == 8

    toggle_available(qtbot, page, "picc")
    type_weight(qtbot, page, "cpic", 3)

    assert cell(page, "picc", WindowColumn.AVAILABLE).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert cell(page, "cpic", WindowColumn.WEIGHT).data(Qt.ItemDataRole.FontRole).bold(), "an unsaved edit stands out"
    # The share each window would get, previewed from the edits: 3 of 3 + 6 x 1 for 太保, none for 人保.
    assert cell(page, "cpic", WindowColumn.SHARE).data() == "33.3%"
    assert cell(page, "pingan", WindowColumn.SHARE).data() == "11.1%"
    assert cell(page, "picc", WindowColumn.SHARE).data() == "—"
    assert page.save_button.isEnabled()
    assert branch(live_server, "picc").available is True, "nothing is sent before the coordinator confirms"

    with (
        qtbot.waitSignal(page.saved, timeout=TIMEOUT_MS),
        qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS),
    ):
        text = confirm(qtbot, page)

    assert "人保财险:接单状态 接单 → 暂停接单" in text
    assert "太保财险:分派权重 1 → 3" in text
    assert (
        branch(live_server, "picc").available,
        branch(live_server, "cpic").weight,
    ) == (False, 3)
    assert page.model.pending() == [] and not page.save_button.isEnabled()
    assert "已保存 2 个窗口的修改" in page.status_label.text()
    history = [
        [page.history_model.index(r, c).data() for c in range(page.history_model.columnCount())]
        for r in range(page.history_model.rowCount())
    ]
    assert [row[1:] for row in history] == [
        ["市协调员(市级协调员)", "太保财险", "分派权重 1 → 3"],
        ["市协调员(市级协调员)", "人保财险", "接单状态 接单 → 暂停接单"],
    ]
    assert history[0][0] == "2026-03-10 10:00", "in Yancheng's time, from the server's clock"
    assert cell(page, "cpic", WindowColumn.CHANGED).data().startswith("市协调员(市级协调员)")


def test_cancelling_the_confirmation_sends_nothing_and_keeps_the_edits(
    qtbot: Any, page: PoolPage, live_server: LiveServer
) -> None:
    type_weight(qtbot, page, "pingan", 7)
    text = confirm(qtbot, page, accept=False)
    assert "修改权重后" in text
    qtbot.waitUntil(lambda: page.confirm_box is None, timeout=TIMEOUT_MS)
    assert branch(live_server, "pingan").weight == 1
    assert [(c.window.member_code, c.values) for c in page.model.pending()] == [("pingan", {"weight": 7})]


def test_unreachable_server_shows_a_chinese_error_and_then_the_servers_settings(
    qtbot: Any, page: PoolPage, live_server: LiveServer
) -> None:
    type_weight(qtbot, page, "picc", 9)
    live_server.stop()

    confirm(qtbot, page)
    qtbot.waitUntil(lambda: "未保存" in page.status_label.text(), timeout=TIMEOUT_MS)

    assert "无法连接服务器" in page.status_label.text()
    assert "表格已按服务器上的设置显示" in page.status_label.text()
    assert page.model.pending() == [], "nothing on screen pretends to be saved"
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        live_server.start()  # the page's read is retried once the server is back
    assert page.model.shown("picc", "weight") == 1 == branch(live_server, "picc").weight


def test_refusal_midway_says_which_window_failed_and_which_were_saved(
    qtbot: Any, page: PoolPage, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_patch = page.api.patch_json

    def refuse_cpic(path: str, body: Any) -> Any:
        if path.endswith("/cpic"):
            raise Refused(422, "invalid", "分派权重应为1到100之间的整数")
        return real_patch(path, body)

    monkeypatch.setattr(page.api, "patch_json", refuse_cpic)
    type_weight(qtbot, page, "picc", 2)
    type_weight(qtbot, page, "cpic", 4)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        confirm(qtbot, page)

    assert page.status_label.text() == (
        "太保财险的修改未保存:分派权重应为1到100之间的整数(人保财险的修改已保存)。表格已按服务器上的设置显示。"
    )
    assert (branch(live_server, "picc").weight, branch(live_server, "cpic").weight) == (
        2,
        1,
    )
    assert (page.model.shown("picc", "weight"), page.model.shown("cpic", "weight")) == (
        2,
        1,
    )


def test_a_change_by_someone_else_shows_up_live_and_keeps_the_edit_in_progress(
    qtbot: Any, page: PoolPage, live_server: LiveServer, coordinator: StaffAccount
) -> None:
    type_weight(qtbot, page, "picc", 5)
    ctx = live_server.ctx
    other = Actor(role=Role.COORDINATOR, user_id=coordinator.id, display_name="另一位协调员")
    with ctx.db.write() as session:
        set_window(
            session,
            ctx,
            other,
            county_code=TINGHU,
            member_code="zijin",
            change=WindowChangeIn(available=False),
        )
    with ctx.db.read() as session:
        event = session.exec(select(Event).order_by(col(Event.seq).desc())).first()
    assert event is not None and event.action == Action.SET_BRANCH.value
    news = EventOut(
        seq=event.seq,
        case_id=None,
        action=event.action,
        action_label=Action.SET_BRANCH.label,
        status_after=None,
        actor_label=event.actor_label,
        payload=event.payload,
        created_at=event.created_at,
    )

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([news])

    assert page.model.shown("zijin", "available") is False
    assert page.model.shown("picc", "weight") == 5, "the coordinator's unsaved edit survives the update"
    assert page.history_model.index(0, 1).data() == "另一位协调员(市级协调员)"


def feed_event(action: Action, payload: dict[str, object], case_id: int | None = None) -> EventOut:
    return EventOut(
        seq=1,
        case_id=case_id,
        action=action.value,
        action_label=action.label,
        status_after=None,
        actor_label="市协调员(市级协调员)",
        payload=payload,
        created_at=WORKING_MORNING,
    )


def events_since(api: ApiClient, head: int) -> list[EventOut]:
    return [EventOut.model_validate(e) for e in api.get_json("/staff/events", {"after": head})["events"]]


def test_events_that_cannot_change_the_shown_county_fetch_nothing(
    qtbot: Any, page: PoolPage, runner: TaskRunner
) -> None:
    quiet = [
        feed_event(Action.SET_BRANCH, {"county_code": "320903"}),
        feed_event(Action.NOTE, {}, case_id=7),
        feed_event(Action.ACCEPT, {}, case_id=7),
        feed_event(Action.SUBMIT, {"county_code": "320903"}, case_id=8),  # names another county
    ]
    with qtbot.assertNotEmitted(runner.busy_changed, wait=300):  # well past the debounce
        page.on_events(quiet)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([feed_event(Action.SET_BRANCH, {"county_code": TINGHU})])


def test_a_burst_of_case_events_fetches_the_county_once(qtbot: Any, page: PoolPage) -> None:
    loads: list[object] = []
    page.loaded.connect(loads.append)
    burst = [feed_event(Action.SUBMIT, {}, case_id=9), feed_event(Action.DISPATCH, {"member_code": None}, case_id=9)]

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events(burst)
        page.on_events([feed_event(Action.REASSIGN, {"to_member_code": "cpic"}, case_id=3)])
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        pass

    assert len(loads) == 1


def test_the_waiting_count_follows_submissions_and_dispatches_without_a_window_event(
    qtbot: Any,
    page: PoolPage,
    api: ApiClient,
    citizen: CitizenApplicant,
    live_server: LiveServer,
    coordinator: StaffAccount,
) -> None:
    ctx = live_server.ctx
    with ctx.db.write() as session:
        picc = session.exec(select(Branch).where(Branch.county_code == TINGHU, Branch.member_code == "picc")).one()
        picc.available = False  # with the fixture's setting, no window in 亭湖区 takes cases now
        session.add(picc)
    assert page.waiting_label.text() == "本区县没有等待分派的申请"
    head = api.get_json("/staff/events")["last_seq"]

    citizen.submit_application()
    submitted = events_since(api, head)
    assert {e.action for e in submitted} >= {Action.SUBMIT.value, Action.DISPATCH.value}
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events(submitted)

    assert page.waiting_label.text() == "本区县有 1 件申请等待分派(暂无接单窗口)"

    head = submitted[-1].seq
    actor = Actor(role=Role.COORDINATOR, user_id=coordinator.id, display_name=coordinator.display_name)
    with ctx.db.write() as session:
        set_window(session, ctx, actor, county_code=TINGHU, member_code="picc", change=WindowChangeIn(available=True))
    dispatched = [e for e in events_since(api, head) if e.action == Action.DISPATCH.value]
    assert len(dispatched) == 1  # the waiting case went to 人保财险 at once
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events(dispatched)  # the dispatch alone, without the window's own event

    assert page.waiting_label.text() == "本区县没有等待分派的申请"


def test_a_dispatch_in_another_county_fetches_nothing_and_one_in_the_shown_county_does(
    qtbot: Any, page: PoolPage, api: ApiClient, live_server: LiveServer
) -> None:
    ctx = live_server.ctx
    head = api.get_json("/staff/events")["last_seq"]
    add_event(ctx, make_case(ctx, member="picc", county=YANDU), Action.DISPATCH)
    add_event(ctx, make_case(ctx, member="picc", county=TINGHU), Action.DISPATCH)
    elsewhere, here = events_since(api, head)  # as the feed sends them: the county comes from the server
    assert (elsewhere.county_code, here.county_code) == (YANDU, TINGHU)
    assert "county_code" not in elsewhere.payload, "only the event itself says its county"

    page.on_events([elsewhere])
    assert not page.live.debounce_timer.isActive() and not page.live.busy, "盐都区's dispatch asks for no fetch"

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([here])


def test_the_models_keep_qts_contracts(qtbot: Any, page: PoolPage, qtmodeltester: Any) -> None:
    type_weight(qtbot, page, "picc", 3)
    qtmodeltester.check(page.model, force_py=True)
    qtmodeltester.check(page.history_model, force_py=True)
    assert isinstance(page.model, WindowsModel) and isinstance(page.history_model, HistoryModel)


def test_the_table_refuses_a_phone_without_area_code_on_the_spot(qtbot: Any, page: PoolPage) -> None:
    index = cell(page, "picc", WindowColumn.PHONE)
    assert not page.model.setData(index, "88886666", Qt.ItemDataRole.EditRole)
    assert "带区号的固定电话" in page.status_label.text()
    assert page.model.pending() == []
    assert page.model.setData(index, "0515 8888 6666", Qt.ItemDataRole.EditRole)
    assert page.model.pending()[0].values == {"window_phone": "0515-88886666"}
