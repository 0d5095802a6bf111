"""The city board's figures: per county window, the unassigned queue, the same-day promise."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from common.enums import CaseStatus, Role
from common.schemas.board import Board, BoardRow
from server.cases.queue import QueueFilters, list_queue
from server.cases.queue_counts import queue_counts
from server.clock import LOCAL_ZONE
from server.context import AppContext
from server.dispatch.service import unassigned_cases
from server.dispatch.windows import county_windows
from server.models import Branch, Case
from server.stats.board import city_board, unassigned_queue
from tests.server.factories import make_staff
from tests.server.queue.builders import actor_of, make_case

TINGHU, YANDU = "320902", "320903"


def board(ctx: AppContext) -> Board:
    with ctx.db.read() as session:
        return city_board(
            session,
            ctx.catalog,
            now=ctx.clock.now(),
            calendar=ctx.calendar,
            hours=ctx.hours,
        )


def row(result: Board, county: str, member: str) -> BoardRow:
    return next(r for r in result.rows if r.county_code == county and r.member_code == member)


def figures(r: BoardRow) -> dict[str, int]:
    return {
        "open": r.open_cases,
        "due_today": r.due_today,
        "overdue": r.overdue,
        "supplement": r.awaiting_supplement,
        "payment": r.awaiting_payment,
    }


def update(ctx: AppContext, case: Case, **fields: Any) -> None:
    """Overwrite stored columns (timestamps the builder sets from the clock)."""
    with ctx.db.write() as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        for name, value in fields.items():
            setattr(stored, name, value)
        session.add(stored)


def local_time(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_ZONE)


# --- per county × member -------------------------------------------------------------------


def test_each_window_counts_its_open_cases_by_what_they_wait_for(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()  # Tuesday 10 March 2026, 10:00
    make_case(ctx, status=CaseStatus.ASSIGNED, due_in=timedelta(hours=6))  # due today
    make_case(ctx, status=CaseStatus.REVIEWING, due_at=now - timedelta(days=1))  # overdue since yesterday
    make_case(
        ctx,
        status=CaseStatus.SUPPLEMENT_REQUESTED,
        due_at=now - timedelta(days=1),
        paused=True,
    )  # clock stopped
    make_case(ctx, status=CaseStatus.AWAITING_PAYMENT, due_in=timedelta(days=1))
    make_case(
        ctx,
        status=CaseStatus.COMPLETED,
        due_at=now - timedelta(days=1),
        finished_at=now,
    )  # done: not open
    make_case(
        ctx,
        member="cpic",
        county=YANDU,
        status=CaseStatus.ESCALATED,
        due_at=now - timedelta(hours=1),
    )
    make_case(ctx, member=None, status=CaseStatus.SUBMITTED)  # unassigned: in no window's row

    result = board(ctx)

    assert figures(row(result, TINGHU, "picc")) == {
        "open": 4,
        "due_today": 1,
        "overdue": 1,
        "supplement": 1,
        "payment": 1,
    }
    # Overdue since 9:00 today counts as overdue only: the board's columns are disjoint.
    assert figures(row(result, YANDU, "cpic")) == {
        "open": 1,
        "due_today": 0,
        "overdue": 1,
        "supplement": 0,
        "payment": 0,
    }
    assert figures(row(result, TINGHU, "cpic")) == {
        "open": 0,
        "due_today": 0,
        "overdue": 0,
        "supplement": 0,
        "payment": 0,
    }
    assert sum(r.open_cases for r in result.rows) == 5
    assert result.as_of == now


def test_overdue_is_the_queues_and_due_today_the_queues_less_the_overdue(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()  # Tuesday 10 March 2026, 10:00
    for due_at, paused in (
        (now - timedelta(hours=2), False),
        (now - timedelta(days=2), False),
        (now + timedelta(hours=3), False),
        (now + timedelta(hours=7, minutes=30), False),  # 17:30 today
        (now + timedelta(hours=30), False),
        (now - timedelta(hours=2), True),
        (None, False),
    ):
        make_case(ctx, status=CaseStatus.REVIEWING, due_at=due_at, due_in=None, paused=paused)
    clerk = make_staff(ctx, "picc_tinghu", Role.CLERK, member_code="picc", county_code=TINGHU)

    # 10:00; 16:00 (the 13:00 case is overdue now); 18:00 (all of today's are); 11:00 the next day.
    seen = []
    for later in (
        timedelta(0),
        timedelta(hours=6),
        timedelta(hours=8),
        timedelta(days=1, hours=1),
    ):
        ctx.clock.set(now + later)
        with ctx.db.read() as session:
            tabs = queue_counts(session, actor_of(clerk), now=ctx.clock.now())
            _, overdue_due_today = list_queue(
                session,
                actor_of(clerk),
                filters=QueueFilters(overdue=True, due_today=True),
                page=1,
                page_size=10,
                now=ctx.clock.now(),
            )
        picc = row(board(ctx), TINGHU, "picc")
        assert picc.overdue == tabs["overdue"], later
        assert picc.due_today == tabs["due_today"] - overdue_due_today, later
        seen.append((picc.due_today, picc.overdue))
    # The clock did move cases from one column to the other, never into both.
    assert seen == [(2, 2), (1, 3), (0, 4), (1, 4)]


def test_every_window_has_a_row_in_catalog_order_with_its_switch(
    ctx: AppContext,
) -> None:
    with ctx.db.write() as session:
        branch = session.exec(select(Branch).where(Branch.county_code == YANDU, Branch.member_code == "cpic")).one()
        branch.available = False
        session.add(branch)

    result = board(ctx)

    expected = [(c.code, m.code) for c in ctx.catalog.counties for m in ctx.catalog.members]
    assert [(r.county_code, r.member_code) for r in result.rows] == expected
    assert not row(result, YANDU, "cpic").window_available
    assert all(r.window_available for r in result.rows if (r.county_code, r.member_code) != (YANDU, "cpic"))
    first = result.rows[0]
    assert (first.county_name, first.member_name) == (
        ctx.catalog.counties[0].name,
        ctx.catalog.members[0].short,
    )


# --- the unassigned queue -------------------------------------------------------------------


def test_the_unassigned_queue_lists_waiting_cases_oldest_first(ctx: AppContext) -> None:
    now = ctx.clock.now()
    newer = make_case(
        ctx,
        member=None,
        status=CaseStatus.SUBMITTED,
        county=YANDU,
        due_in=timedelta(hours=5),
    )
    older = make_case(ctx, member=None, status=CaseStatus.SUBMITTED, due_at=now - timedelta(hours=1))
    update(ctx, older, submitted_at=now - timedelta(days=1))
    make_case(ctx, member="picc", status=CaseStatus.ASSIGNED)  # has a window
    make_case(ctx, member=None, status=CaseStatus.DRAFT, due_in=None)  # not submitted

    waiting = board(ctx).unassigned

    assert waiting.count == 2
    assert [c.number for c in waiting.cases] == [older.number, newer.number]
    first, second = waiting.cases
    assert (first.county_name, first.category_label, first.overdue) == (
        "亭湖区",
        "摩托车(含电动摩托车)",
        True,
    )
    assert (second.county_code, second.overdue) == (YANDU, False)
    assert first.submitted_at == now - timedelta(days=1)


def test_the_unassigned_list_is_capped_but_the_count_is_not(ctx: AppContext) -> None:
    for _ in range(3):
        make_case(ctx, member=None, status=CaseStatus.SUBMITTED)
    with ctx.db.read() as session:
        waiting = unassigned_queue(session, ctx.catalog, now=ctx.clock.now(), limit=2)

    assert (waiting.count, len(waiting.cases), waiting.limit) == (3, 2, 2)


def test_the_board_the_pool_page_and_the_dispatcher_see_the_same_waiting_cases(
    ctx: AppContext,
) -> None:
    for county in (TINGHU, TINGHU, YANDU):
        make_case(ctx, member=None, status=CaseStatus.SUBMITTED, county=county)
    make_case(ctx, member="picc", status=CaseStatus.ASSIGNED)
    # Inconsistent data (submitted, yet held by a member): in that member's row, not waiting.
    make_case(ctx, member="picc", status=CaseStatus.SUBMITTED)

    result = board(ctx)
    with ctx.db.read() as session:
        dispatcher = unassigned_cases(session)
        pool_page = county_windows(session, county_code=TINGHU)

    assert result.unassigned.count == len(dispatcher) == 3
    assert {c.id for c in result.unassigned.cases} == {c.id for c in dispatcher}
    assert pool_page.unassigned == 2


# --- the same-day promise -------------------------------------------------------------------


def completed(
    ctx: AppContext,
    submitted: datetime,
    finished: datetime,
    status: CaseStatus = CaseStatus.COMPLETED,
) -> None:
    case = make_case(ctx, status=status)
    update(ctx, case, submitted_at=submitted, finished_at=finished)


def test_same_day_rates_count_completions_of_the_local_day_and_month(
    ctx: AppContext,
) -> None:
    # The clock: Tuesday 10 March 2026, 10:00 in Yancheng.
    completed(ctx, local_time(10, 8, 45), local_time(10, 9, 30))  # today, same day
    completed(ctx, local_time(5, 9), local_time(10, 9, 50))  # today, three working days late
    completed(ctx, local_time(9, 16, 30), local_time(9, 23, 30))  # last night (15:30 UTC): this month, not today
    completed(ctx, local_time(2, 9), local_time(2, 15))  # earlier this month, same day
    completed(ctx, local_time(27, 9, month=2), local_time(27, 10, month=2))  # last month
    completed(ctx, local_time(10, 9), local_time(10, 9, 40), CaseStatus.REJECTED)  # finished, not completed

    result = board(ctx)

    assert (result.today.completed, result.today.same_day, result.today.rate) == (
        2,
        1,
        0.5,
    )
    # Filed on 9 March after the cut-off, its promise ran to the end of the 10th: kept.
    assert (result.this_month.completed, result.this_month.same_day) == (4, 3)
    assert result.this_month.rate == 0.75


def test_without_completions_the_rates_are_unknown_not_zero(ctx: AppContext) -> None:
    make_case(ctx, status=CaseStatus.REVIEWING)

    result = board(ctx)

    assert (result.today.completed, result.today.rate) == (0, None)
    assert (result.this_month.completed, result.this_month.rate) == (0, None)
