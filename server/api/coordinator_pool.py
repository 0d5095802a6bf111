"""Pool settings (分派设置) for the city coordinator: a county's windows, changing one, the change history.

Coordinator only: anyone else gets 404, as if these endpoints did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from common.schemas.pool import (
    PoolChangeRow,
    PoolCounty,
    WindowChangeIn,
    WindowChangeOut,
)
from server.api.deps import ContextDep, CoordinatorDep
from server.dispatch.windows import (
    DEFAULT_HISTORY,
    MAX_HISTORY,
    county_windows,
    set_window,
    window_history,
)

router = APIRouter(tags=["coordinator-pool"])

CountyPath = Annotated[str, Path(pattern=r"^\d{6}$", description="区县代码")]
MemberPath = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,19}$", description="成员机构代码")]


@router.get("/coordinator/pool/{county_code}", response_model=PoolCounty)
def get_county_pool(county_code: CountyPath, coordinator: CoordinatorDep, ctx: ContextDep) -> PoolCounty:
    """The county's windows: availability, weight, phone, who last changed each; and its waiting cases."""
    with ctx.db.read() as session:
        return county_windows(session, county_code=county_code)


@router.patch("/coordinator/pool/{county_code}/{member_code}", response_model=WindowChangeOut)
def patch_window(
    county_code: CountyPath,
    member_code: MemberPath,
    body: WindowChangeIn,
    coordinator: CoordinatorDep,
    ctx: ContextDep,
) -> WindowChangeOut:
    """Change a member's window in the county; effective for the next dispatch, recorded as one event.

    A window switched back on takes the county's waiting cases at once, oldest first.
    """
    with ctx.db.write() as session:
        return set_window(
            session,
            ctx,
            coordinator,
            county_code=county_code,
            member_code=member_code,
            change=body,
        )


@router.get("/coordinator/pool/{county_code}/history", response_model=list[PoolChangeRow])
def get_pool_history(
    county_code: CountyPath,
    coordinator: CoordinatorDep,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY)] = DEFAULT_HISTORY,
) -> list[PoolChangeRow]:
    """The changes to the county's windows, newest first: who changed what, when."""
    with ctx.db.read() as session:
        return window_history(session, county_code=county_code, limit=limit)
