"""Shared by the 统计报表 page tests: finished cases written into the live server, the page, reading its tables.

Completed and rejected cases are written straight into the live server's
database (the statistics only read them); the server's clock stands at
Tuesday 2026-03-10 and the page's "today" is that date, so 本月 is 1–10 March.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from common.enums import BusinessType, CaseStatus, Channel, VehicleCategory
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
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


@pytest.fixture(name="seeded")
def seeded_fixture(live_server: LiveServer) -> None:
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


@pytest.fixture(name="coordinator_api")
def coordinator_api_fixture(api: ApiClient, coordinator: StaffAccount) -> ApiClient:
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
    """The page on the test's "today"; feed events are acted on after 50 ms rather than half a second."""
    page = StatisticsPage(api, runner, today=lambda: TODAY, choose_file=chooser or SaveTo(None), debounce_ms=50)
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
