"""The coordinator's city board: GET /coordinator/board (coordinator only; others get 404)."""

from __future__ import annotations

from fastapi import APIRouter

from common.schemas.board import Board
from server.api.deps import ContextDep, CoordinatorDep
from server.stats.board import city_board

router = APIRouter(tags=["coordinator"])


@router.get("/coordinator/board", response_model=Board)
def get_board(_coordinator: CoordinatorDep, ctx: ContextDep) -> Board:
    """Each county window's open cases by what they wait for, the unassigned queue, the same-day rates."""
    with ctx.db.read() as session:
        return city_board(
            session,
            ctx.catalog,
            now=ctx.clock.now(),
            calendar=ctx.calendar,
            hours=ctx.hours,
        )
