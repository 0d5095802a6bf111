"""The same view read again and again, as a desktop does all day.

A view's statements are built once per caller and view (`queue._timeless_plan`);
these tests hold what that must never change: the rows are read afresh,
each caller keeps to their own scope, pages follow on, and a view bound to
the time follows the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from common.enums import CaseStatus, Role, VehicleCategory
from common.schemas.cases import QueuePage
from server.actor import Actor
from server.cases import queue
from server.cases.queue import QueueFilters, queue_page
from server.context import AppContext
from tests.server.queue.builders import actor_of, make_case, staff


@pytest.fixture(autouse=True)
def cold_views() -> Iterator[None]:
    """Each test starts with no view built, so the first read builds it (equal actors recur across tests)."""
    queue._timeless_plan.cache_clear()
    yield
    queue._timeless_plan.cache_clear()


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


def test_two_clerks_of_one_window_each_see_only_their_own_drafts(ctx: AppContext) -> None:
    first, _ = staff(ctx, "first", Role.CLERK)
    second, _ = staff(ctx, "second", Role.CLERK)
    mine = make_case(ctx, member=None, status=CaseStatus.DRAFT, created_by=first.id, due_in=None)
    theirs = make_case(ctx, member=None, status=CaseStatus.DRAFT, created_by=second.id, due_in=None)
    drafts = QueueFilters(statuses=(CaseStatus.DRAFT,))

    for _ in range(2):
        assert [item.id for item in read(ctx, actor_of(first), drafts).items] == [mine.id]
        assert [item.id for item in read(ctx, actor_of(second), drafts).items] == [theirs.id]


def test_supervisors_and_the_coordinator_reading_in_turn_keep_to_their_scopes(ctx: AppContext) -> None:
    picc, _ = staff(ctx, "picc-boss", Role.SUPERVISOR, member="picc", county=None)
    cpic, _ = staff(ctx, "cpic-boss", Role.SUPERVISOR, member="cpic", county=None)
    city, _ = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)
    picc_cases = {make_case(ctx, member="picc", county=county).id for county in ("320902", "320903")}
    cpic_cases = {make_case(ctx, member="cpic", county="320902").id}
    trucks = {make_case(ctx, member="picc", category=VehicleCategory.NONOPERATING_TRUCK).id}
    by_trucks = QueueFilters(category=VehicleCategory.NONOPERATING_TRUCK)

    for _ in range(2):
        assert {item.id for item in read(ctx, actor_of(picc), QueueFilters()).items} == picc_cases | trucks
        assert {item.id for item in read(ctx, actor_of(cpic), QueueFilters()).items} == cpic_cases
        assert {item.id for item in read(ctx, actor_of(city), QueueFilters()).items} == picc_cases | cpic_cases | trucks
        assert {item.id for item in read(ctx, actor_of(cpic), by_trucks).items} == set()
        assert {item.id for item in read(ctx, actor_of(picc), by_trucks).items} == trucks


def test_a_role_given_as_text_is_the_role_itself() -> None:
    actor = Actor(role="coordinator")  # type: ignore[arg-type]

    assert actor.role is Role.COORDINATOR
