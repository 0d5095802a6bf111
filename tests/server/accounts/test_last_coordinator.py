"""Nobody can lock out the last coordinator: deactivating the last active one is refused, even at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from common.enums import Action
from server.actor import SYSTEM, Actor
from server.auth.accounts import (
    LAST_COORDINATOR,
    LAST_COORDINATOR_SELF,
    deactivate_account,
)
from server.context import AppContext
from server.errors import Conflict
from server.models import StaffUser
from tests.server.accounts.support import (
    add_coordinator,
    events,
    open_token,
    stored,
    token_works,
)
from tests.server.conftest import TEST_DATABASE_URL


@pytest.fixture
def coordinator(ctx: AppContext) -> Actor:
    """The city coordinator, acting; the only one until a test adds another."""
    return add_coordinator(ctx)


def test_the_only_coordinator_cannot_deactivate_themself(ctx: AppContext, coordinator: Actor) -> None:
    raw = open_token(ctx, coordinator.user_id or 0)

    with pytest.raises(Conflict) as refused, ctx.db.write() as session:
        deactivate_account(session, coordinator, coordinator.user_id or 0, now=ctx.clock.now())

    assert refused.value.message == LAST_COORDINATOR_SELF
    assert stored(ctx, coordinator.user_id or 0).active is True
    assert token_works(ctx, raw)
    assert events(ctx, Action.DEACTIVATE_USER) == []


def test_nobody_deactivates_the_last_active_coordinator(ctx: AppContext, coordinator: Actor) -> None:
    # The console (acting as the system) is held to the same rule.
    with pytest.raises(Conflict) as refused, ctx.db.write() as session:
        deactivate_account(session, SYSTEM, coordinator.user_id or 0, now=ctx.clock.now())

    assert refused.value.message == LAST_COORDINATOR


def test_with_two_coordinators_one_may_go_but_not_the_second(ctx: AppContext, coordinator: Actor) -> None:
    second = add_coordinator(ctx, "city_coord2", "市协调员二")

    with ctx.db.write() as session:
        deactivate_account(session, coordinator, coordinator.user_id or 0, now=ctx.clock.now())  # self, allowed
    with pytest.raises(Conflict) as refused, ctx.db.write() as session:
        deactivate_account(session, second, second.user_id or 0, now=ctx.clock.now())

    assert refused.value.message == LAST_COORDINATOR_SELF
    assert stored(ctx, second.user_id or 0).active is True


def test_an_inactive_coordinator_does_not_count_as_the_one_left(ctx: AppContext, coordinator: Actor) -> None:
    second = add_coordinator(ctx, "city_coord2", "市协调员二")
    with ctx.db.write() as session:
        deactivate_account(session, coordinator, second.user_id or 0, now=ctx.clock.now())

    with pytest.raises(Conflict), ctx.db.write() as session:
        deactivate_account(session, coordinator, coordinator.user_id or 0, now=ctx.clock.now())


# --- two coordinators at once (PostgreSQL: row locks; SQLite serialises every writer) -----------


WAITING_FOR_A_LOCK = text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE NOT l.granted AND a.datname = current_database()"
)


def wait_until(condition: Callable[[], bool], *, timeout: float = 20.0) -> None:
    """Poll `condition` until it holds; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: wait() is the pause between polls
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        pause.wait(0.02)


def someone_waits_for_a_lock(ctx: AppContext) -> bool:
    with ctx.db.engine.connect() as connection:
        return bool(connection.execute(WAITING_FOR_A_LOCK).scalar())


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="needs PostgreSQL (NO1WINDOW_TEST_DATABASE_URL): SQLite runs one writer at a time",
)
def test_two_coordinators_deactivating_each_other_at_once_leave_one_active(ctx: AppContext, coordinator: Actor) -> None:
    second = add_coordinator(ctx, "city_coord2", "市协调员二")
    outcome: list[BaseException | None] = []

    def second_deactivates_first() -> None:
        try:
            with ctx.db.write() as session:
                deactivate_account(session, second, coordinator.user_id or 0, now=ctx.clock.now())
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - handed back to the test thread
            outcome.append(error)

    with ctx.db.write() as session:
        deactivate_account(session, coordinator, second.user_id or 0, now=ctx.clock.now())
        # Not committed yet: the other deactivation starts now and must wait for this one, then count again.
        racer = threading.Thread(target=second_deactivates_first, daemon=True)
        racer.start()
        wait_until(lambda: someone_waits_for_a_lock(ctx))
    racer.join(timeout=20)

    assert not racer.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert stored(ctx, coordinator.user_id or 0).active is True
    assert stored(ctx, second.user_id or 0).active is False
    with ctx.db.read() as session:
        active = session.exec(
            select(func.count())
            .select_from(StaffUser)
            .where(StaffUser.role == "coordinator", col(StaffUser.active).is_(True))
        ).one()
    assert active == 1
    assert len(events(ctx, Action.DEACTIVATE_USER)) == 1
