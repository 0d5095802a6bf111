"""The coordinator's city board, computed from the cases table in a few aggregate queries.

* Per county × member: one GROUP BY over the open, assigned cases. "Overdue"
  is the staff queue's own condition (`overdue_condition`). "Due today" is
  the queue's `due_today_condition` less the overdue: the board's columns are
  disjoint, so a case due at 09:00 and still open at 10:00 counts once, as
  overdue (after the working day ends, every case due today would otherwise
  be counted twice). A clerk's 今日到期 tab keeps both: it is a to-do list.
  Every branch (window) has a row, with zeros when it has no case; a case
  held by a member without a branch in its county (should not happen) still
  gets a row rather than vanishing from the totals.
* The unassigned queue: the cases `waiting_for_a_window` (the dispatcher's
  own definition), counted, and the oldest listed.
* The same-day promise: the cases completed this local month are read (two
  timestamps each) and measured by `completion_marks`, which needs the
  working calendar and cannot be written in SQL; today's figure is the
  subset finished today.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from common.catalog import Catalog
from common.enums import OPEN_STATUSES, CaseStatus, VehicleCategory
from common.schemas.board import (
    Board,
    BoardRow,
    CompletionRate,
    UnassignedCase,
    UnassignedQueue,
)
from server.cases.queue import due_today_condition, overdue_condition, today_bounds
from server.clock import LOCAL_ZONE, local
from server.dispatch.service import waiting_for_a_window
from server.models import Branch, Case
from server.sla.deadlines import WorkingDays, WorkingHours
from server.stats.completion import completion_marks, rate

# The board lists this many waiting cases; the count says how many there are in all.
UNASSIGNED_LIST_LIMIT = 100

_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))


def _count_where(condition: Any) -> Any:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): portable across SQLite and PostgreSQL."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def city_board(
    session: Session,
    catalog: Catalog,
    *,
    now: datetime,
    calendar: WorkingDays,
    hours: WorkingHours,
) -> Board:
    """The board as of `now` (aware)."""
    return Board(
        as_of=now,
        unassigned=unassigned_queue(session, catalog, now=now),
        rows=window_rows(session, catalog, now=now),
        **completion_rates(session, now=now, calendar=calendar, hours=hours),
    )


def due_later_today_condition(now: datetime) -> Any:
    """Due today and not yet overdue: the queue's due-today cases whose deadline is still ahead.

    Leaves the status test to the caller, like `due_today_condition(open_only=False)`.
    """
    return and_(due_today_condition(now, open_only=False), col(Case.due_at) >= now)


def window_rows(session: Session, catalog: Catalog, *, now: datetime) -> list[BoardRow]:
    """One row per county × member, in the catalog's order of counties, then members."""
    query = (
        select(
            Case.county_code,
            Case.member_code,
            func.count(),
            # The status IN is the WHERE's already: the conditions need not repeat it.
            _count_where(due_later_today_condition(now)),
            _count_where(overdue_condition(now, open_only=False)),
            _count_where(Case.status == CaseStatus.SUPPLEMENT_REQUESTED.value),
            _count_where(Case.status == CaseStatus.AWAITING_PAYMENT.value),
        )
        .where(col(Case.status).in_(_OPEN_VALUES), col(Case.member_code).is_not(None))
        .group_by(Case.county_code, Case.member_code)
    )
    figures: dict[tuple[str, str], tuple[int, ...]] = {
        (county, member): tuple(int(n) for n in counts) for county, member, *counts in session.exec(query).all()
    }
    available = {
        (county, member): bool(flag)
        for county, member, flag in session.exec(select(Branch.county_code, Branch.member_code, Branch.available)).all()
    }
    county_order = {c.code: i for i, c in enumerate(catalog.counties)}
    member_order = {m.code: i for i, m in enumerate(catalog.members)}
    keys = sorted(
        set(available) | set(figures),
        key=lambda k: (
            county_order.get(k[0], len(county_order)),
            k[0],
            member_order.get(k[1], len(member_order)),
            k[1],
        ),
    )
    rows = []
    for county, member in keys:
        open_cases, due_today, overdue, supplement, payment = figures.get((county, member), (0, 0, 0, 0, 0))
        rows.append(
            BoardRow(
                county_code=county,
                county_name=catalog.county_names.get(county, county),
                member_code=member,
                member_name=catalog.member_names.get(member, member),
                window_available=available.get((county, member), False),
                open_cases=open_cases,
                due_today=due_today,
                overdue=overdue,
                awaiting_supplement=supplement,
                awaiting_payment=payment,
            )
        )
    return rows


def unassigned_queue(
    session: Session,
    catalog: Catalog,
    *,
    now: datetime,
    limit: int = UNASSIGNED_LIST_LIMIT,
) -> UnassignedQueue:
    """The cases waiting for a window (`waiting_for_a_window`): how many, and the oldest `limit` of them."""
    waiting = waiting_for_a_window()
    total = session.exec(select(func.count()).select_from(Case).where(waiting)).one()
    query = (
        select(
            Case.id,
            Case.number,
            Case.county_code,
            Case.category,
            Case.submitted_at,
            Case.due_at,
            case((overdue_condition(now, open_only=False), True), else_=False),
        )
        .where(waiting)
        .order_by(col(Case.submitted_at), col(Case.id))
        .limit(limit)
    )
    cases = [
        UnassignedCase(
            id=case_id,
            number=number,
            county_code=county,
            county_name=catalog.county_names.get(county, county),
            category=category,
            category_label=VehicleCategory(category).label,
            submitted_at=submitted_at,
            due_at=due_at,
            overdue=bool(overdue),
        )
        for case_id, number, county, category, submitted_at, due_at, overdue in session.exec(query).all()
    ]
    return UnassignedQueue(count=int(total), limit=limit, cases=cases)


def month_start(now: datetime) -> datetime:
    """Midnight of the first day of `now`'s local month, aware."""
    day = local(now).date().replace(day=1)
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def completion_rates(
    session: Session, *, now: datetime, calendar: WorkingDays, hours: WorkingHours
) -> dict[str, CompletionRate]:
    """{"today": …, "this_month": …}: completed cases finished in the local day / month of `now`.

    Only the month's completed cases are read, two timestamps each; the
    promise needs the working calendar, so it is measured here rather than in SQL.
    """
    today_start, today_end = today_bounds(now)
    finished = session.exec(
        select(Case.submitted_at, Case.finished_at).where(
            Case.status == CaseStatus.COMPLETED.value,
            col(Case.finished_at) >= month_start(now),
            col(Case.finished_at) < today_end,
        )
    ).all()
    today = [0, 0]
    month = [0, 0]
    for submitted_at, finished_at in finished:
        if submitted_at is None or finished_at is None:
            continue
        kept = completion_marks(submitted_at, finished_at, calendar=calendar, hours=hours).same_day
        month[0] += 1
        month[1] += kept
        if finished_at >= today_start:
            today[0] += 1
            today[1] += kept
    return {
        "today": CompletionRate(completed=today[0], same_day=today[1], rate=rate(today[1], today[0])),
        "this_month": CompletionRate(completed=month[0], same_day=month[1], rate=rate(month[1], month[0])),
    }
