"""FastAPI dependencies: the app context, the authenticated actor, request metadata.

FastAPI runs every plain `def` dependency in a worker thread, one hand-off
each per request. The ones that only read the request (no I/O) are
`async def` so they run on the event loop without a hand-off; only the
token checks, which query the database, stay in a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam
from sqlmodel import Session, select

from common.enums import Role
from server.actor import Actor
from server.api.read_threads import ReadThreads
from server.auth.tokens import find_valid_token, hash_token
from server.context import AppContext
from server.errors import NotAuthenticated, NotFound
from server.models import AuthToken, StaffUser

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌")


async def get_context(request: Request) -> AppContext:
    """The application's collaborators (set by `create_app`)."""
    return request.app.state.ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_raw_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token of the request, or 401."""
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("请先登录")
    return credentials.credentials


RawTokenDep = Annotated[str, Depends(get_raw_token)]


def get_citizen(ctx: ContextDep, raw: RawTokenDep) -> Actor:
    """The citizen behind a valid citizen token."""
    with ctx.db.read() as session:
        token = find_valid_token(session, raw, now=ctx.clock.now())
        if token is None or token.role != Role.CITIZEN.value or not token.phone:
            raise NotAuthenticated("登录已过期,请重新登录")
        return Actor(role=Role.CITIZEN, phone=token.phone)


def authenticate_staff(session: Session, raw: str, *, now: datetime) -> Actor:
    """The active staff user behind a valid staff token, or NotAuthenticated.

    One statement reads the token and its user together, as plain columns
    (no ORM instances): it runs on every staff request, and two identity
    loads cost more than the queue's own SQL. The rules are those of
    `find_valid_token` plus: a staff role, an existing and active user.
    """
    row = session.exec(_STAFF_TOKEN, params={"token_hash": hash_token(raw)}).first()
    if (
        row is None
        or row.revoked_at is not None
        or row.expires_at <= now
        or not row.active
        or row.token_role == Role.CITIZEN.value
    ):
        raise NotAuthenticated("登录已过期,请重新登录")
    return Actor(
        role=Role(row.role),
        user_id=row.id,
        display_name=row.display_name,
        member_code=row.member_code,
        county_code=row.county_code,
    )


def get_staff(ctx: ContextDep, raw: RawTokenDep) -> Actor:
    """The active staff user behind a valid staff token (see `authenticate_staff`)."""
    with ctx.db.read() as session:
        return authenticate_staff(session, raw, now=ctx.clock.now())


class StaffRead:
    """A read on behalf of the staff user behind the request's token, checked and done in one read thread.

    FastAPI gives every sync dependency and every sync route a hand-off to the
    thread pool of its own; on the desktop's busiest reads (the queue, a case)
    the second hand-off and the second database session cost about as much as
    the token check itself. Calling this runs the check and `work` in one
    session in one of the app's few read threads (`ReadThreads`), with the
    same rules as `StaffDep`.
    """

    def __init__(self, ctx: AppContext, raw: str, threads: ReadThreads) -> None:
        self._ctx = ctx
        self._raw = raw
        self._threads = threads

    async def __call__(self, work: Callable[[Session, Actor], T]) -> T:
        """`work(session, staff)` in a read session, after the token check (401 when it fails)."""

        def checked_work() -> T:
            with self._ctx.db.read() as session:
                staff = authenticate_staff(session, self._raw, now=self._ctx.clock.now())
                return work(session, staff)

        return await self._threads.run(checked_work)


async def get_staff_read(request: Request, ctx: ContextDep, raw: RawTokenDep) -> StaffRead:
    """A `StaffRead` for this request: nothing is checked until it is called."""
    return StaffRead(ctx, raw, request.app.state.read_threads)


StaffReadDep = Annotated[StaffRead, Depends(get_staff_read)]


# Built once, so SQLAlchemy compiles it once (the hash is a bound parameter).
_STAFF_TOKEN = (
    select(
        AuthToken.role.label("token_role"),  # type: ignore[attr-defined]
        AuthToken.revoked_at,
        AuthToken.expires_at,
        StaffUser.id,
        StaffUser.role,
        StaffUser.active,
        StaffUser.display_name,
        StaffUser.member_code,
        StaffUser.county_code,
    )
    .join(StaffUser, StaffUser.id == AuthToken.user_id)  # type: ignore[arg-type]
    .where(AuthToken.token_hash == bindparam("token_hash"))
)


CitizenDep = Annotated[Actor, Depends(get_citizen)]
StaffDep = Annotated[Actor, Depends(get_staff)]


async def get_coordinator(staff: StaffDep) -> Actor:
    """The city coordinator; anyone else gets 404, as if the endpoint were not there (DESIGN.md §6)."""
    if staff.role is not Role.COORDINATOR:
        raise NotFound("没有找到该页面")
    return staff


CoordinatorDep = Annotated[Actor, Depends(get_coordinator)]


async def get_client_address(request: Request) -> str:
    """The caller's address, for per-client limits (behind a proxy, uvicorn's --proxy-headers sets it)."""
    return request.client.host if request.client else "unknown"


ClientAddressDep = Annotated[str, Depends(get_client_address)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=100, description="重试同一请求时带上同一个值,服务器只处理一次"),
]
