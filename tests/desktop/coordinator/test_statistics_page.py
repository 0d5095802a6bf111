"""The coordinator's 统计报表 page against the live server: the figures in tables and charts, the presets, the range.

The data set and helpers are in `stats_support`: 本月 is 1–10 March 2026.
Feed events are handed to the page as the main window would (`on_events`),
after the change they report has been written into the server's database.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlmodel import select

from common.enums import Action, CaseStatus
from common.schemas.cases import EventOut
from common.schemas.stats import Statistics
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator import statistics
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.statistics import FINISHING_ACTIONS, StatisticsPage, changes_figures
from server.models import Case
from tests.desktop.conftest import LiveServer, StaffAccount
from tests.desktop.coordinator.stats_support import (  # noqa: F401 - fixtures
    MOTORCYCLE,
    TIMEOUT_MS,
    TODAY,
    TRUCK,
    SaveTo,
    add_case,
    chart_of,
    coordinator_api_fixture,
    load,
    make_page,
    seeded_fixture,
    table_rows,
    utc,
)

NOW = utc(2026, 3, 10, 10)  # the server's clock
THIS_MONTH = (date(2026, 3, 1), TODAY)
LAST_YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.usefixtures("seeded")
def test_refresh_shows_this_months_counts_in_the_tables_and_the_charts(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    page = make_page(qtbot, coordinator_api, runner)

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.refresh()
        assert not page.busy.isHidden()  # the progress bar runs while the server counts
        assert not page.query_button.isEnabled()

    assert page.busy.isHidden()
    assert page.query_button.isEnabled()
    assert page.date_range() == (date(2026, 3, 1), TODAY)
    assert "累计兜底承保车辆 4 台" in page.headline.text()
    summary = {name.strip(): values[0] for name, values in table_rows(page, "summary").items()}
    assert summary["累计兜底承保车辆"] == "4 台"
    assert summary[f"其中 {MOTORCYCLE}"] == "3 台"
    assert summary[f"其中 {TRUCK}"] == "1 台"
    assert summary["退回件数"] == "1 件"
    assert summary["评价条数"] == "2 条"
    assert summary["平均评分"] == "4.50 分"

    categories = table_rows(page, "category")
    assert categories[MOTORCYCLE][0] == 3
    assert categories[TRUCK][0] == 1
    assert categories["合计"][0] == 4
    category_chart = chart_of(page, "category")
    assert category_chart[MOTORCYCLE] == 3
    assert category_chart[TRUCK] == 1
    assert sum(category_chart.values()) == 4

    members = table_rows(page, "member")
    assert (members["人保财险"][0], members["太保财险"][0]) == (3, 1)
    assert chart_of(page, "member")["人保财险"] == 3

    counties = table_rows(page, "county")
    assert counties["亭湖区"][0] == 3
    assert counties["盐都区"][0] == 1
    assert chart_of(page, "county") == {
        name: {"亭湖区": 3, "盐都区": 1}.get(name, 0) for name in page.tab_pages["county"].chart.labels()
    }
    header = page.tab_pages["county"].model.headerData(2, Qt.Orientation.Horizontal)
    assert header == "人保财险"
    assert counties["亭湖区"][1] == 3  # the county × member split: all of 亭湖区's at 人保财险

    assert table_rows(page, "rejections") == {"车辆已注销登记": [1], "合计": [1]}
    ratings = table_rows(page, "ratings")
    assert (ratings["5 星"], ratings["4 星"], ratings["合计"]) == ([1], [1], [2])
    assert page.export_button.isEnabled()


@pytest.mark.usefixtures("seeded")
def test_the_presets_load_this_year_by_month_and_last_year(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    page = make_page(qtbot, coordinator_api, runner)

    load(
        qtbot,
        page,
        lambda: qtbot.mouseClick(page.this_year_button, Qt.MouseButton.LeftButton),
    )

    assert page.date_range() == (date(2026, 1, 1), TODAY)
    assert page.report is not None and page.report.completed == 5
    months = table_rows(page, "month")
    assert [months[m][0] for m in ("2026年1月", "2026年2月", "2026年3月")] == [0, 1, 4]
    assert months["合计"][0] == 5
    line = page.tab_pages["month"].chart
    assert line.labels() == ["2026年1月", "2026年2月", "2026年3月"]
    assert line.values() == [0, 1, 4]

    load(
        qtbot,
        page,
        lambda: qtbot.mouseClick(page.last_year_button, Qt.MouseButton.LeftButton),
    )

    assert page.date_range() == (date(2025, 1, 1), date(2025, 12, 31))
    assert "累计兜底承保车辆 1 台" in page.headline.text()
    assert table_rows(page, "month")["2025年12月"][0] == 1


@pytest.mark.usefixtures("seeded")
def test_a_chosen_range_is_kept_when_the_page_is_refreshed_again(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    page = make_page(qtbot, coordinator_api, runner)
    load(
        qtbot,
        page,
        lambda: qtbot.mouseClick(page.last_year_button, Qt.MouseButton.LeftButton),
    )

    load(qtbot, page, page.refresh)  # e.g. after logging in again

    assert page.date_range() == (date(2025, 1, 1), date(2025, 12, 31))
    assert page.report is not None and page.report.completed == 1


def test_a_reversed_range_is_refused_without_asking_the_server(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    page = make_page(qtbot, coordinator_api, runner)
    page.from_edit.setDate(page.to_edit.date().addDays(1))

    with qtbot.assertNotEmitted(runner.busy_changed):
        qtbot.mouseClick(page.query_button, Qt.MouseButton.LeftButton)

    assert page.message.text() == "开始日期不能晚于结束日期"
    assert page.report is None


def test_a_clerk_is_told_the_statistics_are_not_for_them(
    qtbot: Any, api: ApiClient, clerk: StaffAccount, runner: TaskRunner
) -> None:
    api.login(clerk.username, clerk.password)
    page = make_page(qtbot, api, runner)

    with qtbot.waitSignal(page.load_failed, timeout=TIMEOUT_MS) as failed:
        page.refresh()

    assert failed.args[0].startswith("统计失败:")
    assert page.report is None
    assert not page.export_button.isEnabled()
    assert page.busy.isHidden()


def test_the_page_is_one_of_the_coordinators_pages(qtbot: Any, api: ApiClient, runner: TaskRunner) -> None:
    [page] = [p for p in coordinator_pages() if p.key == "statistics"]

    widget = page.factory(api, runner)
    qtbot.addWidget(widget)

    assert page.title == "统计报表"
    assert isinstance(widget, StatisticsPage)


# --- following the change feed ---------------------------------------------------------------


def event(action: Action, at: datetime = NOW) -> EventOut:
    """A feed event as the server sends it."""
    return EventOut(
        seq=1, case_id=1, action=action.value, action_label=action.label,
        status_after=None, actor_label="窗口经办", payload={}, created_at=at,
    )  # fmt: skip


@pytest.fixture(name="fetches")
def fetches_fixture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[date, date]]:
    """Every range the page asks the server for, in order (the real request is still made)."""
    asked: list[tuple[date, date]] = []
    real = statistics.fetch_statistics

    def fetch(api: ApiClient, date_from: date, date_to: date) -> Statistics:
        asked.append((date_from, date_to))
        return real(api, date_from, date_to)

    monkeypatch.setattr(statistics, "fetch_statistics", fetch)
    return asked


def nothing_scheduled(page: StatisticsPage, runner: TaskRunner) -> bool:
    return not page.live.debounce_timer.isActive() and not page.live.busy and runner.busy_count == 0


def select_row(page: StatisticsPage, key: str, first_cell: str) -> None:
    tab = page.tab_pages[key]
    page.tabs.setCurrentWidget(tab)
    [row] = [r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == first_cell]
    tab.table.selectRow(row)


def selected_rows(page: StatisticsPage, key: str) -> list[str]:
    return [index.data() for index in page.tab_pages[key].table.selectionModel().selectedRows()]


@pytest.mark.usefixtures("seeded")
def test_a_case_finished_today_refetches_the_range_last_queried_once_and_keeps_the_page_as_it_was(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    fetches: list[tuple[date, date]],
    tmp_path: Path,
) -> None:
    target = tmp_path / "统计.xlsx"
    page = make_page(qtbot, coordinator_api, runner, SaveTo(target))
    load(qtbot, page, page.refresh)
    with qtbot.waitSignal(page.exported, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    select_row(page, "county", "亭湖区")
    page.from_edit.setDate(page.from_edit.date().addMonths(-1))  # typed, not queried
    add_case(live_server.ctx, CaseStatus.COMPLETED, NOW)
    add_case(live_server.ctx, CaseStatus.REJECTED, NOW, reason="重复申请")
    fetches.clear()

    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([event(Action.NOTE), event(Action.ISSUE_POLICY)])
        page.on_events([event(Action.REJECT)])  # a second batch before the first is acted on
    qtbot.waitUntil(lambda: nothing_scheduled(page, runner), timeout=TIMEOUT_MS)

    assert fetches == [THIS_MONTH]
    assert "累计兜底承保车辆 5 台" in page.headline.text()
    assert table_rows(page, "county")["亭湖区"][0] == 4
    assert chart_of(page, "county")["亭湖区"] == 4
    assert table_rows(page, "rejections")["合计"] == [2]
    assert page.tabs.currentWidget() is page.tab_pages["county"]
    assert selected_rows(page, "county") == ["亭湖区"]
    assert page.message.text() == f"已导出到 {target}"
    assert page.date_range() == (date(2026, 2, 1), TODAY)  # the typed range is left for the coordinator
    assert page.busy.isHidden()


@pytest.mark.usefixtures("seeded")
def test_events_that_cannot_change_the_figures_fetch_nothing(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner, fetches: list[tuple[date, date]]
) -> None:
    page = make_page(qtbot, coordinator_api, runner)
    quiet = [event(action) for action in Action if action.value not in FINISHING_ACTIONS and action is not Action.RATE]
    page.on_events(quiet + [event(Action.ISSUE_POLICY)])
    assert nothing_scheduled(page, runner)  # nothing queried yet, nothing to keep up to date
    load(qtbot, page, page.refresh)
    fetches.clear()

    page.on_events(quiet)  # submitted, dispatched, cancelled, noted …: none is counted

    assert nothing_scheduled(page, runner)
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([event(Action.RATE)])  # whereas a rating is
    assert fetches == [THIS_MONTH]


@pytest.mark.usefixtures("seeded")
def test_a_closed_past_range_ignores_todays_finished_cases_but_follows_a_rating_of_one_of_its_cases(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    fetches: list[tuple[date, date]],
) -> None:
    page = make_page(qtbot, coordinator_api, runner)
    load(qtbot, page, lambda: qtbot.mouseClick(page.last_year_button, Qt.MouseButton.LeftButton))
    assert table_rows(page, "ratings")["合计"] == [0]
    fetches.clear()

    page.on_events([event(Action.ISSUE_POLICY), event(Action.REJECT)])

    assert nothing_scheduled(page, runner)
    with live_server.ctx.db.write() as session:  # the applicant rates last December's case today
        [case] = session.exec(select(Case).where(Case.finished_at < utc(2026, 1, 1, 8))).all()
        case.rating, case.rated_at = 3, NOW
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.on_events([event(Action.RATE)])
    assert fetches == [LAST_YEAR]
    assert table_rows(page, "ratings")["3 星"] == [1]


@pytest.mark.usefixtures("seeded")
def test_an_event_while_the_coordinators_query_runs_is_fetched_after_its_answer(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner, fetches: list[tuple[date, date]]
) -> None:
    page = make_page(qtbot, coordinator_api, runner)
    answers: list[Statistics] = []
    page.loaded.connect(answers.append)

    page.refresh()
    page.on_events([event(Action.ISSUE_POLICY)])
    assert page.live.debounce_timer.isActive()
    page.live.now()  # what the timer does: the debounce delay is over before the query's answer is in
    assert runner.busy_count == 1  # no second request beside the query

    qtbot.waitUntil(lambda: len(answers) == 2 and nothing_scheduled(page, runner), timeout=TIMEOUT_MS)
    assert fetches == [THIS_MONTH, THIS_MONTH]
    assert page.message.text() == ""  # "正在统计…" went with the query's answer


@pytest.mark.usefixtures("seeded")
def test_an_export_running_during_a_refresh_goes_on_and_keeps_its_message(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner, tmp_path: Path
) -> None:
    target = tmp_path / "统计.xlsx"
    page = make_page(qtbot, coordinator_api, runner, SaveTo(target))
    load(qtbot, page, page.refresh)
    messages_on_load: list[str] = []
    page.loaded.connect(lambda _report: messages_on_load.append(page.message.text()))

    with qtbot.waitSignals([page.exported, page.loaded], timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        page.on_events([event(Action.ISSUE_POLICY)])

    assert messages_on_load in (["正在导出…"], [f"已导出到 {target}"])
    qtbot.waitUntil(lambda: page.message.text() == f"已导出到 {target}", timeout=TIMEOUT_MS)
    assert target.stat().st_size > 0
    assert page.export_button.isEnabled()


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return utc(2026, 3, day, hour).replace(minute=minute)


@pytest.mark.parametrize(
    ("action", "at", "date_range", "changes"),
    [
        (Action.ISSUE_POLICY, _at(10, 10), THIS_MONTH, True),
        (Action.REJECT, _at(10, 10), THIS_MONTH, True),
        (Action.ISSUE_POLICY, _at(10, 10), LAST_YEAR, False),
        # 23:59 on the 9th read after midnight: yesterday's range changed, today's did not
        (Action.ISSUE_POLICY, _at(9, 23, 59), (date(2026, 3, 9), date(2026, 3, 9)), True),
        (Action.ISSUE_POLICY, _at(9, 23, 59), (TODAY, TODAY), False),
        (Action.RATE, _at(10, 10), LAST_YEAR, True),
        (Action.RATE, _at(10, 10), (date(2026, 3, 11), date(2026, 3, 31)), False),  # nothing finishes ahead
        (Action.CANCEL, _at(10, 10), THIS_MONTH, False),
        (Action.SUBMIT, _at(10, 10), THIS_MONTH, False),
        (Action.DISPATCH, _at(10, 10), THIS_MONTH, False),
    ],
)
def test_which_events_change_which_ranges(
    action: Action, at: datetime, date_range: tuple[date, date], changes: bool
) -> None:
    assert changes_figures(event(action, at), *date_range) is changes


def test_the_finishing_actions_are_those_that_end_in_a_counted_status() -> None:
    assert FINISHING_ACTIONS == {Action.ISSUE_POLICY.value, Action.REJECT.value}
