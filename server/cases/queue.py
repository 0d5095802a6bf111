"""The staff queue: the caller's cases, filtered, searched, sorted by deadline, a page at a time.

Everything is a few SQL statements over the scoped `cases` table
(`case_scope`), counted and paged in the database: the queue has to stay fast
with 100,000 cases, so nothing here loads rows it does not return, and the
statements are shaped so that SQLite, which plans without statistics, reads
an index where one narrows and reads rows in order where none does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, union, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import OPEN_STATUSES, CaseStatus, Role, VehicleCategory
from common.schemas.cases import QueuePage
from common.validators import PLATE_SEPARATORS
from server.actor import Actor
from server.cases.presenters import summarize
from server.cases.scope import case_scope
from server.clock import LOCAL_ZONE, local
from server.models import Case, County

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 40
# A VIN is searched by its full 17 characters or by its last 6 or more.
MIN_VIN_SUFFIX = 6

_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))
_ALL_BUT_DRAFT = tuple(sorted(s.value for s in CaseStatus if s is not CaseStatus.DRAFT))
_FULL_CASE_NUMBER = re.compile(r"YC\d{8}-\d{4,}")
_ASCII_CODE = re.compile(r"[A-Z0-9-]+")
_VIN_PART = re.compile(r"[A-Z0-9]{%d,17}" % MIN_VIN_SUFFIX)
_LIKE_ESCAPE = "\\"


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


def overdue_condition(now: datetime) -> Any:
    """Past the deadline, still open, and the SLA clock running (same rule as `presenters.is_overdue`)."""
    return and_(
        Case.status.in_(_OPEN_VALUES),
        Case.sla_paused_at.is_(None),
        Case.due_at.is_not(None),
        Case.due_at < now,
    )


def due_today_condition(now: datetime) -> Any:
    """Open, SLA clock running, deadline on today's local date.

    Finished cases and cases waiting for the customer's supplement are left
    out: the tab is the day's to-do list, and a paused case's deadline moves
    when the supplement arrives.
    """
    start, end = today_bounds(now)
    return and_(
        Case.status.in_(_OPEN_VALUES),
        Case.sla_paused_at.is_(None),
        Case.due_at >= start,
        Case.due_at < end,
    )


def _like_literal(text: str) -> str:
    """`text` with LIKE's wildcards escaped, so a typed % or _ matches itself."""
    return text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")


def number_prefix_condition(prefix: str, number: Any = Case.number) -> Any:
    """Case numbers starting with `prefix` (letters, digits and dashes), as an index range.

    `number LIKE 'YC2026%'` cannot use the unique index on SQLite (its LIKE
    ignores case) nor on PostgreSQL outside the C locale; a range can:
    number >= 'YC2026' AND number < 'YC2027'. The upper bound drops trailing
    dashes, nines and Zs before stepping the last character up, so it stays
    right under both byte-wise and linguistic collations (which ignore the
    dash); the LIKE then only checks the few rows inside the range.
    """
    stem = prefix.rstrip("-9Z")
    conditions = [number >= prefix, number.like(_like_literal(prefix) + "%", escape=_LIKE_ESCAPE)]
    if stem:
        conditions.append(number < stem[:-1] + chr(ord(stem[-1]) + 1))
    return and_(*conditions)


def search_condition(term: str, *, matches_first: bool = True) -> Any | None:
    """Cases matching a free-text search, or None when the term is blank.

    One box finds a case by its number (exact or prefix), the owner's name
    (contains), the plate (exact or prefix) or the VIN (exact, or its last 6+
    characters). A part only joins when the term could be that kind of value
    (a name has no digits, a number no Chinese characters, ...).

    With `matches_first`, the matches are found first, as `id IN (SELECT id
    ... UNION SELECT id ...)`, each part on its own column's index: a seek
    for exact and prefix terms, a read of that one small index for "contains"
    and "ends with"; only the matching rows are then read for the scope and
    the filters. Without it, the parts are plain conditions on the rows, for
    a queue small enough (a clerk's) that reading its rows costs less.
    """
    raw = "".join(ch for ch in unicodedata.normalize("NFKC", term) if not ch.isspace())
    if not raw:
        return None
    code = raw.upper()
    found = aliased(Case, name="found") if matches_first else Case
    parts: list[Any] = []
    if _ASCII_CODE.fullmatch(code):
        if _FULL_CASE_NUMBER.fullmatch(code):
            parts.append(found.number == code)
        elif code.startswith("YC"):
            parts.append(number_prefix_condition(code, found.number))
        if _VIN_PART.fullmatch(code):
            parts.append(found.vin == code if len(code) == 17 else found.vin.like("%" + _like_literal(code), escape=_LIKE_ESCAPE))
    elif not code.isascii() and code[0] not in PLATE_SEPARATORS:
        plate = "".join(ch for ch in code if ch not in PLATE_SEPARATORS)
        if plate[1:].isascii() and plate[1:].isalnum():
            parts.append(found.plate == plate if len(plate) >= 7 else found.plate.like(_like_literal(plate) + "%", escape=_LIKE_ESCAPE))
    if not any(ch.isdigit() for ch in raw):
        parts.append(found.owner_name.like("%" + _like_literal(raw) + "%", escape=_LIKE_ESCAPE))
    if not parts:
        return Case.id.is_(None)  # nothing can match: an empty result, not an error
    if not matches_first:
        return or_(*parts)
    matches = [select(found.id).where(part) for part in parts]
    return Case.id.in_(matches[0] if len(matches) == 1 else union(*matches))


