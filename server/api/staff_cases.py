"""Staff queue and case detail: list, tab counts, one case, and the recorded full-ID view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from common.enums import CaseStatus, VehicleCategory
from common.schemas.cases import CaseDetail, QueuePage
from server.api.deps import ContextDep, StaffDep, StaffReadDep
from server.cases.id_reveal import reveal_id_number
from server.cases.presenters import staff_detail
from server.cases.queue import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, QueueFilters, queue_page
from server.cases.queue_counts import queue_counts
from server.cases.queue_search import MAX_SEARCH_LENGTH
from server.cases.scope import load_case

router = APIRouter(tags=["staff-cases"])

CountyQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="区县代码")]
CategoryQuery = Annotated[VehicleCategory | None, Query(description="车辆类别")]
CaseIdPath = Annotated[int, Path(ge=1, le=2**53)]
# Deep pages are never needed by a person; the bound keeps OFFSET sane.
MAX_PAGE = 10_000


class RevealedId(BaseModel):
    """The full ID number, shown on purpose (the view is recorded)."""

    id_number: str


def _json(model: BaseModel) -> Response:
    # Serialised once here: FastAPI would otherwise validate the already-built model a second time.
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.get("/staff/cases", response_model=QueuePage)
async def get_queue(
    read: StaffReadDep,
    ctx: ContextDep,
    status: Annotated[
        list[CaseStatus] | None, Query(description="状态,可重复;默认不含草稿", max_length=len(CaseStatus))
    ] = None,
    overdue: Annotated[bool, Query(description="只看已超时")] = False,
    due_today: Annotated[bool, Query(description="只看今日到期")] = False,
    county: CountyQuery = None,
    category: CategoryQuery = None,
    q: Annotated[
        str | None, Query(max_length=MAX_SEARCH_LENGTH, description="申请编号、车主姓名、车牌或车架号;留空为不搜索")
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Response:
    """The caller's cases, earliest deadline first (no deadline last), a page at a time."""
    filters = QueueFilters(
        statuses=tuple(status or ()),
        overdue=overdue,
        due_today=due_today,
        county_code=county,
        category=category,
        # An empty search box is sent as q= by some clients: no search, not an error.
        search=(q or "").strip() or None,
    )
    now = ctx.clock.now()
    result = await read(
        lambda session, staff: queue_page(
            session, staff, ctx.catalog, filters=filters, page=page, page_size=page_size, now=now
        )
    )
    return _json(result)


@router.get("/staff/cases/counts", response_model=dict[str, int])
async def get_queue_counts(
    read: StaffReadDep, ctx: ContextDep, county: CountyQuery = None, category: CategoryQuery = None
) -> dict[str, int]:
    """Cases in scope per status, plus "overdue" and "due_today": the numbers on the desktop's tabs."""
    now = ctx.clock.now()
    return await read(
        lambda session, staff: queue_counts(session, staff, now=now, county_code=county, category=category)
    )


@router.get("/staff/cases/{case_id}", response_model=CaseDetail)
async def get_case(case_id: CaseIdPath, read: StaffReadDep, ctx: ContextDep) -> Response:
    """One case with documents, timeline and calls; ID number masked. 404 outside the caller's scope."""
    now = ctx.clock.now()
    detail = await read(
        lambda session, staff: staff_detail(session, load_case(session, staff, case_id), ctx.catalog, staff, now=now)
    )
    return _json(detail)


@router.post("/staff/cases/{case_id}/reveal-id", response_model=RevealedId)
def post_reveal_id(case_id: CaseIdPath, staff: StaffDep, ctx: ContextDep, response: Response) -> RevealedId:
    """The full ID number; the view is recorded as an event on the case (without the number)."""
    with ctx.db.write() as session:
        id_number, _event = reveal_id_number(session, staff, case_id, now=ctx.clock.now())
    # Personal data: no cache anywhere may keep it.
    response.headers["Cache-Control"] = "no-store"
    return RevealedId(id_number=id_number)
