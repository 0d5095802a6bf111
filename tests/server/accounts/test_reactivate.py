"""Reactivating a deactivated account: the service, and the endpoint for the coordinator only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from common.enums import Action, Role
from server.actor import Actor
from server.auth.accounts import deactivate_account, reactivate_account
from server.auth.staff_login import log_in_staff
from server.context import AppContext
from server.errors import NotAuthenticated, NotFound
from server.models import StaffUser
from tests.server.accounts.support import (
    FEED,
    USERS,
    add_coordinator,
    events,
    log_in,
    stored,
    stored_counts,
)
from tests.server.factories import PASSWORD, make_staff, staff_headers


@pytest.fixture
def coordinator(ctx: AppContext) -> Actor:
    """The city coordinator, acting."""
    return add_coordinator(ctx)


def deactivated_clerk(ctx: AppContext, coordinator: Actor) -> StaffUser:
    """王小明, clerk of 人保财险 in 亭湖区 (password PASSWORD), deactivated by the coordinator."""
    clerk = make_staff(ctx, "picc_tinghu", display_name="王小明")
    with ctx.db.write() as session:
        deactivate_account(session, coordinator, clerk.id or 0, now=ctx.clock.now())
    return clerk


def logs_in(ctx: AppContext, username: str, password: str) -> bool:
    try:
        log_in_staff(ctx.db, username=username, password=password, now=ctx.clock.now(), settings=ctx.settings)
    except NotAuthenticated:
        return False
    return True


# --- the service ------------------------------------------------------------------------------


def test_a_reactivated_clerk_logs_in_with_the_old_password_and_one_event_is_written(
    ctx: AppContext, coordinator: Actor
) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    assert not logs_in(ctx, "picc_tinghu", PASSWORD)

    with ctx.db.write() as session:
        account = reactivate_account(session, coordinator, clerk.id or 0, now=ctx.clock.now())

    assert account.active is True and stored(ctx, clerk.id or 0).active is True
    assert logs_in(ctx, "picc_tinghu", PASSWORD)
    [event] = events(ctx, Action.REACTIVATE_USER)
    assert (event.payload["username"], event.member_code, event.county_code, event.case_id) == (
        "picc_tinghu",
        None,
        None,
        None,
    )
    assert (event.payload["member_code"], event.payload["county_code"]) == ("picc", "320902")
    assert PASSWORD not in repr(event.payload) and stored(ctx, clerk.id or 0).password_hash not in repr(event.payload)


def test_reactivating_twice_or_an_active_account_writes_no_second_event(ctx: AppContext, coordinator: Actor) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    other = make_staff(ctx, "picc_yandu", county_code="320903")

    for user_id in (clerk.id, clerk.id, other.id):
        with ctx.db.write() as session:
            account = reactivate_account(session, coordinator, user_id or 0, now=ctx.clock.now())
        assert account.active is True

    assert [e.payload["user_id"] for e in events(ctx, Action.REACTIVATE_USER)] == [clerk.id]


def test_reactivating_clears_a_lockout_left_from_before(ctx: AppContext, coordinator: Actor) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    with ctx.db.write() as session:
        user = session.get(StaffUser, clerk.id)
        assert user is not None
        user.failed_logins, user.locked_until = 3, ctx.clock.now() + timedelta(minutes=15)

    with ctx.db.write() as session:
        account = reactivate_account(session, coordinator, clerk.id or 0, now=ctx.clock.now())

    user = stored(ctx, clerk.id or 0)
    assert (user.failed_logins, user.locked_until, account.locked_until) == (0, None, None)
    assert logs_in(ctx, "picc_tinghu", PASSWORD)


def test_reactivating_an_unknown_account_is_not_found(ctx: AppContext, coordinator: Actor) -> None:
    with pytest.raises(NotFound), ctx.db.write() as session:
        reactivate_account(session, coordinator, 9999, now=ctx.clock.now())
    assert events(ctx, Action.REACTIVATE_USER) == []


# --- over HTTP --------------------------------------------------------------------------------


def test_the_coordinator_reactivates_and_the_clerk_logs_in_again(
    ctx: AppContext, client: TestClient, coordinator: Actor
) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    headers = staff_headers(client, "city_coord")
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 401

    response = client.post(f"{USERS}/{clerk.id}/reactivate", headers=headers)

    assert response.status_code == 200, response.text
    assert (response.json()["active"], response.json()["username"]) == (True, "picc_tinghu")
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 201
    assert client.post(f"{USERS}/9999/reactivate", headers=headers).status_code == 404


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
def test_clerks_and_supervisors_get_404_and_the_account_stays_deactivated(
    ctx: AppContext, client: TestClient, coordinator: Actor, role: Role
) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    make_staff(ctx, "insider", role, member_code="picc", county_code="320902" if role is Role.CLERK else None)
    headers = staff_headers(client, "insider")
    before = stored_counts(ctx)

    response = client.post(f"{USERS}/{clerk.id}/reactivate", headers=headers)

    assert response.status_code == 404, response.text
    assert stored_counts(ctx) == before
    assert stored(ctx, clerk.id or 0).active is False
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 401


def test_only_the_coordinator_hears_of_the_reactivation_in_the_feed(
    ctx: AppContext, client: TestClient, coordinator: Actor
) -> None:
    clerk = deactivated_clerk(ctx, coordinator)
    make_staff(ctx, "picc_boss", Role.SUPERVISOR, county_code=None)
    headers = staff_headers(client, "city_coord")
    client.post(f"{USERS}/{clerk.id}/reactivate", headers=headers)

    def heard(who: dict[str, str]) -> list[tuple[str, str, str]]:
        response = client.get(FEED, params={"after": 0}, headers=who)
        assert response.status_code == 200, response.text
        return [(e["action"], e["action_label"], e["payload"]["username"]) for e in response.json()["events"]]

    assert heard(headers)[-1] == ("reactivate_user", "启用账号", "picc_tinghu")
    assert heard(staff_headers(client, "picc_tinghu")) == []  # the account itself, logged in again
    assert heard(staff_headers(client, "picc_boss")) == []


def test_without_a_login_reactivate_is_401(client: TestClient) -> None:
    assert client.post(f"{USERS}/1/reactivate").status_code == 401
