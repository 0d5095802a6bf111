"""The coordinator's statistics: the figures as JSON for the app, and the same as an Excel workbook."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from common.schemas.stats import Statistics
from server.api.deps import ContextDep, CoordinatorDep
from server.stats.excel import CONTENT_TYPE, filenames, workbook_bytes
from server.stats.report import parse_day, statistics

router = APIRouter(tags=["coordinator-stats"])

FromQuery = Annotated[str, Query(alias="from", max_length=20, description="开始日期 YYYY-MM-DD(含)")]
ToQuery = Annotated[str, Query(alias="to", max_length=20, description="结束日期 YYYY-MM-DD(含)")]


def _report(ctx: ContextDep, date_from: str, date_to: str) -> Statistics:
    with ctx.db.read() as session:
        return statistics(
            session,
            ctx.catalog,
            date_from=parse_day(date_from, "开始日期"),
            date_to=parse_day(date_to, "结束日期"),
            calendar=ctx.calendar,
            hours=ctx.hours,
            now=ctx.clock.now(),
        )


# Plain `def`: a year's report takes a noticeable fraction of a second of CPU, kept off the event loop.
@router.get("/coordinator/stats", response_model=Statistics)
def get_stats(_: CoordinatorDep, ctx: ContextDep, date_from: FromQuery, date_to: ToQuery) -> Response:
    """Underwritten vehicles, handling time, promise kept, rejections and ratings over [from, to] (local dates)."""
    return Response(
        content=_report(ctx, date_from, date_to).model_dump_json(),
        media_type="application/json",
    )


@router.get("/coordinator/stats.xlsx", response_class=Response)
def get_stats_workbook(_: CoordinatorDep, ctx: ContextDep, date_from: FromQuery, date_to: ToQuery) -> Response:
    """The same statistics as an Excel workbook, one sheet per view."""
    stats = _report(ctx, date_from, date_to)
    ascii_name, chinese_name = filenames(stats.date_from, stats.date_to)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese_name)}"
    return Response(
        content=workbook_bytes(stats),
        media_type=CONTENT_TYPE,
        headers={"Content-Disposition": disposition},
    )
