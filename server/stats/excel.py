"""The statistics as an Excel workbook: one sheet per view, Chinese headers, numbers as numbers.

Counts are integer cells, hours are float cells with two decimals, rates and
shares are fractions with a percent format (so Excel can sum and chart
them). A figure that cannot be measured (no completed case) is "—". The
汇总 sheet ends with what the two completion rates measure (`TIMELINESS_NOTES`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.schemas.stats import (
    REJECTED_LABEL,
    SAME_DAY_RATE_LABEL,
    TIMELINESS_NOTES,
    WITHIN_TWO_DAYS_RATE_LABEL,
    CountRow,
    CrossTable,
    Statistics,
)
from server.clock import local

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_FORMAT = "#,##0"
HOURS_FORMAT = "0.00"
RATE_FORMAT = "0.00%"
NOT_MEASURED = "—"
TOTAL = "合计"
COMPLETED_HEADER = "承保车辆(台)"
NOTES_TITLE = "说明"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
Cell = str | int | float | None


def filenames(date_from: date, date_to: date) -> tuple[str, str]:
    """The download's names: an ASCII fallback and the Chinese one (for Content-Disposition's filename*)."""
    ascii_name = f"no1window-stats-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
    return (
        ascii_name,
        f"1号窗口统计_{date_from.isoformat()}至{date_to.isoformat()}.xlsx",
    )


def workbook_bytes(stats: Statistics) -> bytes:
    """The .xlsx file of `stats`."""
    buffer = io.BytesIO()
    build_workbook(stats).save(buffer)
    return buffer.getvalue()


def build_workbook(stats: Statistics) -> Workbook:
    """A workbook with the sheets 汇总, 按车辆类别, 按成员机构, 按区县, 区县×成员机构, 按月份, 办理时长, 退回原因, 评价."""
    book = Workbook()
    _summary(book.active, stats)  # type: ignore[arg-type]
    _counts(book.create_sheet("按车辆类别"), "车辆类别", stats.by_category, stats.completed)
    _members(book.create_sheet("按成员机构"), stats)
    _counts(book.create_sheet("按区县"), "区县", stats.by_county, stats.completed)
    _cross(book.create_sheet("区县×成员机构"), "区县", stats.county_member)
    _months(book.create_sheet("按月份"), stats)
    _handling(book.create_sheet("办理时长"), stats)
    _rejections(book.create_sheet("退回原因"), stats)
    _ratings(book.create_sheet("评价"), stats)
    return book


# ---------------------------------------------------------------- the sheets


def _summary(sheet: Worksheet, stats: Statistics) -> None:
    sheet.title = "汇总"
    hours = stats.handling
    rows: list[tuple[str, Cell, str]] = [
        (
            "统计区间",
            f"{stats.date_from.isoformat()} 至 {stats.date_to.isoformat()}",
            "",
        ),
        ("累计兜底承保车辆(台)", stats.completed, COUNT_FORMAT),
        *((f"{row.name}(台)", row.count, COUNT_FORMAT) for row in stats.by_category),
        (REJECTED_LABEL, stats.rejected, COUNT_FORMAT),
        (SAME_DAY_RATE_LABEL, stats.completion.same_day_rate, RATE_FORMAT),
        (
            WITHIN_TWO_DAYS_RATE_LABEL,
            stats.completion.within_two_days_rate,
            RATE_FORMAT,
        ),
        ("平均办理时长(小时)", hours.average_hours, HOURS_FORMAT),
        ("90%办理时长(小时)", hours.p90_hours, HOURS_FORMAT),
        ("评价(件)", stats.ratings.count, COUNT_FORMAT),
        ("平均评分(星)", stats.ratings.average, HOURS_FORMAT),
        ("生成时间", local(stats.generated_at).strftime("%Y-%m-%d %H:%M"), ""),
    ]
    _header(sheet, ["项目", "数值"])
    for label, value, number_format in rows:
        _row(sheet, [label, value], [None, number_format or None])
    _finish(sheet)
    # After the widths are set: a note runs on into the empty cells to its right
    # rather than widening the column of figures.
    sheet.append([])
    sheet.append([NOTES_TITLE])
    sheet.cell(sheet.max_row, 1).font = _HEADER_FONT
    for note in TIMELINESS_NOTES:
        sheet.append([note])


def _counts(sheet: Worksheet, head: str, rows: Sequence[CountRow], total: int) -> None:
    _header(sheet, [head, COMPLETED_HEADER, "占比"])
    for row in rows:
        _row(
            sheet,
            [row.name, row.count, _share(row.count, total)],
            [None, COUNT_FORMAT, RATE_FORMAT],
        )
    _total_row(sheet, [TOTAL, total, _share(total, total)], [None, COUNT_FORMAT, RATE_FORMAT])
    _finish(sheet)


def _members(sheet: Worksheet, stats: Statistics) -> None:
    _header(
        sheet,
        [
            "成员机构",
            COMPLETED_HEADER,
            "占比",
            "当日办结(台)",
            SAME_DAY_RATE_LABEL,
            "两个工作日内办结(台)",
            WITHIN_TWO_DAYS_RATE_LABEL,
        ],
    )
    formats = [
        None,
        COUNT_FORMAT,
        RATE_FORMAT,
        COUNT_FORMAT,
        RATE_FORMAT,
        COUNT_FORMAT,
        RATE_FORMAT,
    ]
    timeliness = {row.code: row for row in stats.completion_by_member}
    for row in stats.by_member:
        kept = timeliness.get(row.code)
        _row(
            sheet,
            [
                row.name,
                row.count,
                _share(row.count, stats.completed),
                kept.same_day if kept else None,
                kept.same_day_rate if kept else None,
                kept.within_two_days if kept else None,
                kept.within_two_days_rate if kept else None,
            ],
            formats,
        )
    overall = stats.completion
    _total_row(
        sheet,
        [
            TOTAL,
            stats.completed,
            _share(stats.completed, stats.completed),
            overall.same_day,
            overall.same_day_rate,
            overall.within_two_days,
            overall.within_two_days_rate,
        ],
        formats,
    )
    _finish(sheet)


def _cross(sheet: Worksheet, corner: str, table: CrossTable) -> None:
    _header(sheet, [corner, *(column.name for column in table.columns), TOTAL])
    formats = [None, *([COUNT_FORMAT] * (len(table.columns) + 1))]
    for label, counts in zip(table.rows, table.counts, strict=True):
        _row(sheet, [label.name, *counts, sum(counts)], formats)
    column_totals = [sum(column) for column in zip(*table.counts, strict=True)] or [0] * len(table.columns)
    _total_row(sheet, [TOTAL, *column_totals, sum(column_totals)], formats)
    _finish(sheet)


def _months(sheet: Worksheet, stats: Statistics) -> None:
    """Months down, the total then each category across (the category × month table turned)."""
    table = stats.category_month
    _header(sheet, ["月份", COMPLETED_HEADER, *(f"{row.name}(台)" for row in table.rows)])
    formats = [None, *([COUNT_FORMAT] * (len(table.rows) + 1))]
    for index, month in enumerate(stats.by_month):
        _row(
            sheet,
            [month.name, month.count, *(counts[index] for counts in table.counts)],
            formats,
        )
    _total_row(
        sheet,
        [TOTAL, stats.completed, *(sum(counts) for counts in table.counts)],
        formats,
    )
    _finish(sheet)


def _handling(sheet: Worksheet, stats: Statistics) -> None:
    _header(sheet, ["车辆类别", "办结(台)", "平均办理时长(小时)", "90%办理时长(小时)"])
    formats = [None, COUNT_FORMAT, HOURS_FORMAT, HOURS_FORMAT]
    for row in stats.handling_by_category:
        _row(sheet, [row.name, row.count, row.average_hours, row.p90_hours], formats)
    overall = stats.handling
    _total_row(sheet, [TOTAL, overall.count, overall.average_hours, overall.p90_hours], formats)
    _finish(sheet)


def _rejections(sheet: Worksheet, stats: Statistics) -> None:
    _header(sheet, ["退回原因", "退回(件)", "占比"])
    formats = [None, COUNT_FORMAT, RATE_FORMAT]
    for row in stats.rejections_by_reason:
        _row(sheet, [row.reason, row.count, _share(row.count, stats.rejected)], formats)
    _total_row(sheet, [TOTAL, stats.rejected, _share(stats.rejected, stats.rejected)], formats)
    _finish(sheet)


def _ratings(sheet: Worksheet, stats: Statistics) -> None:
    ratings = stats.ratings
    _header(sheet, ["评分", "评价(件)", "占比"])
    formats = [None, COUNT_FORMAT, RATE_FORMAT]
    for row in ratings.by_stars:
        _row(
            sheet,
            [f"{row.stars}星", row.count, _share(row.count, ratings.count)],
            formats,
        )
    _total_row(sheet, [TOTAL, ratings.count, _share(ratings.count, ratings.count)], formats)
    _row(sheet, ["平均评分(星)", ratings.average], [None, HOURS_FORMAT])
    _finish(sheet)


# ------------------------------------------------------------------- helpers


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _header(sheet: Worksheet, titles: Sequence[str]) -> None:
    sheet.append(list(titles))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "B2"


def _row(sheet: Worksheet, values: Sequence[Cell], formats: Sequence[str | None]) -> None:
    """Append a row; None becomes "—" (not measured), numbers keep their type and get `formats`."""
    sheet.append([NOT_MEASURED if value is None else value for value in values])
    for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
        if cell.value == NOT_MEASURED:
            cell.alignment = Alignment(horizontal="right")
        elif number_format:
            cell.number_format = number_format


def _total_row(sheet: Worksheet, values: Sequence[Cell], formats: Sequence[str | None]) -> None:
    _row(sheet, values, formats)
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT


def _finish(sheet: Worksheet) -> None:
    """Columns wide enough for their longest text (a Chinese character counts as two)."""
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        width = max((_display_width(value) for value in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 10
    text = str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