def effective_statuses(filters: QueueFilters) -> tuple[str, ...]:
    """The statuses the queue can hold under `filters`: the ones asked for, else all but drafts.

    Drafts are unfinished paperwork, not work in the queue: they show only
    when asked for with status=draft. Overdue and due-today only ever hold open cases.
    """
    chosen = {s.value for s in filters.statuses} if filters.statuses else set(_ALL_BUT_DRAFT)
    if filters.overdue or filters.due_today:
        chosen &= set(_OPEN_VALUES)
    return tuple(sorted(chosen))


def planner_hints(actor: Actor, statuses: Sequence[str]) -> list[Any]:
    """Equalities that `case_scope` implies for non-draft cases, repeated at the top of the WHERE.

    `case_scope` joins "assigned to my member (and county)" and "my own
    counter drafts" with an OR, and SQLite's planner cannot see an index
    through an OR: it would read every case of a status to find a clerk's
    few. These terms let it use ix_cases_scope_queue (member, county,
    status, due_at). They only ever narrow (case_scope stays in the query and
    decides visibility) and are left out when drafts are asked for.
    """
    if CaseStatus.DRAFT.value in statuses:
        return []
    if actor.role is Role.CLERK and actor.member_code and actor.county_code:
        return [Case.member_code == actor.member_code, Case.county_code == actor.county_code]
    if actor.role is Role.SUPERVISOR and actor.member_code:
        # "Any county" spelled out, so the county column does not break the index prefix.
        return [Case.member_code == actor.member_code, Case.county_code.in_(select(County.code))]
    return []


@dataclass(frozen=True)
class _Plan:
    """How to read one queue page (see `list_queue`)."""

    where: list[Any]
    sort_matches: bool


def _plan(actor: Actor, filters: QueueFilters, statuses: Sequence[str], *, now: datetime) -> _Plan:
    hints = planner_hints(actor, statuses)
    is_clerk = actor.role is Role.CLERK
    # Conditions on row content (a search term, a category, a county without the scope index) are
    # answered by reading rows; for more than a clerk's share it is cheaper to read them in order
    # than to look each up from an index, and SQLite cannot tell without statistics.
    by_content = bool(filters.search or filters.category or (filters.county_code and not hints))
    scan = by_content and not (is_clerk and hints)
    return _Plan(where=queue_conditions(actor, filters, now=now, scan=scan), sort_matches=by_content or bool(hints))


