"""The statistics report cut into the views the coordinator reads: one table (and maybe one chart) each.

Pure Python, no Qt: each builder takes the server's `Statistics` and returns a
`StatsView` (columns, rows, chart data), so what the screen shows can be
tested without widgets, and the table model and chart only draw what is here.
The server's workbook has its own sheets; both come from the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from common.schemas.stats import (
    REJECTED_LABEL,
    SAME_DAY_RATE_LABEL,
    TIMELINESS_NOTES,
    WITHIN_TWO_DAYS_RATE_LABEL,
    CountRow,
    CrossTable,
    Statistics,
)

NO_VALUE = "—"
TOTAL = "合计"
TABS = {
    "summary": "汇总",
    "category": "按车辆类别",
    "member": "按成员机构",
    "county": "按区县",
    "month": "按月份",
    "rejections": "退回原因",
    "ratings": "评价",
}
"""Each view's key and tab title, in tab order (the page builds its tabs before the first report arrives)."""


class Kind(Enum):
    """How a column's values are shown (and aligned)."""

    TEXT = "text"
    COUNT = "count"
    RATE = "rate"
    HOURS = "hours"


@dataclass(frozen=True)
class Column:
    """One table column: its Chinese head and how its values are shown."""

    title: str
    kind: Kind = Kind.COUNT


Cell = str | int | float | None
Row = tuple[Cell, ...]


class ChartKind(Enum):
    """Bars for things side by side (long Chinese names read best on a horizontal bar), a line for months."""

    BAR = "bar"
    LINE = "line"


@dataclass(frozen=True)
class ChartData:
    """One series of counts over named categories."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    kind: ChartKind = ChartKind.BAR


@dataclass(frozen=True)
class StatsView:
    """One tab of the statistics page."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)
    chart: ChartData | None = None
    headline: str = ""


RATE_LABELS = (SAME_DAY_RATE_LABEL, WITHIN_TWO_DAYS_RATE_LABEL)


def rate_note(label: str) -> str | None:
    """What a completion rate measures, in the words the workbook and the console print; None for any other label.

    The rate's own line of `TIMELINESS_NOTES` and the lines about both (the
    wall-clock time counts, waiting for the customer's supplement included),
    those said of this one rate: the tooltip sits on one rate, not two.
    """
    if label not in RATE_LABELS:
        return None
    own = [note for note in TIMELINESS_NOTES if note.startswith(label)]
    shared = [note.removeprefix("两项均") for note in TIMELINESS_NOTES if not note.startswith(RATE_LABELS)]
    return "\n".join(own + shared)


def format_cell(value: Cell, kind: Kind) -> str:
    """A cell as the coordinator reads it: counts as integers, rates as percentages, hours as the report has them."""
    if value is None:
        return NO_VALUE
    if kind is Kind.RATE:
        return f"{float(value) * 100:.1f}%"
    if kind is Kind.HOURS:
        return f"{float(value):.2f}"
    return str(value)


def format_rate(value: float | None) -> str:
    """A rate in 0..1 as "85.0%", "—" when nothing was measured."""
    return format_cell(value, Kind.RATE)


def format_hours(value: float | None) -> str:
    """Hours as "3.25 小时", "—" when nothing was measured."""
    return NO_VALUE if value is None else f"{format_cell(value, Kind.HOURS)} 小时"


def headline(stats: Statistics) -> str:
    """The range and the association's sentence: "2026-01-01 至 2026-12-31  累计兜底承保车辆 N 台"."""
    return f"{stats.date_from.isoformat()} 至 {stats.date_to.isoformat()}  累计兜底承保车辆 {stats.completed} 台"


def summary_view(stats: Statistics) -> StatsView:
    """汇总: the headline figure, each category's count, then the rates, handling times and ratings."""
    rows: list[Row] = [("累计兜底承保车辆", f"{stats.completed} 台")]
    rows += [(f"    其中 {row.name}", f"{row.count} 台") for row in stats.by_category]
    rows += [
        (REJECTED_LABEL, f"{stats.rejected} 件"),
        (SAME_DAY_RATE_LABEL, format_rate(stats.completion.same_day_rate)),
        (WITHIN_TWO_DAYS_RATE_LABEL, format_rate(stats.completion.within_two_days_rate)),
        ("平均办理时长", format_hours(stats.handling.average_hours)),
        ("办理时长90分位", format_hours(stats.handling.p90_hours)),
        ("评价条数", f"{stats.ratings.count} 条"),
        (
            "平均评分",
            NO_VALUE if stats.ratings.average is None else f"{stats.ratings.average:.2f} 分",
        ),
    ]
    return StatsView(
        key="summary",
        title=TABS["summary"],
        columns=(Column("项目", Kind.TEXT), Column("数值", Kind.TEXT)),
        rows=rows,
        # The association's summary is "N 台, of which each category ...": the same split as a picture.
        chart=_count_chart("各车辆类别承保车辆(台)", stats.by_category),
    )


