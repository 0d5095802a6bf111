"""The staff queue: the caller's cases, filtered, searched, sorted by deadline, a page at a time.

Everything is a few SQL statements over the scoped `cases` table
(`case_scope`), counted and paged in the database: the queue has to stay fast
with 100,000 cases, so nothing here loads rows it does not return, and the
statements are shaped so that SQLite, which plans without statistics, reads
an index where one narrows and reads rows in order where none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any, cast

from sqlalchemy import Integer, Select, and_, bindparam, func, union_all
from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import OPEN_STATUSES, CaseStatus, Role, VehicleCategory
from common.schemas.cases import QueuePage
from server.actor import Actor
from server.cases.presenters import summary_fields
from server.cases.queue_planner import plain_column, planner_hints, scope_index_usable
from server.cases.queue_search import search_condition
from server.cases.scope import case_scope
from server.clock import LOCAL_ZONE, local
from server.models import Case

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# What `presenters.summary_fields` reads of a case (the queue tests fail at once if it starts reading more).
SUMMARY_COLUMNS = (
    Case.id, Case.number, Case.version, Case.channel, Case.category, Case.business_type, Case.county_code,
    Case.status, Case.owner_name, Case.owner_id_number, Case.plate, Case.vin, Case.member_code,
    Case.submitted_at, Case.due_at, Case.sla_paused_at,
)  # fmt: skip
OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))
_ALL_STATUSES = tuple(sorted(s.value for s in CaseStatus))
ALL_BUT_DRAFT = tuple(sorted(s.value for s in CaseStatus if s is not CaseStatus.DRAFT))


@dataclass(frozen=True)
class QueueFilters:
    """What the clerk narrowed the queue to; every field is optional and they combine with AND."""

    statuses: tuple[CaseStatus, ...] = ()
    overdue: bool = False
    due_today: bool = False
    county_code: str | None = None
    category: VehicleCategory | None = None
    search: str | None = None


def today_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of `now`'s local calendar day, as aware datetimes."""
    day = local(now).date()
    start = datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_ZONE)


def overdue_condition(now: datetime, *, open_only: bool = True) -> Any:
    """Past the deadline, still open, and the SLA clock running (same rule as `presenters.is_overdue`).

    `open_only=False` leaves the status test to a caller that restricts the statuses already.
    """
    return and_(
        *([Case.status.in_(OPEN_VALUES)] if open_only else []),
        Case.sla_paused_at.is_(None),
        Case.due_at.is_not(None),
        Case.due_at < now,
    )


def due_today_condition(now: datetime, *, open_only: bool = True) -> Any:
    """Open, SLA clock running, deadline on today's local date.

    Finished cases and cases waiting for the customer's supplement are left
    out: the tab is the day's to-do list, and a paused case's deadline moves
    when the supplement arrives.
    """
    start, end = today_bounds(now)
    return and_(
        *([Case.status.in_(OPEN_VALUES)] if open_only else []),
        Case.sla_paused_at.is_(None),
        Case.due_at >= start,
        Case.due_at < end,
    )


def effective_statuses(filters: QueueFilters) -> tuple[str, ...]:
    """The statuses the queue can hold under `filters`: the ones asked for, else all but drafts.

    Drafts are unfinished paperwork, not work in the queue: they show only
    when asked for with status=draft. Overdue and due-today only ever hold open cases.
    """
    chosen = {s.value for s in filters.statuses} if filters.statuses else set(ALL_BUT_DRAFT)
    if filters.overdue or filters.due_today:
        chosen &= set(OPEN_VALUES)
    return tuple(sorted(chosen))