class _Unindexed(ColumnElement[Any]):
    """A column the SQLite planner may not use an index for: `+column`, SQLite's documented idiom.

    Other databases get the plain column: PostgreSQL plans with statistics.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _compile_plain(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Unindexed, "sqlite")
def _compile_unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _plain(column: Any, scan: bool) -> Any:
    return _Unindexed(column) if scan else column


def queue_conditions(actor: Actor, filters: QueueFilters, *, now: datetime, scan: bool = False) -> list[Any]:
    """The WHERE clauses of the caller's queue: scope first, then every filter.

    With `scan`, the status, county and category filters are written so that
    SQLite uses no index for them, and the scope's index hints are left out:
    the rows are then picked out by the search term's own index (number,
    plate, full VIN) or by one sequential read, rather than by thousands of
    index lookups that SQLite, planning without statistics, would choose.
    The search goes first: it rejects most rows soonest.
    """
    statuses = effective_statuses(filters)
    conditions: list[Any] = []
    if filters.search:
        matched = search_condition(filters.search, matches_first=scan)
        if matched is not None:
            conditions.append(matched)
    conditions += [case_scope(actor), _plain(Case.status, scan).in_(statuses)]
    if not scan:
        conditions.extend(planner_hints(actor, statuses))
    if filters.overdue:
        conditions.append(overdue_condition(now))
    if filters.due_today:
        conditions.append(due_today_condition(now))
    if filters.county_code:
        conditions.append(_plain(Case.county_code, scan) == filters.county_code)
    if filters.category:
        conditions.append(_plain(Case.category, scan) == filters.category.value)
    return conditions


def list_queue(
    session: Session, actor: Actor, *, filters: QueueFilters, page: int, page_size: int, now: datetime
) -> tuple[list[Case], int]:
    """One page of the caller's queue, earliest deadline first, and how many cases match in all.

    Cases without a deadline come last, by id. The page is found as ids
    first, then only those rows are loaded. Two ways to find the ids:

    * when the rows are few or picked by content (a clerk's or supervisor's
      share, a search, a category), one statement finds the matches, sorts
      them and counts them (`_sorted_ids`);
    * for the coordinator's whole queue, each status's cases are walked in
      deadline order on an index, only as deep as the page reaches
      (`_walked_ids`), so 100,000 cases are never sorted to show fifty.
    """
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("page must be >= 1 and page_size within 1..MAX_PAGE_SIZE")
    statuses = effective_statuses(filters)
    if not statuses:
        return [], 0
    plan = _plan(actor, filters, statuses, now=now)
    offset = (page - 1) * page_size
    if plan.sort_matches:
        ids, total = _sorted_ids(session, plan.where, offset=offset, limit=page_size)
    else:
        ids, total = _walked_ids(session, plan.where, statuses, offset=offset, limit=page_size)
    if not ids:
        return [], total
    rows = {row.id: row for row in session.exec(select(Case).where(Case.id.in_(ids))).all()}  # type: ignore[union-attr]
    return [rows[i] for i in ids if i in rows], total


def _sorted_ids(session: Session, where: list[Any], *, offset: int, limit: int) -> tuple[list[int], int]:
    """Ids of one page of the matches, undated last, and the number of matches, in a single pass.

    The ORDER BY on `due_at IS NULL` suits no index on purpose: the planner
    then picks the index that narrows most (the scope's) instead of one that
    merely yields deadline order.
    """
    query = (
        select(Case.id, func.count().over())
        .where(*where)
        .order_by(Case.due_at.is_(None), Case.due_at, Case.id)
        .offset(offset)
        .limit(limit)
    )
    rows = session.exec(query).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    # A page past the end has no row to carry the count.
    total = session.exec(select(func.count()).select_from(Case).where(*where)).one() if offset else 0
    return [], total


def _walked_ids(
    session: Session, where: list[Any], statuses: Sequence[str], *, offset: int, limit: int
) -> tuple[list[int], int]:
    """Ids of one page in (due_at, id) order, undated last, and the number of matches.

    ix_cases_status_due yields one status's cases already in deadline order,
    but no index yields several statuses' cases in one order. So each status
    is read separately, in index order and only as deep as the page reaches,
    and the short lists are merged with UNION ALL. Undated cases (few: not
    yet dispatched) follow by id.
    """
    total, dated = session.exec(select(func.count(), func.count(Case.due_at)).select_from(Case).where(*where)).one()
    ids: list[int] = []
    if offset < dated:
        has_due = Case.due_at.is_not(None)
        if len(statuses) == 1:
            query = select(Case.id).where(*where, has_due).order_by(Case.due_at, Case.id).offset(offset).limit(limit)
        else:
            branches = [
                select(Case.id, Case.due_at)
                .where(*where, has_due, Case.status == status)
                .order_by(Case.due_at, Case.id)
                .limit(offset + limit)
                .subquery()
                for status in statuses
            ]
            # Each branch sits in a subquery: SQLite allows no ORDER BY/LIMIT directly inside UNION ALL.
            merged = union_all(*(select(b.c.id, b.c.due_at) for b in branches)).subquery()
            query = select(merged.c.id).order_by(merged.c.due_at, merged.c.id).offset(offset).limit(limit)
        ids.extend(session.exec(query).all())
    remaining = limit - len(ids)
    if remaining > 0 and total > dated:
        ids.extend(
            session.exec(
                select(Case.id)
                .where(*where, Case.due_at.is_(None))
                .order_by(Case.id)
                .offset(max(0, offset - dated))
                .limit(remaining)
            ).all()
        )
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
    return QueuePage(
        items=[summarize(row, catalog, now=now) for row in rows], total=total, page=page, page_size=page_size
    )


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
    where: list[Any] = [case_scope(actor)]
    if county_code:
        where.append(Case.county_code == county_code)
    if category:
        where.append(Case.category == category.value)
    assigned = [*where, *planner_hints(actor, _ALL_BUT_DRAFT), Case.status != CaseStatus.DRAFT.value]
    counts = {status.value: 0 for status in CaseStatus}
    for status, count in session.exec(select(Case.status, func.count()).where(*assigned).group_by(Case.status)).all():
        counts[status] = count
    counts[CaseStatus.DRAFT.value] = session.exec(
        select(func.count()).select_from(Case).where(*where, Case.status == CaseStatus.DRAFT.value)
    ).one()
    _, end_of_today = today_bounds(now)
    overdue, due_today = session.exec(
        select(
            func.coalesce(func.sum(case((overdue_condition(now), 1), else_=0)), 0),
            func.coalesce(func.sum(case((due_today_condition(now), 1), else_=0)), 0),
        ).where(
            *assigned,
            # Both tabs only ever hold open, running cases due before tonight: let the index narrow it first.
            Case.status.in_(_OPEN_VALUES),
            Case.sla_paused_at.is_(None),
            Case.due_at < end_of_today,
        )
    ).one()
    counts["overdue"] = int(overdue)
    counts["due_today"] = int(due_today)
    return counts
