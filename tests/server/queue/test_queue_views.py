"""The same view read again and again, as a desktop does all day.

A view's statements are built once per caller and view (`queue._timeless_plan`);
these tests hold what that must never change: the rows are read afresh,
each caller keeps to their own scope, pages follow on, and a view bound to
the time follows the clock.
"""

from __future__ import annotations

from datetime import timedelta

from common.enums import Role
from common.schemas.cases import QueuePage
from server.actor import Actor
from server.cases.queue import QueueFilters, queue_page
from server.context import AppContext
from tests.server.queue.builders import actor_of, make_case, staff


def read(ctx: AppContext, actor: Actor, filters: QueueFilters, *, page: int = 1, page_size: int = 50) -> QueuePage:
    with ctx.db.read() as session:
        return queue_page(
            session, actor, ctx.catalog, filters=filters, page=page, page_size=page_size, now=ctx.clock.now()
        )


def clerk(ctx: AppContext, username: str, *, member: str = "picc", county: str = "320902") -> Actor:
    user, _ = staff(ctx, username, Role.CLERK, member=member, county=county)
    return actor_of(user)


def test_a_view_read_again_shows_the_case_that_arrived_meanwhile(ctx: AppContext) -> None:
    me = clerk(ctx, "c1")
    for hours in (3, 6, 9):
        make_case(ctx, due_in=timedelta(hours=hours))
    first = read(ctx, me, QueueFilters())

    urgent = make_case(ctx, due_in=timedelta(minutes=5))
    second = read(ctx, me, QueueFilters())

    assert first.total == 3
    assert second.total == 4
    assert second.items[0].id == urgent.id


def test_two_windows_reading_the_same_view_in_turn_each_see_only_their_own(ctx: AppContext) -> None:
    tinghu = clerk(ctx, "tinghu", county="320902")
    yandu = clerk(ctx, "yandu", county="320903")
    tinghu_cases = {make_case(ctx, county="320902").id for _ in range(2)}
    yandu_cases = {make_case(ctx, county="320903").id for _ in range(3)}

    for _ in range(2):
        assert {item.id for item in read(ctx, tinghu, QueueFilters()).items} == tinghu_cases
        assert {item.id for item in read(ctx, yandu, QueueFilters()).items} == yandu_cases


def test_the_next_page_starts_where_the_last_one_ended(ctx: AppContext) -> None:
    me = clerk(ctx, "c1")
    made = [make_case(ctx, due_in=timedelta(hours=n + 1)).id for n in range(12)]

    pages = [read(ctx, me, QueueFilters(), page=n, page_size=5) for n in (1, 2, 3, 4)]

    assert [item.id for page in pages for item in page.items] == made
    assert [len(page.items) for page in pages] == [5, 5, 2, 0]
    assert {page.total for page in pages} == {12}


def test_the_overdue_view_follows_the_clock(ctx: AppContext) -> None:
    me = clerk(ctx, "c1")
    late_soon = make_case(ctx, due_in=timedelta(hours=1))
    overdue = QueueFilters(overdue=True)

    before = read(ctx, me, overdue)
    ctx.clock.advance(hours=2)  # type: ignore[attr-defined]
    after = read(ctx, me, overdue)

    assert before.items == []
    assert [item.id for item in after.items] == [late_soon.id]