def queue_conditions(
    actor: Actor, filters: QueueFilters, *, now: datetime | None, scan: bool = False, statuses_given: bool = False
) -> list[Any]:
    """The WHERE clauses of the caller's queue: the search, the scope, then every filter.

    With `scan`, the status, county and category filters are written so that
    SQLite uses no index for them, and the scope's index hints are left out:
    the rows are then picked out by the search term's own index (number,
    plate, full VIN) or by one sequential read, rather than by thousands of
    index lookups that SQLite, planning without statistics, would choose.
    The search goes first: it rejects most rows soonest. `statuses_given`
    leaves out the status filter for a caller that adds an equality on one
    status itself (a redundant IN beside it costs SQLite a test per row).
    `now` may be None only without the overdue and due-today filters.
    """
    if now is None and (filters.overdue or filters.due_today):
        raise ValueError("the overdue and due-today filters need the time")
    statuses = effective_statuses(filters)
    conditions: list[Any] = []
    if filters.search:
        matched = search_condition(filters.search, matches_first=scan)
        if matched is not None:
            conditions.append(matched)
    # Without drafts the scope is plain equalities an index can use; a scan must not use them (see above),
    # so it keeps the scope's OR form, which selects the same non-draft cases.
    conditions.append(case_scope(actor, drafts=scan or CaseStatus.DRAFT.value in statuses))
    if not statuses_given:
        conditions.append(plain_column(Case.status, scan).in_(statuses))
    if not scan:
        conditions.extend(planner_hints(actor, statuses))
    # The statuses are open ones already (effective_statuses).
    if filters.overdue and now is not None:
        conditions.append(overdue_condition(now, open_only=False))
    if filters.due_today and now is not None:
        conditions.append(due_today_condition(now, open_only=False))
    if filters.county_code:
        conditions.append(plain_column(Case.county_code, scan) == filters.county_code)
    if filters.category:
        conditions.append(plain_column(Case.category, scan) == filters.category.value)
    return conditions


@dataclass(frozen=True, eq=False)
class _Plan:
    """How to read one queue page (see `list_queue`), with its statements once built."""

    where: list[Any]
    # Sort the matches (a scoped queue, or rows picked by content) rather than walk an index.
    sort_matches: bool
    # Count in the same pass as sorting (few matches, each costly to test twice).
    count_in_pass: bool
    # Nothing narrows the queue but its statuses (the coordinator's plain view).
    statuses_only: bool
    # What the conditions were made from, for the walks' variant (`walk_where`).
    actor: Actor
    filters: QueueFilters
    now: datetime | None
    scan: bool

    def walk_where(self) -> list[Any]:
        """The conditions without the status filter, for walks that fix one status each."""
        return queue_conditions(self.actor, self.filters, now=self.now, scan=self.scan, statuses_given=True)

    @cached_property
    def count_statement(self) -> Select[tuple[int]]:
        """How many cases match."""
        return select(func.count()).select_from(Case).where(*self.where)

    @cached_property
    def sorted_page_statement(self) -> Select[Any]:
        """The matching rows in queue order, from the bound `offset`, at most the bound `limit`."""
        query = select(*SUMMARY_COLUMNS).where(*self.where).order_by(*_SORTED)
        return query.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer))


def _plan_for(actor: Actor, filters: QueueFilters, statuses: tuple[str, ...], *, now: datetime) -> _Plan:
    """The page's plan; shared by every read of the same view by the same caller when the time does not enter it."""
    if filters.overdue or filters.due_today or filters.search:
        return _plan(actor, filters, statuses, now=now)  # bound to this moment, or to free text seldom asked twice
    return _timeless_plan(actor, filters, statuses)


# Building a page's statements and SQLAlchemy's keys for them costs about as much as running them, and a
# desktop reads the same view over and over. Keyed by the whole caller (their scope with it) and the view;
# the rows themselves are read afresh every time. Bounded: a statement tree is some kilobytes.
@lru_cache(maxsize=256)
def _timeless_plan(actor: Actor, filters: QueueFilters, statuses: tuple[str, ...]) -> _Plan:
    return _plan(actor, filters, statuses, now=None)


