"""Account management without HTTP: create, list, reset a password, deactivate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.enums import Action, Role
from common.schemas.users import StaffAccountCreate
from server.actor import Actor
from server.auth.accounts import (
    create_account,
    deactivate_account,
    list_accounts,
    reset_password,
)
from server.auth.passwords import verify_password
from server.context import AppContext
from server.errors import BadInput, Conflict, NotFound
from server.models import StaffUser
from tests.server.accounts.support import (
    NEW_PASSWORD,
    add_coordinator,
    create_request,
    events,
    open_token,
    stored,
    stored_counts,
    token_works,
)
from tests.server.factories import PASSWORD, make_staff


@pytest.fixture
def coordinator(ctx: AppContext) -> Actor:
    """The city coordinator, acting."""
    return add_coordinator(ctx)


# --- create -----------------------------------------------------------------------------------


def test_a_clerk_is_created_with_a_hashed_password_and_one_event_without_it(
    ctx: AppContext, coordinator: Actor
) -> None:
    with ctx.db.write() as session:
        account = create_account(session, coordinator, create_request(), now=ctx.clock.now())

    assert (account.username, account.role, account.role_label) == (
        "picc_tinghu",
        "clerk",
        "窗口经办",
    )
    assert (account.member_name, account.county_name, account.active) == (
        "人保财险",
        "亭湖区",
        True,
    )
    assert account.created_at == ctx.clock.now()
    assert "password_hash" not in account.model_dump()
    user = stored(ctx, account.id)
    assert verify_password(user.password_hash, PASSWORD)
    [event] = events(ctx, Action.ADD_USER)
    assert event.case_id is None
    # Named in the payload only: the event is for the coordinator's feed, not the window's.
    assert (event.member_code, event.county_code, event.actor_user_id) == (
        None,
        None,
        coordinator.user_id,
    )
    assert event.payload == {
        "user_id": account.id,
        "username": "picc_tinghu",
        "display_name": "王小明",
        "role": "clerk",
        "member_code": "picc",
        "county_code": "320902",
    }
    assert PASSWORD not in repr(event.payload) and user.password_hash not in repr(event.payload)


def test_a_supervisor_needs_a_member_only(ctx: AppContext, coordinator: Actor) -> None:
    with ctx.db.write() as session:
        account = create_account(
            session,
            coordinator,
            create_request(
                username="cpic_boss",
                role="supervisor",
                member_code="cpic",
                county_code=None,
            ),
            now=ctx.clock.now(),
        )

    assert (account.role_label, account.member_name, account.county_code) == (
        "上级审批",
        "太保财险",
        None,
    )
    [event] = events(ctx, Action.ADD_USER)
    assert (event.payload["member_code"], event.payload["county_code"]) == (
        "cpic",
        None,
    )
    assert (event.member_code, event.county_code) == (None, None)


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"member_code": "nosuch"}, BadInput, "没有代码为“nosuch”的成员机构"),
        ({"county_code": "999999"}, BadInput, "没有代码为“999999”的区县"),
        ({"username": "city_coord"}, Conflict, "用户名“city_coord”已存在"),
    ],
)
def test_refused_creations_store_nothing(
    ctx: AppContext,
    coordinator: Actor,
    overrides: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    before = stored_counts(ctx)

    with pytest.raises(error) as refused, ctx.db.write() as session:
        create_account(session, coordinator, create_request(**overrides), now=ctx.clock.now())

    assert refused.value.message == message  # type: ignore[attr-defined]
    assert stored_counts(ctx) == before


def test_a_request_that_skipped_validation_is_still_checked_for_its_scope(ctx: AppContext, coordinator: Actor) -> None:
    unchecked = StaffAccountCreate.model_construct(**{**create_request().model_dump(), "county_code": None})

    with (
        pytest.raises(BadInput, match="必须指定所属机构和区县"),
        ctx.db.write() as session,
    ):
        create_account(session, coordinator, unchecked, now=ctx.clock.now())


# --- list -------------------------------------------------------------------------------------


def test_the_list_filters_by_member_county_role_and_active(ctx: AppContext, coordinator: Actor) -> None:
    make_staff(ctx, "picc_tinghu", member_code="picc", county_code="320902")
    make_staff(ctx, "picc_yandu", member_code="picc", county_code="320903")
    make_staff(ctx, "cpic_tinghu", member_code="cpic", county_code="320902")
    make_staff(ctx, "picc_boss", Role.SUPERVISOR, member_code="picc", county_code=None)
    gone = make_staff(ctx, "picc_gone", member_code="picc", county_code="320902")
    with ctx.db.write() as session:
        deactivate_account(session, coordinator, gone.id or 0, now=ctx.clock.now())

    def names(**filters: object) -> list[str]:
        with ctx.db.read() as session:
            return [a.username for a in list_accounts(session, **filters)]  # type: ignore[arg-type]

    assert names() == [
        "city_coord",
        "cpic_tinghu",
        "picc_boss",
        "picc_gone",
        "picc_tinghu",
        "picc_yandu",
    ]
    assert names(member_code="picc") == [
        "picc_boss",
        "picc_gone",
        "picc_tinghu",
        "picc_yandu",
    ]
    assert names(county_code="320902") == ["cpic_tinghu", "picc_gone", "picc_tinghu"]
    assert names(member_code="picc", county_code="320902", active=True) == ["picc_tinghu"]
    assert names(active=False) == ["picc_gone"]
    assert names(role=Role.SUPERVISOR) == ["picc_boss"]
    assert names(role=Role.COORDINATOR) == ["city_coord"]


# --- reset password ---------------------------------------------------------------------------


def test_a_reset_sets_the_new_password_clears_the_lockout_and_ends_open_sessions(
    ctx: AppContext, coordinator: Actor
) -> None:
    clerk = make_staff(ctx, "picc_tinghu")
    other = make_staff(ctx, "picc_yandu", county_code="320903")
    raw, others_raw = open_token(ctx, clerk.id or 0), open_token(ctx, other.id or 0)
    with ctx.db.write() as session:
        locked = session.get(StaffUser, clerk.id)
        assert locked is not None
        locked.failed_logins, locked.locked_until = (
            3,
            ctx.clock.now() + timedelta(minutes=10),
        )

    with ctx.db.write() as session:
        account = reset_password(session, coordinator, clerk.id or 0, NEW_PASSWORD, now=ctx.clock.now())

    user = stored(ctx, clerk.id or 0)
    assert verify_password(user.password_hash, NEW_PASSWORD) and not verify_password(user.password_hash, PASSWORD)
    assert (user.failed_logins, user.locked_until, account.locked_until) == (
        0,
        None,
        None,
    )
    assert not token_works(ctx, raw)
    assert token_works(ctx, others_raw)  # only that user's sessions end
    [event] = events(ctx, Action.RESET_PASSWORD)
    assert event.payload["username"] == "picc_tinghu"
    assert NEW_PASSWORD not in repr(event.payload) and user.password_hash not in repr(event.payload)


def test_a_deactivated_account_gets_no_new_password(ctx: AppContext, coordinator: Actor) -> None:
    clerk = make_staff(ctx, "picc_tinghu")
    with ctx.db.write() as session:
        deactivate_account(session, coordinator, clerk.id or 0, now=ctx.clock.now())

    with pytest.raises(Conflict, match="已停用"), ctx.db.write() as session:
        reset_password(session, coordinator, clerk.id or 0, NEW_PASSWORD, now=ctx.clock.now())

    assert verify_password(stored(ctx, clerk.id or 0).password_hash, PASSWORD)


def test_an_unknown_account_is_not_found(ctx: AppContext, coordinator: Actor) -> None:
    with pytest.raises(NotFound), ctx.db.write() as session:
        reset_password(session, coordinator, 9999, NEW_PASSWORD, now=ctx.clock.now())
    with pytest.raises(NotFound), ctx.db.write() as session:
        deactivate_account(session, coordinator, 9999, now=ctx.clock.now())


# --- deactivate -------------------------------------------------------------------------------


def test_deactivating_ends_sessions_and_writes_one_event_even_when_repeated(
    ctx: AppContext, coordinator: Actor
) -> None:
    clerk = make_staff(ctx, "picc_tinghu")
    raw = open_token(ctx, clerk.id or 0)

    for _ in range(2):
        with ctx.db.write() as session:
            account = deactivate_account(session, coordinator, clerk.id or 0, now=ctx.clock.now())

    assert account.active is False and stored(ctx, clerk.id or 0).active is False
    assert not token_works(ctx, raw)
    [event] = events(ctx, Action.DEACTIVATE_USER)
    assert (event.payload["username"], event.member_code, event.county_code) == (
        "picc_tinghu",
        None,
        None,
    )
    assert (event.payload["member_code"], event.payload["county_code"]) == (
        "picc",
        "320902",
    )
