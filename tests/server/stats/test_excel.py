"""The workbook read back with openpyxl: one sheet per view, Chinese headers, numbers as numbers."""

from __future__ import annotations

from common.enums import VehicleCategory
from server.context import AppContext
from server.stats.excel import workbook_bytes
from tests.server.stats import stats_data as data
from tests.server.stats.stats_data import Batch, add_cases, at
from tests.server.stats.test_report import report
from tests.server.stats.workbook_reading import (
    assert_known_counts,
    column_b,
    header,
    open_workbook,
)


def test_the_known_counts_in_every_sheet(ctx: AppContext) -> None:
    add_cases(ctx.db)
    assert_known_counts(open_workbook(workbook_bytes(report(ctx))))


def test_headers_are_chinese_and_bold(ctx: AppContext) -> None:
    book = open_workbook(workbook_bytes(report(ctx)))
    assert header(book["按车辆类别"]) == ["车辆类别", "承保车辆(台)", "占比"]
    assert header(book["按成员机构"])[:2] == ["成员机构", "承保车辆(台)"]
    assert header(book["办理时长"]) == [
        "车辆类别",
        "办结(台)",
        "平均办理时长(小时)",
        "90%办理时长(小时)",
    ]
    assert header(book["区县×成员机构"])[:3] == ["区县", "人保财险", "太保财险"]
    assert header(book["按月份"])[:3] == [
        "月份",
        "承保车辆(台)",
        "摩托车(含电动摩托车)(台)",
    ]
    for sheet in book.worksheets:
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 8


def test_rates_hours_and_shares_are_numbers_with_formats(ctx: AppContext) -> None:
    # Submitted Tuesday 10 March 09:00: one done the same afternoon (7 h), one on Friday (73 h).
    submitted = at(2026, 3, 10, 9)
    add_cases(
        ctx.db,
        tuple(
            Batch(
                1,
                VehicleCategory.MOTORCYCLE,
                "picc",
                data.TINGHU,
                done,
                handling=done - submitted,
            )
            for done in (at(2026, 3, 10, 16), at(2026, 3, 13, 10))
        ),
        rating=4,
    )
    book = open_workbook(workbook_bytes(report(ctx)))

    summary = {row[0].value: row[1] for row in book["汇总"].iter_rows(min_row=2)}
    assert summary["当日办结率"].value == 0.5 and summary["当日办结率"].number_format == "0.00%"
    assert summary["平均办理时长(小时)"].value == 40.0 and summary["平均办理时长(小时)"].number_format == "0.00"
    assert summary["平均评分(星)"].value == 4.0
    assert summary["统计区间"].value == "2026-01-01 至 2026-03-31"

    handling = {row[0].value: row for row in book["办理时长"].iter_rows(min_row=2)}
    assert [c.value for c in handling["摩托车(含电动摩托车)"]] == [
        "摩托车(含电动摩托车)",
        2,
        40.0,
        73.0,
    ]
    # A category with nothing completed is "—", not a zero that would drag an average down.
    assert [c.value for c in handling["拖拉机"]][2:] == ["—", "—"]

    shares = {row[0].value: row[2] for row in book["按车辆类别"].iter_rows(min_row=2)}
    assert shares["摩托车(含电动摩托车)"].value == 1.0 and shares["摩托车(含电动摩托车)"].number_format == "0.00%"
    members = {row[0].value: [c.value for c in row] for row in book["按成员机构"].iter_rows(min_row=2)}
    assert members["人保财险"] == ["人保财险", 2, 1.0, 1, 0.5, 1, 0.5]
    stars = column_b(book["评价"])
    assert (stars["4星"], stars["合计"]) == (2, 2)


def test_the_summary_says_what_the_completion_rates_measure(ctx: AppContext) -> None:
    add_cases(ctx.db)
    book = open_workbook(workbook_bytes(report(ctx)))

    summary = book["汇总"]
    labels = [row[0].value for row in summary.iter_rows(min_row=2)]
    assert {"退回件数", "当日办结率", "两个工作日内办结率"} <= set(labels)
    assert header(book["按成员机构"])[3:] == [
        "当日办结(台)",
        "当日办结率",
        "两个工作日内办结(台)",
        "两个工作日内办结率",
    ]
    # Below the figures, in the first column only, so the figures' column stays narrow.
    notes = labels[labels.index("说明") + 1 :]
    assert notes[0].startswith("当日办结率:提交当日下班前办结")
    assert "截止时间后或非工作日提交的,以次一工作日下班为限" in notes[0]
    assert notes[1].startswith("两个工作日内办结率:")
    assert "含等待客户补充材料的时间" in notes[2]
    assert all(row[1].value is None for row in summary.iter_rows(min_row=2) if row[0].value in notes)
    assert summary.column_dimensions["B"].width < 30


def test_the_cross_table_has_totals_both_ways(ctx: AppContext) -> None:
    add_cases(ctx.db)
    sheet = open_workbook(workbook_bytes(report(ctx)))["区县×成员机构"]
    rows = {row[0].value: [c.value for c in row[1:]] for row in sheet.iter_rows(min_row=2)}
    # 亭湖区: 人保财险 5, and the county's total 6.
    assert (rows["亭湖区"][0], rows["亭湖区"][-1]) == (5, 6)
    assert rows["合计"][-1] == data.COMPLETED
    assert rows["合计"][0] == data.BY_MEMBER["picc"]
