"""The statistics views, the table model and the chart, on a hand-made report (no server)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.schemas.stats import (
    REJECTED_LABEL,
    SAME_DAY_RATE_LABEL,
    TIMELINESS_NOTES,
    WITHIN_TWO_DAYS_RATE_LABEL,
    CompletionRow,
    CountRow,
    CrossTable,
    HandlingRow,
    Label,
    MonthRow,
    Ratings,
    ReasonRow,
    StarRow,
    Statistics,
)
from desktop.coordinator.stats_charts import CountChart, count_axis_range
from desktop.coordinator.stats_models import StatsTableModel
from desktop.coordinator.stats_views import (
    ChartKind,
    Kind,
    build_views,
    category_view,
    county_view,
    format_cell,
    member_view,
    month_view,
    rate_note,
    summary_view,
)

CATEGORIES = [
    Label(code="motorcycle", name="摩托车"),
    Label(code="operating_truck", name="营运货车"),
]
MEMBERS = [Label(code="picc", name="人保财险"), Label(code="cpic", name="太保财险")]
COUNTIES = [Label(code="320902", name="亭湖区"), Label(code="320903", name="盐都区")]
MONTHS = [
    Label(code="2026-02", name="2026年2月"),
    Label(code="2026-03", name="2026年3月"),
]


def report() -> Statistics:
    """7 vehicles: 5 motorcycles and 2 trucks; picc 4 / cpic 3; 亭湖区 6 / 盐都区 1; February 2, March 5."""
    return Statistics(
        date_from=date(2026, 2, 1),
        date_to=date(2026, 3, 10),
        generated_at=datetime(2026, 3, 10, 2, tzinfo=UTC),
        completed=7,
        rejected=2,
        by_category=[CountRow(code=c.code, name=c.name, count=n) for c, n in zip(CATEGORIES, (5, 2), strict=True)],
        by_member=[CountRow(code=m.code, name=m.name, count=n) for m, n in zip(MEMBERS, (4, 3), strict=True)],
        by_county=[CountRow(code=c.code, name=c.name, count=n) for c, n in zip(COUNTIES, (6, 1), strict=True)],
        by_month=[MonthRow(month=m.code, name=m.name, count=n) for m, n in zip(MONTHS, (2, 5), strict=True)],
        # The cross table lists 盐都区 first: the page matches rows by code, not by position.
        county_member=CrossTable(rows=COUNTIES[::-1], columns=MEMBERS, counts=[[0, 1], [4, 2]]),
        category_month=CrossTable(rows=CATEGORIES, columns=MONTHS, counts=[[2, 3], [0, 2]]),
        handling=HandlingRow(code="", name="合计", count=7, average_hours=3.25, p90_hours=7.5),
        handling_by_category=[
            HandlingRow(
                code="motorcycle",
                name="摩托车",
                count=5,
                average_hours=2.0,
                p90_hours=4.0,
            ),
            HandlingRow(
                code="operating_truck",
                name="营运货车",
                count=0,
                average_hours=None,
                p90_hours=None,
            ),
        ],
        completion=CompletionRow(
            code="",
            name="合计",
            measured=7,
            same_day=6,
            within_two_days=7,
            same_day_rate=0.8571,
            within_two_days_rate=1.0,
        ),
        completion_by_member=[
            CompletionRow(
                code="picc",
                name="人保财险",
                measured=4,
                same_day=4,
                within_two_days=4,
                same_day_rate=1.0,
                within_two_days_rate=1.0,
            ),
        ],
        rejections_by_reason=[ReasonRow(reason="车辆已注销", count=2)],
        ratings=Ratings(
            count=3,
            average=4.33,
            by_stars=[StarRow(stars=s, count=n) for s, n in zip((5, 4, 3, 2, 1), (1, 2, 0, 0, 0), strict=True)],
        ),
    )


def test_cells_show_rates_as_percentages_hours_with_two_decimals_and_gaps_as_a_dash() -> None:
    assert format_cell(0.8571, Kind.RATE) == "85.7%"
    assert format_cell(3.25, Kind.HOURS) == "3.25"
    assert format_cell(None, Kind.RATE) == "—"
    assert format_cell(12, Kind.COUNT) == "12"


def test_the_summary_states_the_total_then_each_category() -> None:
    rows = summary_view(report()).rows
    assert rows[:3] == [
        ("累计兜底承保车辆", "7 台"),
        ("    其中 摩托车", "5 台"),
        ("    其中 营运货车", "2 台"),
    ]
    assert ("当日办结率", "85.7%") in rows
    assert ("平均办理时长", "3.25 小时") in rows


def test_the_category_table_joins_handling_times_and_ends_with_the_total() -> None:
    view = category_view(report())
    assert view.rows == [
        ("摩托车", 5, 2.0, 4.0),
        ("营运货车", 2, None, None),
        ("合计", 7, 3.25, 7.5),
    ]
    assert view.chart is not None and (view.chart.labels, view.chart.values) == (
        ("摩托车", "营运货车"),
        (5, 2),
    )


def test_a_member_without_measured_cases_has_no_rate() -> None:
    assert member_view(report()).rows[1] == ("太保财险", 3, None, None)


def test_the_county_table_splits_each_county_by_member_matching_rows_by_code() -> None:
    view = county_view(report())
    assert [c.title for c in view.columns] == [
        "区县",
        "承保车辆(台)",
        "人保财险",
        "太保财险",
    ]
    assert view.rows == [("亭湖区", 6, 4, 2), ("盐都区", 1, 0, 1), ("合计", 7, 4, 3)]


def test_the_month_table_turns_the_category_by_month_table_and_charts_a_line() -> None:
    view = month_view(report())
    assert view.rows == [
        ("2026年2月", 2, 2, 0),
        ("2026年3月", 5, 3, 2),
        ("合计", 7, 5, 2),
    ]
    assert view.chart is not None and view.chart.kind is ChartKind.LINE


def test_every_tab_has_a_view_in_order() -> None:
    assert [v.title for v in build_views(report())] == [
        "汇总",
        "按车辆类别",
        "按成员机构",
        "按区县",
        "按月份",
        "退回原因",
        "评价",
    ]


def test_the_table_model_formats_by_column_and_gives_raw_values(
    qtmodeltester: Any,
) -> None:
    view = member_view(report())
    model = StatsTableModel(view.columns)
    model.set_view(view.columns, view.rows)
    qtmodeltester.check(model)

    assert model.index(0, 2).data() == "100.0%"
    assert model.index(0, 2).data(StatsTableModel.ValueRole) == 1.0
    assert model.index(1, 2).data() == "—"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "两个工作日内办结率"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()  # the 合计 row


def test_the_rates_carry_what_they_measure_in_the_workbooks_words() -> None:
    tooltip = Qt.ItemDataRole.ToolTipRole
    horizontal = Qt.Orientation.Horizontal
    members = member_view(report())
    model = StatsTableModel(members.columns)
    model.set_view(members.columns, members.rows)

    same_day = model.headerData(2, horizontal, tooltip)
    assert same_day.startswith(TIMELINESS_NOTES[0])  # the sentence the workbook and the console print
    assert "次一工作日" in same_day and "含等待客户补充材料的时间" in same_day
    within_two = model.index(0, 3).data(tooltip)
    assert within_two.startswith(TIMELINESS_NOTES[1]) and "含等待客户补充材料的时间" in within_two
    assert model.headerData(1, horizontal, tooltip) is None  # a count needs no note
    assert model.index(0, 1).data(tooltip) is None

    summary = summary_view(report())
    model.set_view(summary.columns, summary.rows)
    labels = [str(model.index(row, 0).data()) for row in range(model.rowCount())]
    for label in (SAME_DAY_RATE_LABEL, WITHIN_TWO_DAYS_RATE_LABEL):
        row = labels.index(label)
        assert model.index(row, 0).data(tooltip) == model.index(row, 1).data(tooltip) == rate_note(label)
    assert REJECTED_LABEL in labels
    assert model.index(labels.index(REJECTED_LABEL), 0).data(tooltip) is None


def test_a_rate_note_speaks_of_that_rate_alone() -> None:
    note = rate_note(SAME_DAY_RATE_LABEL)

    assert note is not None and WITHIN_TWO_DAYS_RATE_LABEL not in note and "两项" not in note
    assert note.endswith("按提交至办结的实际时间计算,含等待客户补充材料的时间。")
    assert rate_note("退回件数") is None


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (0, (1, 1)),
        (1, (1, 1)),
        (4, (4, 1)),
        (7, (8, 2)),
        (23, (25, 5)),
        (180, (200, 50)),
    ],
)
def test_the_count_axis_has_whole_number_ticks(top: int, expected: tuple[int, int]) -> None:
    assert count_axis_range(top) == expected


def test_the_bar_chart_lists_the_first_group_first_and_holds_the_values(
    qtbot: Any,
) -> None:
    chart = CountChart()
    qtbot.addWidget(chart)
    view = county_view(report())
    assert view.chart is not None

    chart.show_data(view.chart)

    assert chart.labels() == ["亭湖区", "盐都区"]
    assert chart.values() == [6, 1]
    assert chart.chart().title() == "各区县承保车辆(台)"
    chart.clear()
    assert chart.values() == []
