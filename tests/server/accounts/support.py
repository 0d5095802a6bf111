"""Shared by the account tests: the endpoint paths, a valid new clerk, and looks at what is stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func
from sqlmodel import select

from common.enums import Action, Role
from common.schemas.users import StaffAccountCreate
from server.actor import Actor
from server.auth.tokens import find_valid_token, issue_token
from server.context import AppContext
from server.models import Event, StaffUser
from tests.server.factories import PASSWORD, make_staff
from tests.server.queue.builders import actor_of

USERS = "/api/v1/coordinator/users"
SESSIONS = "/api/v1/staff/sessions"
ME = "/api/v1/staff/me"
FEED = "/api/v1/staff/events"
NEW_PASSWORD = "fresh-pass-2026"
CLERK_BODY: dict[str, Any] = {
    "username": "picc_tinghu2",
    "display_name": "王小明",
    "role": "clerk",
    "member_code": "picc",
    "county_code": "320902",
    "password": "initial-pass-1",
}


def add_coordinator(ctx: AppContext, username: str = "city_coord", display_name: str = "市协调员") -> Actor:
    """A city coordinator (password PASSWORD), as the Actor their requests carry."""
    user = make_staff(
        ctx,
        username,
        Role.COORDINATOR,
        member_code=None,
        county_code=None,
        display_name=display_name,
    )
    return actor_of(user)


def log_in(client: TestClient, username: str, password: str) -> Response:
    return client.post(SESSIONS, json={"username": username, "password": password})


def stored_counts(ctx: AppContext) -> tuple[int, int]:
    """How many staff users and events are stored."""
    with ctx.db.read() as session:
        users = session.exec(select(func.count()).select_from(StaffUser)).one()
        events = session.exec(select(func.count()).select_from(Event)).one()
    return int(users), int(events)


def stored(ctx: AppContext, user_id: int) -> StaffUser:
    """The account's row as stored now."""
    with ctx.db.read() as session:
        user = session.get(StaffUser, user_id)
    assert user is not None
    return user


def events(ctx: AppContext, action: Action) -> list[Event]:
    """The events of one action, oldest first."""
    with ctx.db.read() as session:
        return list(session.exec(select(Event).where(Event.action == action.value).order_by(Event.seq)).all())


def create_request(**overrides: object) -> StaffAccountCreate:
    """A valid new clerk of 人保财险 in 亭湖区, with `overrides`."""
    values: dict[str, object] = {
        "username": "picc_tinghu",
        "display_name": "王小明",
        "role": "clerk",
        "member_code": "picc",
        "county_code": "320902",
        "password": PASSWORD,
    }
    values.update(overrides)
    return StaffAccountCreate.model_validate(values)


def open_token(ctx: AppContext, user_id: int) -> str:
    """A live session of the user, as a login would issue it."""
    with ctx.db.write() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        raw, _ = issue_token(
            session,
            role=Role(user.role),
            now=ctx.clock.now(),
            ttl_seconds=3600,
            user_id=user_id,
        )
    return raw


def token_works(ctx: AppContext, raw: str) -> bool:
    """Whether the token still opens a session."""
    with ctx.db.read() as session:
        return find_valid_token(session, raw, now=ctx.clock.now()) is not None
