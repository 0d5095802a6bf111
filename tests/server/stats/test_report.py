"""The statistics service: known counts by category, member, county and month, and the other figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from common.enums import CaseStatus, VehicleCategory
from common.schemas.stats import CrossTable, Statistics
from server.context import AppContext
from server.errors import BadInput
from server.stats.report import (
    check_range,
    months_of,
    parse_day,
    percentile,
    statistics,
    utc_bounds,
)
from tests.server.stats import stats_data as data
from tests.server.stats.stats_data import FIRST, LAST, Batch, add_cases, at


def report(ctx: AppContext, first: date = FIRST, last: date = LAST) -> Statistics:
    with ctx.db.read() as session:
        return statistics(
            session,
            ctx.catalog,
            date_from=first,
            date_to=last,
            calendar=ctx.calendar,
            hours=ctx.hours,
            now=ctx.clock.now(),
        )


def cells(table: CrossTable) -> dict[tuple[str, str], int]:
    """The non-zero cells of a cross table."""
    return {
        (row.code, column.code): count
        for row, counts in zip(table.rows, table.counts, strict=True)
        for column, count in zip(table.columns, counts, strict=True)
        if count
    }


def test_known_counts_by_category_member_county_and_month(ctx: AppContext) -> None:
    add_cases(ctx.db)
    stats = report(ctx)
    assert stats.completed == data.COMPLETED
    assert {r.code: r.count for r in stats.by_category} == data.BY_CATEGORY
    assert {r.code: r.count for r in stats.by_member} == data.BY_MEMBER
    assert {r.code: r.count for r in stats.by_county} == data.BY_COUNTY
    assert {r.month: r.count for r in stats.by_month} == data.BY_MONTH
    assert cells(stats.county_member) == data.COUNTY_MEMBER
    assert cells(stats.category_month) == data.CATEGORY_MONTH


def test_rows_carry_chinese_labels_in_catalog_order(ctx: AppContext) -> None:
    add_cases(ctx.db)
    stats = report(ctx)
    assert [r.name for r in stats.by_category][:2] == [
        "摩托车(含电动摩托车)",
        "营运货车",
    ]
    assert [r.code for r in stats.by_member] == [m.code for m in ctx.catalog.members]
    assert next(r.name for r in stats.by_member if r.code == "picc") == "人保财险"
    assert next(r.name for r in stats.by_county if r.code == data.TINGHU) == "亭湖区"
    assert [r.name for r in stats.by_month] == ["2026年1月", "2026年2月", "2026年3月"]


def test_a_case_just_after_local_midnight_counts_on_its_local_day(
    ctx: AppContext,
) -> None:
    # 00:30 on 1 March local is 16:30 UTC on 28 February: it belongs to March, not to February.
    add_cases(
        ctx.db,
        (
            Batch(
                1,
                VehicleCategory.MOTORCYCLE,
                "picc",
                data.TINGHU,
                at(2026, 3, 1, 0, 30),
            ),
        ),
    )
    assert report(ctx, date(2026, 2, 1), date(2026, 2, 28)).completed == 0
    march = report(ctx, date(2026, 3, 1), date(2026, 3, 1))
    assert march.completed == 1
    assert [(r.month, r.count) for r in march.by_month] == [("2026-03", 1)]


def test_a_case_late_on_the_last_day_of_a_month_stays_in_that_month(
    ctx: AppContext,
) -> None:
    add_cases(
        ctx.db,
        (
            Batch(
                1,
                VehicleCategory.MOTORCYCLE,
                "picc",
                data.TINGHU,
                at(2026, 2, 28, 23, 30),
            ),
        ),
    )
    stats = report(ctx, date(2026, 2, 1), date(2026, 3, 31))
    assert [(r.month, r.count) for r in stats.by_month] == [
        ("2026-02", 1),
        ("2026-03", 0),
    ]
    assert report(ctx, date(2026, 3, 1), date(2026, 3, 31)).completed == 0


def test_rejections_by_reason_most_frequent_first(ctx: AppContext) -> None:
    add_cases(ctx.db)
    stats = report(ctx)
    assert stats.rejected == data.REJECTED
    assert [(r.reason, r.count) for r in stats.rejections_by_reason] == data.REJECTIONS


def test_handling_time_average_and_nearest_rank_90th_percentile(
    ctx: AppContext,
) -> None:
    # Motorcycles took 1, 2, ..., 10 hours; one truck 30 hours.
    finished = at(2026, 2, 10, 12)
    batches = tuple(
        Batch(
            1,
            VehicleCategory.MOTORCYCLE,
            "picc",
            data.TINGHU,
            finished,
            handling=timedelta(hours=h),
        )
        for h in range(1, 11)
    )
    add_cases(
        ctx.db,
        (
            *batches,
            Batch(
                1,
                VehicleCategory.OPERATING_TRUCK,
                "cpic",
                data.YANDU,
                finished,
                handling=timedelta(hours=30),
            ),
        ),
    )
    stats = report(ctx)
    motorcycles = next(r for r in stats.handling_by_category if r.code == "motorcycle")
    assert (motorcycles.count, motorcycles.average_hours, motorcycles.p90_hours) == (
        10,
        5.5,
        9.0,
    )
    assert (
        stats.handling.count,
        stats.handling.average_hours,
        stats.handling.p90_hours,
    ) == (11, 7.73, 10.0)
    tractors = next(r for r in stats.handling_by_category if r.code == "tractor")
    assert (tractors.count, tractors.average_hours, tractors.p90_hours) == (
        0,
        None,
        None,
    )


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([3.0, 1.0, 2.0], 0.9) == 3.0
    assert percentile([float(v) for v in range(1, 21)], 0.9) == 18.0


def test_same_day_and_two_day_rates_use_the_promise(ctx: AppContext) -> None:
    # Submitted Tuesday 10 March 2026 at 09:00: done that afternoon, the next morning, and on Friday.
    submitted = at(2026, 3, 10, 9)
    batches = tuple(
        Batch(
            1,
            VehicleCategory.MOTORCYCLE,
            member,
            data.TINGHU,
            done,
            handling=done - submitted,
        )
        for member, done in (
            ("picc", at(2026, 3, 10, 16)),
            ("picc", at(2026, 3, 11, 10)),
            ("cpic", at(2026, 3, 13, 10)),
        )
    )
    add_cases(ctx.db, batches)
    stats = report(ctx)
    overall = stats.completion
    assert (overall.measured, overall.same_day, overall.within_two_days) == (3, 1, 2)
    assert (overall.same_day_rate, overall.within_two_days_rate) == (0.3333, 0.6667)
    by_member = {r.code: r for r in stats.completion_by_member}
    assert (
        by_member["picc"].same_day_rate,
        by_member["picc"].within_two_days_rate,
    ) == (0.5, 1.0)
    assert (
        by_member["cpic"].same_day_rate,
        by_member["cpic"].within_two_days_rate,
    ) == (0.0, 0.0)
    assert by_member["dajia"].measured == 0 and by_member["dajia"].same_day_rate is None


def test_ratings_of_cases_completed_in_the_range(ctx: AppContext) -> None:
    inside = Batch(1, VehicleCategory.MOTORCYCLE, "picc", data.TINGHU, at(2026, 2, 10, 11))
    outside = Batch(1, VehicleCategory.MOTORCYCLE, "picc", data.TINGHU, at(2026, 4, 2, 11))
    for stars in (5, 5, 4, 1, None):
        add_cases(ctx.db, (inside,), rating=stars)
    add_cases(ctx.db, (outside,), rating=2)
    ratings = report(ctx).ratings
    assert (ratings.count, ratings.average) == (4, 2.75 + 1.0)
    assert [(r.stars, r.count) for r in ratings.by_stars] == [
        (5, 2),
        (4, 1),
        (3, 0),
        (2, 0),
        (1, 1),
    ]


def test_an_empty_range_has_zeros_and_nothing_measured(ctx: AppContext) -> None:
    stats = report(ctx)
    assert stats.completed == 0 and stats.rejected == 0
    assert all(r.count == 0 for r in stats.by_category) and len(stats.by_category) == len(VehicleCategory)
    assert stats.handling.average_hours is None and stats.completion.same_day_rate is None
    assert stats.ratings.average is None and stats.rejections_by_reason == []


def test_a_member_unknown_to_the_catalog_is_kept_not_dropped(ctx: AppContext) -> None:
    # A completed case without a member (data from before dispatch existed) still counts.
    add_cases(
        ctx.db,
        (Batch(2, VehicleCategory.MOTORCYCLE, None, data.TINGHU, at(2026, 2, 10, 11)),),
    )
    stats = report(ctx)
    assert stats.by_member[-1].model_dump() == {
        "code": "",
        "name": "未分派",
        "count": 2,
    }
    assert sum(r.count for r in stats.by_member) == stats.completed == 2
    assert stats.completion_by_member[-1].measured == 2


def test_only_completed_and_rejected_cases_are_counted(ctx: AppContext) -> None:
    add_cases(ctx.db)
    stats = report(ctx)
    # The plan's cancelled and open cases (operating buses at 大丰区) appear nowhere.
    assert next(r.count for r in stats.by_county if r.code == data.DAFENG) == 0
    assert CaseStatus.CANCELLED.value not in {r.reason for r in stats.rejections_by_reason}
    assert "申请人撤销" not in {r.reason for r in stats.rejections_by_reason}


def test_range_bounds_are_local_midnights_in_utc() -> None:
    start, end = utc_bounds(date(2026, 1, 1), date(2026, 1, 31))
    assert (start.isoformat(), end.isoformat()) == (
        "2025-12-31T16:00:00+00:00",
        "2026-01-31T16:00:00+00:00",
    )
    assert months_of(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "开始日期不能晚于结束日期"),
        (date(2020, 1, 1), date(2025, 1, 1), "统计区间最长5年,请缩短日期范围"),
    ],
)
def test_reversed_or_too_long_ranges_are_refused(first: date, last: date, message: str) -> None:
    with pytest.raises(BadInput) as refused:
        check_range(first, last)
    assert refused.value.message == message


def test_five_years_is_allowed() -> None:
    check_range(date(2021, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize("typed", ["2026-2-1", "2026-02-30", "20260201", "", "2026-02-01T00:00"])
def test_dates_must_be_written_yyyy_mm_dd(typed: str) -> None:
    with pytest.raises(BadInput, match="开始日期应为 YYYY-MM-DD 格式的日期"):
        parse_day(typed, "开始日期")
    assert parse_day(" 2026-02-01 ", "开始日期") == date(2026, 2, 1)
