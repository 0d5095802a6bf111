"""The coordinator's 统计报表 page against the live server: the figures in tables and charts, the presets, the range.

The data set and helpers are in `stats_support`: 本月 is 1–10 March 2026.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.statistics import StatisticsPage
from tests.desktop.conftest import StaffAccount
from tests.desktop.coordinator.stats_support import (  # noqa: F401 - fixtures
    MOTORCYCLE,
    TIMEOUT_MS,
    TODAY,
    TRUCK,
    chart_of,
    coordinator_api_fixture,
    load,
    make_page,
    seeded_fixture,
    table_rows,
)


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
