"""The board's table models without a server: Qt's model rules, texts, colours, updates in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from common.schemas.board import BoardRow, CompletionRate, UnassignedCase
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.board import BoardPage, rate_text
from desktop.coordinator.board_models import (
    ALERT_BACKGROUND,
    BOARD_TITLES,
    MUTED_TEXT,
    BoardColumn,
    BoardModel,
    UnassignedModel,
)

BACKGROUND = Qt.ItemDataRole.BackgroundRole


def board_row(member: str = "picc", *, window_available: bool = True, **counts: int) -> BoardRow:
    figures = {
        "open_cases": 0,
        "due_today": 0,
        "overdue": 0,
        "awaiting_supplement": 0,
        "awaiting_payment": 0,
    }
    return BoardRow(
        county_code="320902",
        county_name="亭湖区",
        member_code=member,
        member_name={"picc": "人保财险", "cpic": "太保财险"}[member],
        window_available=window_available,
        **(figures | counts),
    )


def waiting_case(case_id: int = 1, *, overdue: bool = False) -> UnassignedCase:
    return UnassignedCase(
        id=case_id,
        number=f"YC20260310-{case_id:04d}",
        county_code="320902",
        county_name="亭湖区",
        category="motorcycle",
        category_label="摩托车(含电动摩托车)",
        submitted_at=datetime(2026, 3, 10, 1, 30, tzinfo=UTC),
        due_at=datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
        overdue=overdue,
    )


def test_the_board_model_follows_qt_rules(qtmodeltester: Any) -> None:
    model = BoardModel()
    model.set_rows(
        [
            board_row("picc", overdue=2, open_cases=3),
            board_row("cpic", window_available=False),
        ]
    )
    qtmodeltester.check(model)


def test_the_board_shows_chinese_headers_counts_and_red_overdue_cells() -> None:
    model = BoardModel()
    model.set_rows(
        [
            board_row("picc", open_cases=3, overdue=2),
            board_row("cpic", window_available=False),
        ]
    )

    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == list(BOARD_TITLES) and headers[BoardColumn.OVERDUE] == "已超时"
    assert model.index(0, BoardColumn.MEMBER).data() == "人保财险"
    assert model.index(0, BoardColumn.OPEN).data() == "3"
    assert model.index(0, BoardColumn.OPEN).data(BoardModel.SortRole) == 3
    assert model.index(0, BoardColumn.OVERDUE).data(BACKGROUND) == ALERT_BACKGROUND
    assert model.index(1, BoardColumn.OVERDUE).data(BACKGROUND) is None  # none overdue: no alarm
    assert model.index(1, BoardColumn.WINDOW).data() == "暂停接单"
    assert model.index(1, BoardColumn.OPEN).data(Qt.ItemDataRole.ForegroundRole) == MUTED_TEXT  # zeros recede
    assert model.index(0, BoardColumn.OPEN).data(Qt.ItemDataRole.ForegroundRole) is None


def test_new_figures_for_the_same_windows_update_in_place(qtbot: Any) -> None:
    model = BoardModel()
    model.set_rows([board_row("picc"), board_row("cpic")])

    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.set_rows([board_row("picc", open_cases=1), board_row("cpic")])

    assert model.index(0, BoardColumn.OPEN).data() == "1"
    with qtbot.waitSignal(model.modelReset):
        model.set_rows([board_row("picc")])
    assert model.rowCount() == 1


def test_the_unassigned_model_follows_qt_rules_and_marks_overdue_cases(
    qtmodeltester: Any,
) -> None:
    model = UnassignedModel()
    model.set_cases([waiting_case(1, overdue=True), waiting_case(2)])
    qtmodeltester.check(model)

    assert [model.index(0, c).data() for c in range(model.columnCount())] == [
        "YC20260310-0001",
        "亭湖区",
        "摩托车(含电动摩托车)",
        "03-10 09:30",
        "已超时",
    ]
    assert model.index(0, 4).data(BACKGROUND) == ALERT_BACKGROUND
    assert model.index(1, 4).data() == "03-10 17:30 前"
    assert model.index(1, 0).data(UnassignedModel.CaseIdRole) == 2


def test_due_today_and_overdue_headers_say_they_never_overlap() -> None:
    model = BoardModel()
    tip = Qt.ItemDataRole.ToolTipRole

    due_today = model.headerData(BoardColumn.DUE_TODAY, Qt.Orientation.Horizontal, tip)
    assert due_today.startswith("今日到期(未超时)") and "已超时的只计入" in due_today
    assert "不论哪天到期" in model.headerData(BoardColumn.OVERDUE, Qt.Orientation.Horizontal, tip)
    assert model.headerData(BoardColumn.OPEN, Qt.Orientation.Horizontal, tip) is None


def test_the_boards_rates_say_how_they_are_measured(qtbot: Any, runner: TaskRunner) -> None:
    api = ApiClient("http://no1window.test")  # never asked: the page is not refreshed
    page = BoardPage(api, runner)
    qtbot.addWidget(page)

    for label in (page.today_label, page.month_label):
        assert "截止时间后或非工作日提交的,以次一工作日下班为限" in label.toolTip()
        assert "含等待客户补充材料的时间" in label.toolTip()
    api.close()


def test_rates_read_as_percent_with_their_counts_or_a_dash() -> None:
    assert rate_text(CompletionRate(completed=0, same_day=0, rate=None)) == "—"
    assert rate_text(CompletionRate(completed=13, same_day=12, rate=0.9231)) == "92.3%(12/13 件)"