def _plan(actor: Actor, filters: QueueFilters, statuses: Sequence[str], *, now: datetime | None) -> _Plan:
    hints = scope_index_usable(actor, statuses)
    # Conditions on row content (a search term, a category, a county without the scope index) are
    # answered by reading rows; for more than a clerk's share it is cheaper to read them in order
    # than to look each up from an index, and SQLite cannot tell without statistics.
    by_content = bool(filters.search or filters.category or (filters.county_code and not hints))
    scan = by_content and not (actor.role is Role.CLERK and hints)
    narrowed = filters.overdue or filters.due_today or filters.county_code or filters.category or filters.search
    return _Plan(
        where=queue_conditions(actor, filters, now=now, scan=scan),
        sort_matches=by_content or bool(hints),
        count_in_pass=by_content,
        statuses_only=actor.role is Role.COORDINATOR and not narrowed,
        actor=actor,
        filters=filters,
        now=now,
        scan=scan,
    )


def list_queue(
    session: Session, actor: Actor, *, filters: QueueFilters, page: int, page_size: int, now: datetime
) -> tuple[list[Case], int]:
    """One page of the caller's queue, earliest deadline first, and how many cases match in all.

    Cases without a deadline come last, by id. Rows are read as plain rows
    of the columns a queue row shows, never as ORM instances. Three ways:

    * a clerk's or supervisor's queue (thousands of cases, narrowed on the
      scope index) is counted, then sorted and read in one statement (`_sorted_rows`);
    * rows picked by content (a search, a category) are counted and sorted
      in one pass as ids (`_sorted_ids`), and then only those rows are read;
    * the coordinator's queue is walked in deadline order on an index,
      status by status, each only as deep as the page reaches
      (`_walked_ids`): the city's 100,000 cases are never sorted to show fifty.
    """
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("page must be >= 1 and page_size within 1..MAX_PAGE_SIZE")
    statuses = effective_statuses(filters)
    if not statuses:
        return [], 0
    plan = _plan_for(actor, filters, statuses, now=now)
    offset = (page - 1) * page_size
    if plan.sort_matches and not plan.count_in_pass:
        return _sorted_rows(session, plan, offset=offset, limit=page_size)
    if plan.sort_matches:
        ids, total = _sorted_ids(session, plan, offset=offset, limit=page_size)
    else:
        ids, total = _walked_ids(session, plan, statuses, offset=offset, limit=page_size)
    if not ids:
        return [], total
    # No ORM instances for a read-only list: building them costs more than the queries.
    found = session.exec(select(*SUMMARY_COLUMNS).where(Case.id.in_(ids))).all()  # type: ignore[union-attr]
    rows = {row.id: cast(Case, row) for row in found}
    return [rows[i] for i in ids if i in rows], total


# The queue's order. ix_cases_scope_deadline holds a window's cases in exactly this order, so a
# clerk's page is read from the front of that index; no index without the scope's columns in
# front has it, so the planner never walks the whole city in deadline order to find one window's.
_SORTED = (Case.due_at.is_(None), Case.due_at, Case.id)


def _sorted_rows(session: Session, plan: _Plan, *, offset: int, limit: int) -> tuple[list[Case], int]:
    """One page of a scoped queue's rows, undated last, and the number of matches.

    The page's rows are read in one statement. For a clerk, SQLite walks
    ix_cases_scope_deadline, already in the queue's order, and stops after
    the page; a supervisor's member-wide scope is sorted (its index's
    order is per county), which for one member's cases costs less than a
    second statement fetching fifty rows by id.
    """
    # Plain Core execution on the session's connection: the rows are plain either way, and the ORM's
    # execution path costs more than SQLite's work here. (No autoflush: the queue is read in read sessions.)
    connection = session.connection()
    total = connection.execute(plan.count_statement).scalar_one()
    if offset >= total:
        return [], total
    rows = connection.execute(plan.sorted_page_statement, {"offset": offset, "limit": limit}).all()
    return [cast(Case, row) for row in rows], total


