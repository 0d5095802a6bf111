"""The staff queue: the caller's cases, filtered, searched, sorted by deadline, a page at a time.

Everything is one or two SQL statements over the scoped `cases` table
(`case_scope`), counted and paged in the database: the queue has to stay fast
with 100,000 cases, so nothing here loads rows it does not return.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import OPEN_STATUSES, CaseStatus, VehicleCategory
from common.schemas.cases import QueuePage
from common.validators import PLATE_SEPARATORS
from server.actor import Actor
from server.cases.presenters import summarize
from server.cases.scope import case_scope
from server.clock import LOCAL_ZONE, local
from server.models import Case

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 40
# A VIN is searched by its full 17 characters or by its last 6 or more.
MIN_VIN_SUFFIX = 6

_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))
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


def search_condition(term: str) -> Any | None:
    """Cases matching a free-text search, or None when the term is blank.

    One box finds a case by its number (exact or prefix), the owner's name
    (contains), the plate (exact or prefix) or the VIN (exact, or its last 6+
    characters). Each part only joins the OR when the term could be that kind
    of value (a name has no digits, a number has no Chinese characters, ...),
    so exact and prefix searches stay on their indexes instead of every search
    scanning every column.
    """
    raw = "".join(ch for ch in unicodedata.normalize("NFKC", term) if not ch.isspace())
    if not raw:
        return None
    code = raw.upper()
    parts: list[Any] = []
    if _ASCII_CODE.fullmatch(code):
        if _FULL_CASE_NUMBER.fullmatch(code):
            parts.append(Case.number == code)
        elif code.startswith("YC"):
            parts.append(Case.number.like(_like_literal(code) + "%", escape=_LIKE_ESCAPE))
        if _VIN_PART.fullmatch(code):
            parts.append(Case.vin == code if len(code) == 17 else Case.vin.like("%" + _like_literal(code), escape=_LIKE_ESCAPE))
    elif not code.isascii() and code[0] not in PLATE_SEPARATORS:
        plate = "".join(ch for ch in code if ch not in PLATE_SEPARATORS)
        if plate[1:].isascii() and plate[1:].isalnum():
            parts.append(Case.plate == plate if len(plate) >= 7 else Case.plate.like(_like_literal(plate) + "%", escape=_LIKE_ESCAPE))
    if not any(ch.isdigit() for ch in raw):
        parts.append(Case.owner_name.like("%" + _like_literal(raw) + "%", escape=_LIKE_ESCAPE))
    return or_(*parts) if parts else Case.id.is_(None)  # nothing can match: an empty result, not an error


def queue_conditions(actor: Actor, filters: QueueFilters, *, now: datetime) -> list[Any]:
    """The WHERE clauses of the caller's queue: scope first, then every filter."""
    conditions: list[Any] = [case_scope(actor)]
    if filters.statuses:
        conditions.append(Case.status.in_(sorted({s.value for s in filters.statuses})))
    else:
        # Drafts are unfinished paperwork, not work in the queue; ask for status=draft to see them.
        conditions.append(Case.status != CaseStatus.DRAFT.value)
    if filters.overdue:
        conditions.append(overdue_condition(now))
    if filters.due_today:
        conditions.append(due_today_condition(now))
    if filters.county_code:
        conditions.append(Case.county_code == filters.county_code)
    if filters.category:
        conditions.append(Case.category == filters.category.value)
    if filters.search:
        matched = search_condition(filters.search)
        if matched is not None:
            conditions.append(matched)
    return conditions


def list_queue(
    session: Session, actor: Actor, *, filters: QueueFilters, page: int, page_size: int, now: datetime
) -> tuple[list[Case], int]:
    """One page of the caller's queue, earliest deadline first, and how many cases match in all.

    Cases without a deadline come last, by id. Dated and undated rows are
    read by separate queries, each ordered by an indexed column, rather than
    with one `ORDER BY due_at IS NULL, ...` that no index can serve.
    """
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("page must be >= 1 and page_size within 1..MAX_PAGE_SIZE")
    where = queue_conditions(actor, filters, now=now)
    total, dated = session.exec(select(func.count(), func.count(Case.due_at)).select_from(Case).where(*where)).one()
    offset = (page - 1) * page_size
    rows: list[Case] = []
    if offset < dated:
        rows.extend(
            session.exec(
                select(Case)
                .where(*where, Case.due_at.is_not(None))
                .order_by(Case.due_at, Case.id)
                .offset(offset)
                .limit(page_size)
            ).all()
        )
    remaining = page_size - len(rows)
    if remaining > 0 and total > dated and offset + len(rows) < total:
        rows.extend(
            session.exec(
                select(Case)
                .where(*where, Case.due_at.is_(None))
                .order_by(Case.id)
                .offset(max(0, offset - dated))
                .limit(remaining)
            ).all()
        )
    return rows, total


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
    drafts only, as the scope has it. Two grouped queries, no rows loaded.
    """
    where: list[Any] = [case_scope(actor)]
    if county_code:
        where.append(Case.county_code == county_code)
    if category:
        where.append(Case.category == category.value)
    counts = {status.value: 0 for status in CaseStatus}
    for status, count in session.exec(select(Case.status, func.count()).where(*where).group_by(Case.status)).all():
        counts[status] = count
    _, end_of_today = today_bounds(now)
    overdue, due_today = session.exec(
        select(
            func.coalesce(func.sum(case((overdue_condition(now), 1), else_=0)), 0),
            func.coalesce(func.sum(case((due_today_condition(now), 1), else_=0)), 0),
        ).where(
            *where,
            # Both tabs only ever hold open, running cases due before tonight: let the index narrow it first.
            Case.status.in_(_OPEN_VALUES),
            Case.sla_paused_at.is_(None),
            Case.due_at < end_of_today,
        )
    ).one()
    counts["overdue"] = int(overdue)
    counts["due_today"] = int(due_today)
    return counts

