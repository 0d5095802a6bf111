"""The coordinator's 统计报表 page against the live server: tables, charts, presets and the Excel export.

Completed and rejected cases are written straight into the live server's
database (the statistics only read them); the server's clock stands at
Tuesday 2026-03-10 and the page's "today" is that date, so 本月 is 1–10 March.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from common.enums import BusinessType, CaseStatus, Channel, VehicleCategory
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages
from desktop.coordinator.statistics import StatisticsPage
from desktop.coordinator.stats_charts import CountChart
from desktop.coordinator.stats_models import StatsTableModel
from server.context import AppContext
from server.models import Case
from tests.desktop.conftest import LiveServer, StaffAccount
from tests.server.factories import id_number, vin

TIMEOUT_MS = 15_000
TODAY = date(2026, 3, 10)
TINGHU, YANDU = "320902", "320903"
MOTORCYCLE, TRUCK = "摩托车(含电动摩托车)", "营运货车"
_serials = itertools.count(1)


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    """A Yancheng local time (UTC+8) as an aware UTC datetime."""
    return datetime(year, month, day, hour - 8, tzinfo=UTC)


def add_case(
    ctx: AppContext,
    status: CaseStatus,
    finished_at: datetime,
    *,
    category: VehicleCategory = VehicleCategory.MOTORCYCLE,
    member: str = "picc",
    county: str = TINGHU,
    rating: int | None = None,
    reason: str | None = None,
) -> None:
    """A finished case, submitted at 09:00 on its finishing day."""
    serial = next(_serials)
    submitted = finished_at.replace(hour=1)
    case = Case(
        number=f"YC-STATS-{serial:04d}",
        channel=Channel.ONLINE.value,
        category=category.value,
        business_type=BusinessType.NEW.value,
        county_code=county,
        status=status.value,
        owner_name="王建国",
        owner_id_number=id_number(sequence=f"{serial:03d}"),
        owner_phone="13912345678",
        vin=vin(900 + serial),
        member_code=member,
        created_at=submitted,
        updated_at=finished_at,
        submitted_at=submitted,
        finished_at=finished_at,
        closing_reason=reason,
        rating=rating,
        rated_at=finished_at if rating else None,
    )
    with ctx.db.write() as session:
        session.add(case)


@pytest.fixture
def seeded(live_server: LiveServer) -> None:
    """March 2026 (本月): 3 motorcycles at 人保财险 亭湖区, 1 truck at 太保财险 盐都区, 1 rejection;
    February: 1 motorcycle; December 2025 (上一年): 1 motorcycle."""
    ctx = live_server.ctx
    done = CaseStatus.COMPLETED
    add_case(ctx, done, utc(2026, 3, 2, 15), rating=5)
    add_case(ctx, done, utc(2026, 3, 3, 11), rating=4)
    add_case(ctx, done, utc(2026, 3, 9, 16))
    add_case(
        ctx,
        done,
        utc(2026, 3, 5, 10),
        category=VehicleCategory.OPERATING_TRUCK,
        member="cpic",
        county=YANDU,
    )
    add_case(ctx, CaseStatus.REJECTED, utc(2026, 3, 4, 10), reason="车辆已注销登记")
    add_case(ctx, done, utc(2026, 2, 12, 14))
    add_case(ctx, done, utc(2025, 12, 30, 14))


@pytest.fixture
def coordinator_api(api: ApiClient, coordinator: StaffAccount) -> ApiClient:
    api.login(coordinator.username, coordinator.password)
    return api


class SaveTo:
    """The injected file chooser: answers with a fixed path and remembers the suggested name."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.suggested: list[str] = []

    def __call__(self, _parent: QWidget, name: str) -> Path | None:
        self.suggested.append(name)
        return self.path


def make_page(qtbot: Any, api: ApiClient, runner: TaskRunner, chooser: SaveTo | None = None) -> StatisticsPage:
    page = StatisticsPage(api, runner, today=lambda: TODAY, choose_file=chooser or SaveTo(None))
    qtbot.addWidget(page)
    return page


def load(qtbot: Any, page: StatisticsPage, start: Any) -> None:
    """Start a load (refresh, a preset click) and wait until its report is on screen."""
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        start()


