"""The numbers on the desktop's queue tabs: cases per status, overdue and due today, in the caller's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, select

from common.enums import CaseStatus, VehicleCategory
from server.actor import Actor
from server.cases.queue import (
    ALL_BUT_DRAFT,
    OPEN_VALUES,
    due_today_condition,
    overdue_condition,
    today_bounds,
)
from server.cases.queue_planner import planner_hints
from server.cases.scope import case_scope
from server.models import Case


def queue_counts(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    county_code: str | None = None,
    category: VehicleCategory | None = None,
) -> dict[str, int]:
    """Numbers for the desktop's tabs: cases per status, plus "overdue" and "due_today", in scope.

    Every status appears (0 when none); drafts are the caller's own counter
    drafts only, as the scope has it. Three aggregate queries, no rows loaded.
    """
    narrowed: list[Any] = []
    if county_code:
        narrowed.append(Case.county_code == county_code)
    if category:
        narrowed.append(Case.category == category.value)
    assigned = [case_scope(actor, drafts=False), *narrowed, *planner_hints(actor, ALL_BUT_DRAFT)]
    counts = {status.value: 0 for status in CaseStatus}
    for status, count in session.exec(select(Case.status, func.count()).where(*assigned).group_by(Case.status)).all():
        counts[status] = count
    counts[CaseStatus.DRAFT.value] = session.exec(
        select(func.count())
        .select_from(Case)
        .where(case_scope(actor), *narrowed, Case.status == CaseStatus.DRAFT.value)
    ).one()
    _, end_of_today = today_bounds(now)
    overdue, due_today = session.exec(
        select(
            func.coalesce(func.sum(case((overdue_condition(now), 1), else_=0)), 0),
            func.coalesce(func.sum(case((due_today_condition(now), 1), else_=0)), 0),
        ).where(
            *assigned,
            # Both tabs only ever hold open, running cases due before tonight: let the index narrow it first.
            Case.status.in_(OPEN_VALUES),
            Case.sla_paused_at.is_(None),
            Case.due_at < end_of_today,
        )
    ).one()
    counts["overdue"] = int(overdue)
    counts["due_today"] = int(due_today)
    return counts
