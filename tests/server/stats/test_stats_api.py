"""GET /api/v1/coordinator/stats and stats.xlsx over HTTP: the coordinator's alone, the same known counts."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from common.enums import Role
from common.schemas.stats import Statistics
from server.context import AppContext
from tests.server.queue.builders import staff
from tests.server.stats import stats_data as data
from tests.server.stats.stats_data import add_cases
from tests.server.stats.workbook_reading import assert_known_counts, open_workbook

STATS = "/api/v1/coordinator/stats"
WORKBOOK = "/api/v1/coordinator/stats.xlsx"
QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def coordinator(ctx: AppContext) -> dict[str, str]:
    return staff(ctx, "city", Role.COORDINATOR, member=None, county=None)[1]


def test_the_coordinator_gets_the_known_counts(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    add_cases(ctx.db)

    response = client.get(STATS, params=QUARTER, headers=coordinator)

    assert response.status_code == 200, response.text
    stats = Statistics.model_validate_json(response.content)
    assert (stats.date_from.isoformat(), stats.date_to.isoformat()) == (
        "2026-01-01",
        "2026-03-31",
    )
    assert stats.completed == data.COMPLETED
    assert {r.code: r.count for r in stats.by_category} == data.BY_CATEGORY
    assert {r.code: r.count for r in stats.by_member} == data.BY_MEMBER
    assert {r.code: r.count for r in stats.by_county} == data.BY_COUNTY
    assert {r.month: r.count for r in stats.by_month} == data.BY_MONTH
    assert [(r.reason, r.count) for r in stats.rejections_by_reason] == data.REJECTIONS
    assert stats.generated_at == ctx.clock.now()


def test_the_workbook_holds_the_same_counts(ctx: AppContext, client: TestClient, coordinator: dict[str, str]) -> None:
    add_cases(ctx.db)

    response = client.get(WORKBOOK, params=QUARTER, headers=coordinator)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="no1window-stats-20260101-20260331.xlsx"')
    assert f"filename*=UTF-8''{quote('1号窗口统计_2026-01-01至2026-03-31.xlsx')}" in disposition
    assert_known_counts(open_workbook(response.content))


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "开始日期不能晚于结束日期"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "统计区间最长5年,请缩短日期范围"),
        (
            {"from": "2026/01/01", "to": "2026-01-31"},
            "开始日期应为 YYYY-MM-DD 格式的日期,例如 2026-01-31",
        ),
        (
            {"from": "2026-01-01", "to": "2026-02-30"},
            "结束日期应为 YYYY-MM-DD 格式的日期,例如 2026-01-31",
        ),
        ({"to": "2026-01-31"}, "from: 请填写此项"),
    ],
)
@pytest.mark.parametrize("path", [STATS, WORKBOOK])
def test_bad_ranges_are_refused_in_chinese(
    client: TestClient,
    coordinator: dict[str, str],
    path: str,
    params: dict[str, str],
    detail: str,
) -> None:
    response = client.get(path, params=params, headers=coordinator)

    assert response.status_code == 422
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    ("role", "member", "county"),
    [(Role.CLERK, "picc", "320902"), (Role.SUPERVISOR, "picc", None)],
)
@pytest.mark.parametrize("path", [STATS, WORKBOOK])
def test_clerks_and_supervisors_do_not_find_the_statistics(
    ctx: AppContext,
    client: TestClient,
    role: Role,
    member: str,
    county: str | None,
    path: str,
) -> None:
    add_cases(ctx.db)
    _, headers = staff(ctx, "someone", role, member=member, county=county)

    response = client.get(path, params=QUARTER, headers=headers)

    assert response.status_code == 404
    assert "累计" not in response.text and response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", [STATS, WORKBOOK])
def test_the_statistics_need_a_login(client: TestClient, path: str) -> None:
    assert client.get(path, params=QUARTER).status_code == 401