def table_rows(page: StatisticsPage, key: str) -> dict[str, list[Any]]:
    """A tab's table as {first column: the other cells' values}, read through the model."""
    model: StatsTableModel = page.tab_pages[key].model
    return {
        str(model.index(row, 0).data()): [
            model.index(row, column).data(StatsTableModel.ValueRole) for column in range(1, model.columnCount())
        ]
        for row in range(model.rowCount())
    }


def chart_of(page: StatisticsPage, key: str) -> dict[str, float]:
    chart: CountChart = page.tab_pages[key].chart
    return dict(zip(chart.labels(), chart.values(), strict=True))


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


@pytest.mark.usefixtures("seeded")
def test_export_saves_the_servers_workbook_with_the_same_numbers(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    chooser = SaveTo(target)
    page = make_page(qtbot, coordinator_api, runner, chooser)
    load(qtbot, page, page.refresh)

    with qtbot.waitSignal(page.exported, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert saved.args == [target]
    assert chooser.suggested == ["统计报表_2026-03-01_2026-03-10.xlsx"]
    assert page.message.text() == f"已导出到 {target}"
    assert [p.name for p in exports.iterdir()] == [target.name]  # no temporary file left beside it
    book = openpyxl.load_workbook(target)
    sheet_rows = {sheet: _first_column_rows(book[sheet]) for sheet in ("按车辆类别", "按成员机构", "按区县")}
    assert sheet_rows["按车辆类别"][MOTORCYCLE] == table_rows(page, "category")[MOTORCYCLE][0] == 3
    assert sheet_rows["按车辆类别"][TRUCK] == 1
    assert sheet_rows["按成员机构"]["人保财险"] == 3
    assert sheet_rows["按区县"]["亭湖区"] == 3
    assert sheet_rows["按区县"]["盐都区"] == 1
    assert isinstance(sheet_rows["按车辆类别"][MOTORCYCLE], int)  # a number Excel can sum, not text


def _first_column_rows(sheet: Any) -> dict[str, Any]:
    """{first cell: second cell} for every row whose first cell is text (the heads and data rows)."""
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str) and len(row) > 1}


@pytest.mark.usefixtures("seeded")
def test_an_unreachable_server_during_export_shows_why_and_leaves_the_old_file_alone(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    target.write_bytes(b"last month's workbook")
    page = make_page(qtbot, coordinator_api, runner, SaveTo(target))
    load(qtbot, page, page.refresh)
    live_server.stop()

    with qtbot.waitSignal(page.export_failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert page.message.text() == "导出失败,未保存文件:无法连接服务器,请检查网络"
    assert target.read_bytes() == b"last month's workbook"
    assert [p.name for p in exports.iterdir()] == [target.name]
    assert page.export_button.isEnabled()  # the coordinator may try again


@pytest.mark.usefixtures("seeded")
def test_a_server_error_on_export_shows_its_message_and_writes_nothing(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    """The report comes from the real server; the workbook request meets a 500 (a transport in between)."""
    real = httpx.HTTPTransport()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/coordinator/stats.xlsx"):
            return httpx.Response(500, json={"detail": "统计报表生成失败,请联系管理员"})
        return real.handle_request(request)

    failing = ApiClient(live_server.url, transport=httpx.MockTransport(handler))
    failing.token = coordinator_api.token
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    page = make_page(qtbot, failing, runner, SaveTo(target))
    try:
        load(qtbot, page, page.refresh)
        with qtbot.waitSignal(page.export_failed, timeout=TIMEOUT_MS):
            qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    finally:
        runner.wait_for_idle(TIMEOUT_MS)
        failing.close()
        real.close()

    assert page.message.text() == "导出失败,未保存文件:统计报表生成失败,请联系管理员"
    assert list(exports.iterdir()) == []


@pytest.mark.usefixtures("seeded")
def test_cancelling_the_file_dialog_downloads_nothing(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    chooser = SaveTo(None)
    page = make_page(qtbot, coordinator_api, runner, chooser)
    load(qtbot, page, page.refresh)

    with qtbot.assertNotEmitted(runner.busy_changed):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert chooser.suggested == ["统计报表_2026-03-01_2026-03-10.xlsx"]


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
