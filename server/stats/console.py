"""`no1window-server stats`: the statistics printed for the central console, optionally saved as a workbook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from server.context import AppContext
from server.errors import BadInput
from server.stats.excel import workbook_bytes
from server.stats.report import check_range, parse_day, statistics
from server.stats.text import report_lines


def parse_range(date_from: str, date_to: str) -> tuple[date, date]:
    """The command's --from and --to, checked before any database is opened (BadInput on a bad value)."""
    first, last = (
        parse_day(date_from, "开始日期(--from)"),
        parse_day(date_to, "结束日期(--to)"),
    )
    check_range(first, last)
    return first, last


def print_stats(
    ctx: AppContext,
    date_from: date,
    date_to: date,
    *,
    xlsx: Path | None,
    out: Callable[[str], None] = print,
) -> None:
    """Print the report for [date_from, date_to]; with `xlsx`, also write the workbook there."""
    with ctx.db.read() as session:
        stats = statistics(
            session,
            ctx.catalog,
            date_from=date_from,
            date_to=date_to,
            calendar=ctx.calendar,
            hours=ctx.hours,
            now=ctx.clock.now(),
        )
    for line in report_lines(stats):
        out(line)
    if xlsx is not None:
        try:
            xlsx.write_bytes(workbook_bytes(stats))
        except OSError as exc:
            raise BadInput(f"无法写入 Excel 文件 {xlsx}:{exc.strerror or exc}", code="write_failed") from None
        out("")
        out(f"Excel 文件已写入 {xlsx}")