def _sorted_ids(session: Session, plan: _Plan, *, offset: int, limit: int) -> tuple[list[int], int]:
    """Ids of one page of the matches picked by content, undated last, and the number of matches.

    They are counted in the same pass (a window count): testing each row twice would cost more.
    """
    order = _SORTED
    count = select(func.count()).select_from(Case).where(*plan.where)
    query = select(Case.id, func.count().over()).where(*plan.where).order_by(*order).offset(offset).limit(limit)
    rows = session.exec(query).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    # A page past the end has no row to carry the count.
    return [], session.exec(count).one() if offset else 0


def _count_matches(session: Session, plan: _Plan, statuses: Sequence[str]) -> tuple[int, int]:
    """How many cases match, and how many of them have a deadline, from indexes only.

    Cases without a deadline are few (not yet dispatched): counting them and
    subtracting costs an index range instead of reading every deadline.
    When only statuses narrow the queue and they are most of them, the count
    is the table's (which SQLite keeps cheaply) less the other statuses'.
    """
    others = sorted(set(_ALL_STATUSES) - set(statuses))
    if plan.statuses_only and len(others) < len(statuses):
        everything = session.exec(select(func.count()).select_from(Case)).one()
        total = everything - session.exec(select(func.count()).select_from(Case).where(Case.status.in_(others))).one()
    else:
        total = session.exec(select(func.count()).select_from(Case).where(*plan.where)).one()
    undated = session.exec(select(func.count()).select_from(Case).where(*plan.where, Case.due_at.is_(None))).one()
    return total, total - undated


def _walked_ids(
    session: Session, plan: _Plan, statuses: Sequence[str], *, offset: int, limit: int
) -> tuple[list[int], int]:
    """Ids of one page in (due_at, id) order, undated last, and the number of matches.

    ix_cases_status_due yields one status's cases in deadline order, but no
    index yields several statuses' cases in one order. So each status is
    read in index order only as deep as the page reaches, and the short
    lists are merged with UNION ALL. Undated cases (few: not yet dispatched)
    follow by id.
    """
    total, dated = _count_matches(session, plan, statuses)
    ids: list[int] = []
    if offset < dated:
        has_due = Case.due_at.is_not(None)
        if len(statuses) == 1:
            query = (
                select(Case.id).where(*plan.where, has_due).order_by(Case.due_at, Case.id).offset(offset).limit(limit)
            )
        else:
            walk_where = plan.walk_where()
            walks = [
                select(Case.id, Case.due_at)
                .where(*walk_where, has_due, Case.status == status)
                .order_by(Case.due_at, Case.id)
                .limit(offset + limit)
                .subquery()
                for status in statuses
            ]
            # Each walk sits in a subquery: SQLite allows no ORDER BY/LIMIT directly inside UNION ALL.
            merged = union_all(*(select(w.c.id, w.c.due_at) for w in walks)).subquery()
            query = select(merged.c.id).order_by(merged.c.due_at, merged.c.id).offset(offset).limit(limit)
        ids.extend(session.exec(query).all())
    remaining = limit - len(ids)
    if remaining > 0 and total > dated:
        undated = (
            select(Case.id)
            .where(*plan.where, Case.due_at.is_(None))
            .order_by(Case.id)
            .offset(max(0, offset - dated))
            .limit(remaining)
        )
        ids.extend(session.exec(undated).all())
    return ids, total


def queue_page(
    session: Session,
    actor: Actor,
    catalog: Catalog,
    *,
    filters: QueueFilters,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    now: datetime,
) -> QueuePage:
    """The caller's queue as the API shows it."""
    rows, total = list_queue(session, actor, filters=filters, page=page, page_size=page_size, now=now)
    items = [summary_fields(row, catalog, now=now) for row in rows]
    # One validation for the whole page (see `summary_fields`).
    return QueuePage.model_validate({"items": items, "total": total, "page": page, "page_size": page_size})
