"""The statistics as plain text for the server console (`no1window-server stats`).

It opens with the summary the association publishes (累计兜底承保车辆 N 台,
then each category's count), then the other tables, each figure the same as
in the app and the workbook. Columns are padded by display width, a Chinese
character counting as two, so they line up in a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from common.schemas.stats import (
    SAME_DAY_RATE_LABEL,
    TIMELINESS_NOTES,
    WITHIN_TWO_DAYS_RATE_LABEL,
    CountRow,
    Statistics,
)
from server.clock import local

NOT_MEASURED = "—"


def summary_lines(stats: Statistics) -> list[str]:
    """The association's summary: 累计兜底承保车辆 N 台, then `<category> N 台` for each category."""
    return [
        f"累计兜底承保车辆 {stats.completed} 台",
        *(f"{row.name} {row.count} 台" for row in stats.by_category),
    ]


def report_lines(stats: Statistics) -> list[str]:
    """Everything the command prints, line by line."""
    return [*summary_lines(stats), "", *_details(stats)]


def _details(stats: Statistics) -> Iterator[str]:
    generated = local(stats.generated_at).strftime("%Y-%m-%d %H:%M")
    yield f"统计区间 {stats.date_from.isoformat()} 至 {stats.date_to.isoformat()}(生成于 {generated})"
    yield from _section("按车辆类别", _count_table("车辆类别", stats.by_category, stats.completed))
    timeliness = {row.code: row for row in stats.completion_by_member}
    member_rows = [
        [
            row.name,
            f"{row.count}",
            percent(_share(row.count, stats.completed)),
            percent(timeliness[row.code].same_day_rate) if row.code in timeliness else NOT_MEASURED,
            percent(timeliness[row.code].within_two_days_rate) if row.code in timeliness else NOT_MEASURED,
        ]
        for row in stats.by_member
    ]
    overall = stats.completion
    member_rows.append(
        [
            "合计",
            f"{stats.completed}",
            percent(_share(stats.completed, stats.completed)),
            percent(overall.same_day_rate),
            percent(overall.within_two_days_rate),
        ]
    )
    yield from _section(
        "按成员机构",
        table(
            [
                "成员机构",
                "承保(台)",
                "占比",
                SAME_DAY_RATE_LABEL,
                WITHIN_TWO_DAYS_RATE_LABEL,
            ],
            member_rows,
        ),
    )
    yield from _section("按区县", _count_table("区县", stats.by_county, stats.completed))
    yield from _section(
        "按月份",
        table(["月份", "承保(台)"], [[row.name, f"{row.count}"] for row in stats.by_month]),
    )

    yield from _section(
        "办结时效",
        [
            f"{SAME_DAY_RATE_LABEL} {percent(overall.same_day_rate)}({overall.same_day}/{overall.measured})",
            f"{WITHIN_TWO_DAYS_RATE_LABEL} {percent(overall.within_two_days_rate)}({overall.within_two_days}/{overall.measured})",
            "说明:",
            *(f"  {note}" for note in TIMELINESS_NOTES),
        ],
    )
    handling_rows = [
        [row.name, f"{row.count}", hours(row.average_hours), hours(row.p90_hours)]
        for row in [stats.handling, *stats.handling_by_category]
    ]
    yield from _section(
        "办理时长(提交至办结,小时)",
        table(["车辆类别", "办结(台)", "平均", "90%分位"], handling_rows),
    )
    reasons = [[row.reason, f"{row.count}"] for row in stats.rejections_by_reason]
    yield from _section(
        f"退回原因(共 {stats.rejected} 件)",
        table(["退回原因", "件数"], reasons) if reasons else ["无"],
    )
    ratings = stats.ratings
    average = NOT_MEASURED if ratings.average is None else f"{ratings.average:.2f}"
    stars = [[f"{row.stars}星", f"{row.count}"] for row in ratings.by_stars]
    yield from _section(f"评价(共 {ratings.count} 件,平均 {average} 星)", table(["评分", "件数"], stars))


def _section(title: str, lines: Sequence[str]) -> Iterator[str]:
    yield ""
    yield title
    yield from (f"  {line}" for line in lines)


def _count_table(head: str, rows: Sequence[CountRow], total: int) -> list[str]:
    body = [[row.name, f"{row.count}", percent(_share(row.count, total))] for row in rows]
    return table(
        [head, "承保(台)", "占比"],
        [*body, ["合计", f"{total}", percent(_share(total, total))]],
    )


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows padded to columns: the first left-aligned, the others right-aligned."""
    everything = [list(header), *(list(row) for row in rows)]
    widths = [max(display_width(row[i]) for row in everything) for i in range(len(header))]
    lines = []
    for row in everything:
        cells = [_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def display_width(text: str) -> int:
    """Terminal columns of `text`: CJK and full-width characters take two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def percent(value: float | None) -> str:
    """0.9468 → '94.68%'; None → '—'."""
    return NOT_MEASURED if value is None else f"{value * 100:.2f}%"


def hours(value: float | None) -> str:
    """3.7712 → '3.77'; None → '—'."""
    return NOT_MEASURED if value is None else f"{value:.2f}"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
