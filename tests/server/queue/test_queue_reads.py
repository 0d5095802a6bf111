"""How the queue reads: the non-draft scope selects what the full scope does, and a clerk's page comes from an index.

With 100,000 cases the queue stays fast only because SQLite reads a
window's page from the front of ix_cases_scope_deadline instead of sorting
the window's thousands of cases: a planner change would not fail any other
test, only make every desktop slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from common.enums import CaseStatus, Role
from server.actor import Actor
from server.cases.queue import QueueFilters, queue_page
from server.cases.scope import case_scope
from server.context import AppContext
from server.models import Case
from tests.server.queue.builders import actor_of, make_case, staff


@pytest.fixture
def drafter(ctx: AppContext) -> Actor:
    """A clerk with a counter draft of their own (another clerk has one too)."""
    clerk, _ = staff(ctx, "drafter", Role.CLERK, member="picc", county="320902")
    other, _ = staff(ctx, "other-drafter", Role.CLERK, member="picc", county="320903")
    make_case(ctx, member=None, county="320902", status=CaseStatus.DRAFT, created_by=clerk.id, due_in=None)
    make_case(ctx, member=None, county="320903", status=CaseStatus.DRAFT, created_by=other.id, due_in=None)
    return actor_of(clerk)


@pytest.fixture
def mixed_cases(ctx: AppContext) -> None:
    """Cases of two members in two counties, in every status, dated and undated; one citizen applied for cpic's."""
    for member in ("picc", "cpic"):
        for county in ("320902", "320903"):
            for n, status in enumerate(s for s in CaseStatus if s is not CaseStatus.DRAFT):
                due_in = timedelta(hours=n) if n % 3 else None
                phone = "13912345678" if member == "cpic" else None
                make_case(ctx, member=member, county=county, status=status, due_in=due_in, applicant_phone=phone)


def _actors(ctx: AppContext, drafter: Actor) -> list[Actor]:
    clerk, _ = staff(ctx, "c1", Role.CLERK, member="picc", county="320902")
    supervisor, _ = staff(ctx, "s1", Role.SUPERVISOR, member="cpic", county=None)
    coordinator, _ = staff(ctx, "k1", Role.COORDINATOR, member=None, county=None)
    citizen = Actor(role=Role.CITIZEN, phone="13912345678")
    return [actor_of(clerk), actor_of(supervisor), actor_of(coordinator), drafter, citizen]


@pytest.mark.usefixtures("mixed_cases")
def test_the_scope_without_drafts_is_the_full_scope_less_its_drafts(ctx: AppContext, drafter: Actor) -> None:
    with ctx.db.read() as session:
        for actor in _actors(ctx, drafter):
            full = set(session.exec(select(Case.id).where(case_scope(actor), Case.status != "draft")).all())
            plain = set(session.exec(select(Case.id).where(case_scope(actor, drafts=False))).all())

            assert plain == full, actor.role
            assert full, f"{actor.role} should see some cases here"


@pytest.fixture
def statements(ctx: AppContext) -> Iterator[list[tuple[str, object]]]:
    """Every SQL statement the database runs while the test body does (with its parameters)."""
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(ctx.db.engine, "before_cursor_execute", note)


@pytest.mark.usefixtures("mixed_cases")
def test_a_clerks_page_is_read_in_queue_order_from_the_window_index(
    ctx: AppContext, statements: list[tuple[str, object]]
) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("the plan is SQLite's; PostgreSQL plans with statistics")
    clerk, _ = staff(ctx, "c2", Role.CLERK, member="picc", county="320902")
    for filters in (QueueFilters(), QueueFilters(statuses=(CaseStatus.COMPLETED,))):
        statements.clear()
        with ctx.db.read() as session:
            page = queue_page(session, actor_of(clerk), ctx.catalog, filters=filters, page_size=5, now=ctx.clock.now())
        assert page.items

        [(sql, params)] = [(s, p) for s, p in statements if "ORDER BY" in s]
        with ctx.db.engine.connect() as connection:
            plan = " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))

        assert "ix_cases_scope_deadline" in plan
        assert "TEMP B-TREE" not in plan


def test_the_migrated_schema_has_the_window_index_in_queue_order(ctx: AppContext) -> None:
    # Alembic cannot compare expression indexes on SQLite, so the schema check passes over this one.
    if not ctx.db.is_sqlite:
        pytest.skip("read from SQLite's catalogue")
    with ctx.db.engine.connect() as connection:
        sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_scope_deadline'")).scalar()

    assert sql is not None
    assert "(member_code, county_code, (due_at IS NULL), due_at, id, status)" in " ".join(sql.split())
