"""The staff change feed (long-poll): how the desktop learns of new and changed cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from common.schemas.cases import EventOut
from server.api.deps import ContextDep, StaffDep
from server.feed import DEFAULT_LIMIT, MAX_LIMIT, wait_for_feed

router = APIRouter(tags=["feed"])

# An absolute bound for validation; the configured maximum (feed_max_wait_seconds) then caps it.
WAIT_BOUND_SECONDS = 300.0


class FeedOut(BaseModel):
    """Events oldest first, and the cursor to send as `after` next time."""

    events: list[EventOut]
    last_seq: int


@router.get("/staff/events", response_model=FeedOut)
async def get_events(
    staff: StaffDep,
    ctx: ContextDep,
    after: Annotated[int, Query(ge=-1, le=2**62, description="上次收到的 last_seq;省略或 -1 表示只取当前位置")] = -1,
    wait: Annotated[float, Query(ge=0, le=WAIT_BOUND_SECONDS, description="没有新事件时最多等待的秒数")] = 0.0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> FeedOut:
    """Events in the caller's scope with seq > after; with `wait`, held open until one arrives.

    `wait` above the server's configured maximum is shortened to it rather
    than refused, so a desktop keeps working when an administrator lowers it.
    """
    batch = await wait_for_feed(
        ctx.db, staff, after=after, wait=min(wait, ctx.settings.feed_max_wait_seconds), limit=limit
    )
    return FeedOut(events=batch.events, last_seq=batch.last_seq)
