"""The coordinator's signals to act on (预警): the four lists, and the intermediary rule.

- `GET /coordinator/signals`: ratings and complaints of the last `days` days,
  phones flagged as a possible intermediary, cases more than a day overdue.
- `GET /coordinator/signals/rule`, `PUT /coordinator/signals/rule`: the
  intermediary rule (threshold of distinct owners, window in days).

Coordinator only: anyone else gets 404, as if the endpoints were not there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from common.schemas.signals import (
    DEFAULT_MAX_STARS,
    DEFAULT_PERIOD_DAYS,
    PERIOD_MAX_DAYS,
    SignalRuleIn,
    SignalRuleOut,
    SignalsOut,
)
from server.api.deps import ContextDep, CoordinatorDep
from server.signals.report import collect_signals
from server.signals.rule import current_rule, set_rule

router = APIRouter(prefix="/coordinator/signals", tags=["coordinator signals"])


@router.get("", response_model=SignalsOut, summary="预警")
def get_signals(
    coordinator: CoordinatorDep,
    ctx: ContextDep,
    days: Annotated[int, Query(ge=1, le=PERIOD_MAX_DAYS, description="评价与投诉:最近多少天")] = DEFAULT_PERIOD_DAYS,
    max_stars: Annotated[int, Query(ge=1, le=5, description="只列出不高于此星级的评价")] = DEFAULT_MAX_STARS,
) -> Response:
    """Every signal as of now; the lists are cut at `row_limit` rows, `counts` gives the totals."""
    with ctx.db.read() as session:
        signals = collect_signals(
            session,
            ctx.catalog,
            now=ctx.clock.now(),
            period_days=days,
            max_stars=max_stars,
        )
    # Serialised once: FastAPI would otherwise validate the built model a second time.
    return Response(content=signals.model_dump_json(), media_type="application/json")


@router.get("/rule", response_model=SignalRuleOut, summary="中介嫌疑规则")
def get_rule(coordinator: CoordinatorDep, ctx: ContextDep) -> SignalRuleOut:
    """The rule in force (the defaults while none has been set)."""
    with ctx.db.read() as session:
        return current_rule(session)


@router.put("/rule", response_model=SignalRuleOut, summary="设置中介嫌疑规则")
def put_rule(body: SignalRuleIn, coordinator: CoordinatorDep, ctx: ContextDep) -> SignalRuleOut:
    """Set the rule; a change is recorded as one set_signal_rule event, a repeat changes nothing."""
    with ctx.db.write() as session:
        return set_rule(session, coordinator, body, now=ctx.clock.now())