def category_view(stats: Statistics) -> StatsView:
    """按车辆类别: count, average and 90th-percentile handling hours per category."""
    handling = {row.code: row for row in stats.handling_by_category}
    rows: list[Row] = []
    for row in stats.by_category:
        hours = handling.get(row.code)
        rows.append(
            (
                row.name,
                row.count,
                hours.average_hours if hours else None,
                hours.p90_hours if hours else None,
            )
        )
    rows.append((TOTAL, stats.completed, stats.handling.average_hours, stats.handling.p90_hours))
    return StatsView(
        key="category",
        title=TABS["category"],
        columns=(
            Column("车辆类别", Kind.TEXT),
            Column("承保车辆(台)"),
            Column("平均办理时长(小时)", Kind.HOURS),
            Column("90%办理时长(小时)", Kind.HOURS),
        ),
        rows=rows,
        chart=_count_chart("各车辆类别承保车辆(台)", stats.by_category),
    )


def member_view(stats: Statistics) -> StatsView:
    """按成员机构: count and the same-day / two-day promise kept, per member."""
    completion = {row.code: row for row in stats.completion_by_member}
    rows: list[Row] = []
    for row in stats.by_member:
        kept = completion.get(row.code)
        rows.append(
            (
                row.name,
                row.count,
                kept.same_day_rate if kept else None,
                kept.within_two_days_rate if kept else None,
            )
        )
    overall = stats.completion
    rows.append((TOTAL, stats.completed, overall.same_day_rate, overall.within_two_days_rate))
    return StatsView(
        key="member",
        title=TABS["member"],
        columns=(
            Column("成员机构", Kind.TEXT),
            Column("承保车辆(台)"),
            Column(SAME_DAY_RATE_LABEL, Kind.RATE),
            Column(WITHIN_TWO_DAYS_RATE_LABEL, Kind.RATE),
        ),
        rows=rows,
        chart=_count_chart("各成员机构承保车辆(台)", stats.by_member),
    )


def county_view(stats: Statistics) -> StatsView:
    """按区县: count per county, split by member (the county × member cross table)."""
    members, by_county = _cross_by_row(stats.county_member)
    rows: list[Row] = [(row.name, row.count, *by_county.get(row.code, [0] * len(members))) for row in stats.by_county]
    table = stats.county_member
    totals = [sum(counts[j] for counts in table.counts) for j in range(len(members))]
    rows.append((TOTAL, stats.completed, *totals))
    return StatsView(
        key="county",
        title=TABS["county"],
        columns=(
            Column("区县", Kind.TEXT),
            Column("承保车辆(台)"),
            *(Column(name) for name in members),
        ),
        rows=rows,
        chart=_count_chart("各区县承保车辆(台)", stats.by_county),
    )


def month_view(stats: Statistics) -> StatsView:
    """按月份: count per month of the range, split by category (the category × month cross table, turned)."""
    table = stats.category_month
    categories = [label.name for label in table.rows]
    by_month = {
        label.code: [table.counts[i][j] for i in range(len(table.rows))] for j, label in enumerate(table.columns)
    }
    rows: list[Row] = [(row.name, row.count, *by_month.get(row.month, [0] * len(categories))) for row in stats.by_month]
    rows.append((TOTAL, stats.completed, *(sum(counts) for counts in table.counts)))
    chart = ChartData(
        "每月承保车辆(台)",
        tuple(row.name for row in stats.by_month),
        tuple(row.count for row in stats.by_month),
        ChartKind.LINE,
    )
    return StatsView(
        key="month",
        title=TABS["month"],
        columns=(
            Column("月份", Kind.TEXT),
            Column("承保车辆(台)"),
            *(Column(name) for name in categories),
        ),
        rows=rows,
        chart=chart,
    )


def rejection_view(stats: Statistics) -> StatsView:
    """退回原因: rejected cases per reason, most frequent first (the server's order)."""
    rows: list[Row] = [(row.reason, row.count) for row in stats.rejections_by_reason]
    rows.append((TOTAL, stats.rejected))
    return StatsView(
        key="rejections",
        title=TABS["rejections"],
        columns=(Column("退回原因", Kind.TEXT), Column("件数")),
        rows=rows,
        headline=f"退回 {stats.rejected} 件",
    )


def rating_view(stats: Statistics) -> StatsView:
    """评价: how many applicants gave each number of stars."""
    ratings = stats.ratings
    average = NO_VALUE if ratings.average is None else f"{ratings.average:.2f}"
    rows: list[Row] = [(f"{row.stars} 星", row.count) for row in ratings.by_stars]
    rows.append((TOTAL, ratings.count))
    chart = ChartData(
        "评价星级分布(条)",
        tuple(f"{row.stars} 星" for row in ratings.by_stars),
        tuple(r.count for r in ratings.by_stars),
    )
    return StatsView(
        key="ratings",
        title=TABS["ratings"],
        columns=(Column("星级", Kind.TEXT), Column("条数")),
        rows=rows,
        chart=chart,
        headline=f"共 {ratings.count} 条评价,平均 {average} 分",
    )


VIEW_BUILDERS = (
    summary_view,
    category_view,
    member_view,
    county_view,
    month_view,
    rejection_view,
    rating_view,
)
"""The tabs, in order."""


def build_views(stats: Statistics) -> list[StatsView]:
    """Every tab's view of one report."""
    return [build(stats) for build in VIEW_BUILDERS]


def _count_chart(title: str, rows: list[CountRow]) -> ChartData:
    return ChartData(title, tuple(row.name for row in rows), tuple(row.count for row in rows))


def _cross_by_row(table: CrossTable) -> tuple[list[str], dict[str, list[int]]]:
    """The column names, and each row's counts by the row's code."""
    return [label.name for label in table.columns], {
        label.code: list(table.counts[i]) for i, label in enumerate(table.rows)
    }
