"""Staff account management (账号管理) by the city coordinator: list, create, reset a password, deactivate, reactivate.

Every change writes one case-less event (`record_pool_change`) naming the
account, its role, member and county in its payload; never a password or a
hash. The event itself names no member or county, so only coordinators
follow it in the change feed, not the account's colleagues.

The one rule beyond plain bookkeeping: nobody can lock out the last
coordinator. Deactivating a coordinator is refused when no other active
coordinator would remain, whoever asks (the coordinator themself included).
On PostgreSQL two coordinators could deactivate each other at the same
moment, each counting two before either commits; so the active
coordinators' rows are locked (FOR UPDATE, in id order so two callers never
deadlock) before counting, and the second caller counts again after the
first has committed. On SQLite every write transaction is already serial.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common.enums import Action, Role
from common.schemas.users import StaffAccountCreate, StaffAccountOut, scope_problem
from server.actor import Actor
from server.auth.passwords import hash_password
from server.auth.tokens import revoke_user_tokens
from server.cases.history import record_pool_change
from server.errors import BadInput, Conflict, NotFound
from server.models import County, Member, StaffUser
from server.pool import create_user

log = logging.getLogger(__name__)

ACCOUNT_NOT_FOUND = "没有找到该账号"
LAST_COORDINATOR = "不能停用最后一个在用的市级协调员账号,否则将无人能管理账号和号池。请先新增另一名协调员。"
LAST_COORDINATOR_SELF = "您是唯一在用的市级协调员,不能停用自己的账号。请先新增另一名协调员。"
INACTIVE_NO_RESET = "该账号已停用,不能重置密码"


def list_accounts(
    session: Session,
    *,
    member_code: str | None = None,
    county_code: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
) -> list[StaffAccountOut]:
    """Every staff account matching the filters, coordinators first, then by member, county and username.

    A few hundred accounts at most in a city pool, so no paging.
    """
    query = select(StaffUser)
    if member_code is not None:
        query = query.where(StaffUser.member_code == member_code)
    if county_code is not None:
        query = query.where(StaffUser.county_code == county_code)
    if role is not None:
        query = query.where(StaffUser.role == role.value)
    if active is not None:
        query = query.where(col(StaffUser.active).is_(active))
    users = session.exec(query).all()
    # Sorted here: NULL member/county codes sort differently in SQLite and PostgreSQL.
    users = sorted(users, key=lambda u: (u.member_code or "", u.county_code or "", u.username))
    members, counties = _names(session)
    return [account_out(u, members, counties) for u in users]


def create_account(session: Session, actor: Actor, request: StaffAccountCreate, *, now: datetime) -> StaffAccountOut:
    """Add an account (BadInput for an unknown member or county, Conflict for a taken username)."""
    problem = scope_problem(request.role, request.member_code, request.county_code) or _unknown_place(
        session, request.member_code, request.county_code
    )
    if problem:
        raise BadInput(problem)
    try:
        user = create_user(
            session,
            username=request.username,
            password=request.password,
            role=request.role,
            display_name=request.display_name,
            now=now,
            member_code=request.member_code,
            county_code=request.county_code,
        )
    except IntegrityError as exc:
        # The same username created at the same moment by someone else (create_user's check came first).
        raise Conflict(f"用户名“{request.username}”已存在") from exc
    _record(session, Action.ADD_USER, actor, user, now=now)
    log.info(
        "staff account added id=%s role=%s by user=%s",
        user.id,
        user.role,
        actor.user_id,
    )
    return _out(session, user)


def reset_password(session: Session, actor: Actor, user_id: int, password: str, *, now: datetime) -> StaffAccountOut:
    """Give the account a new password: the lockout and failed-login count are cleared, its open sessions end."""
    user = _locked_user(session, user_id)
    if not user.active:
        raise Conflict(INACTIVE_NO_RESET)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = revoke_user_tokens(session, user_id, now=now)
    _record(session, Action.RESET_PASSWORD, actor, user, now=now)
    log.info(
        "staff password reset id=%s by user=%s, %d session(s) ended",
        user_id,
        actor.user_id,
        ended,
    )
    return _out(session, user)


def deactivate_account(session: Session, actor: Actor, user_id: int, *, now: datetime) -> StaffAccountOut:
    """Stop the account from logging in and end its sessions; refused for the last active coordinator.

    Deactivating an account that is already inactive changes nothing and writes no event (a repeated click).
    """
    # Only the role (never changed) is read here: a loaded row would stay stale in the session after the locks below.
    role = session.exec(select(StaffUser.role).where(StaffUser.id == user_id)).first()
    if role is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    if role == Role.COORDINATOR.value:
        # The coordinators first, always in the same order (see the module docstring); the target is among them.
        active_coordinators = session.exec(
            select(StaffUser.id)
            .where(
                StaffUser.role == Role.COORDINATOR.value,
                col(StaffUser.active).is_(True),
            )
            .order_by(col(StaffUser.id))
            .with_for_update()
        ).all()
        if user_id in active_coordinators and len(active_coordinators) < 2:
            raise Conflict(LAST_COORDINATOR_SELF if user_id == actor.user_id else LAST_COORDINATOR)
    user = _locked_user(session, user_id)
    if not user.active:
        return _out(session, user)
    user.active = False
    session.add(user)
    ended = revoke_user_tokens(session, user_id, now=now)
    _record(session, Action.DEACTIVATE_USER, actor, user, now=now)
    log.info(
        "staff account deactivated id=%s by user=%s, %d session(s) ended",
        user_id,
        actor.user_id,
        ended,
    )
    return _out(session, user)


def reactivate_account(session: Session, actor: Actor, user_id: int, *, now: datetime) -> StaffAccountOut:
    """Let a deactivated account log in again with its old password; any lockout is cleared.

    Undoes a mistaken deactivation. No session is opened for the user: they log in again themselves.
    Reactivating an account that is already active changes nothing and writes no event (a repeated click).
    """
    user = _locked_user(session, user_id)
    if user.active:
        return _out(session, user)
    user.active = True
    # A lockout from before the deactivation would otherwise greet the user on their first login.
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    _record(session, Action.REACTIVATE_USER, actor, user, now=now)
    log.info("staff account reactivated id=%s by user=%s", user_id, actor.user_id)
    return _out(session, user)


def account_out(user: StaffUser, members: dict[str, str], counties: dict[str, str]) -> StaffAccountOut:
    """An account for the list, with member and county names from the given code → name maps."""
    assert user.id is not None  # a stored user always has its id
    return StaffAccountOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=Role(user.role).label,
        member_code=user.member_code,
        member_name=members.get(user.member_code) if user.member_code else None,
        county_code=user.county_code,
        county_name=counties.get(user.county_code) if user.county_code else None,
        active=user.active,
        locked_until=user.locked_until,
        created_at=user.created_at,
    )


# ---------------------------------------------------------------- internals


def _names(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    members = {m.code: m.short for m in session.exec(select(Member)).all()}
    counties = {c.code: c.name for c in session.exec(select(County)).all()}
    return members, counties


def _out(session: Session, user: StaffUser) -> StaffAccountOut:
    members, counties = _names(session)
    return account_out(user, members, counties)


def _locked_user(session: Session, user_id: int) -> StaffUser:
    # Locked as login locks it, so a login racing the change sees either the old or the new state whole.
    query = select(StaffUser).where(StaffUser.id == user_id).with_for_update()
    # populate_existing: what the lock let through, not an older copy the session may hold.
    user = session.exec(query.execution_options(populate_existing=True)).first()
    if user is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return user


def _unknown_place(session: Session, member_code: str | None, county_code: str | None) -> str | None:
    if member_code and session.get(Member, member_code) is None:
        return f"没有代码为“{member_code}”的成员机构"
    if county_code and session.get(County, county_code) is None:
        return f"没有代码为“{county_code}”的区县"
    return None


def _record(session: Session, action: Action, actor: Actor, user: StaffUser, *, now: datetime) -> None:
    # For the coordinator's feed only: an event named by member and county would reach that
    # window's clerks and the member's supervisors (event_scope), telling them of colleagues'
    # accounts and password resets. The codes stay in the payload for the coordinator's record.
    record_pool_change(
        session,
        action,
        actor,
        now=now,
        payload={
            "user_id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "member_code": user.member_code,
            "county_code": user.county_code,
        },
        member_code=None,
        county_code=None,
    )
