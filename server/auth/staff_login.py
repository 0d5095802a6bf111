"""Staff login by username and password, with lockout after repeated failures.

Wrong username, wrong password and inactive account all get the same answer
and cost the same argon2 verification, so the login form does not tell an
attacker which usernames exist.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session, select

from common.enums import Role
from common.schemas.auth import StaffSessionOut, StaffUserOut
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.auth.tokens import issue_token
from server.errors import NotAuthenticated, TooManyRequests
from server.models import County, Member, StaffUser
from server.settings import Settings

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "用户名或密码不正确"


class AccountLocked(TooManyRequests):
    """Too many wrong passwords in a row: the account refuses logins for a while (HTTP 423).

    A TooManyRequests so the error handler sends Retry-After with the seconds left.
    """

    status_code = 423
    code = "account_locked"


@cache
def _dummy_hash() -> str:
    # Verified against when there is no usable account, so that answer takes as long as a real check.
    return hash_password(secrets.token_urlsafe(16))


def log_in_staff(
    session: Session, *, username: str, password: str, now: datetime, settings: Settings
) -> StaffSessionOut:
    """Check the password and issue a staff token.

    Raises NotAuthenticated ("用户名或密码不正确") for an unknown, inactive or
    wrongly authenticated account, and AccountLocked while the account is
    locked, including on the failure that locks it. A failure is counted and
    committed before the refusal is raised, because the caller's write session
    rolls back on any exception and the count must survive it.
    """
    # Row lock on PostgreSQL so concurrent wrong passwords cannot lose a count.
    user = session.exec(select(StaffUser).where(StaffUser.username == username).with_for_update()).first()
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        log.info("staff login failed user=%r reason=%s", username, "unknown" if user is None else "inactive")
        raise NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")

    if user.locked_until is not None and user.locked_until > now:
        log.info("staff login refused user=%r reason=locked", username)
        raise _locked(user.locked_until, now)

    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.staff_max_failed_logins:
            until = now + timedelta(seconds=settings.staff_lockout_seconds)
            # The counter starts afresh, so the account gets its full tries back when the lock ends.
            user.locked_until, user.failed_logins = until, 0
            session.commit()
            log.info("staff login failed user=%r reason=password, account locked", username)
            raise _locked(until, now)
        session.commit()
        log.info("staff login failed user=%r reason=password", username)
        raise NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")

    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        # Only now is the plain password at hand to move the hash to today's parameters.
        user.password_hash = hash_password(password)
    token, expires_at = issue_token(
        session, role=Role(user.role), now=now, ttl_seconds=settings.staff_token_ttl_seconds, user_id=user.id
    )
    log.info("staff login ok user=%r", username)
    return StaffSessionOut(token=token, expires_at=expires_at, user=describe_staff_user(session, user))


def staff_profile(session: Session, *, user_id: int) -> StaffUserOut:
    """The logged-in staff user, as the desktop app shows them."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotAuthenticated("登录已过期,请重新登录")
    return describe_staff_user(session, user)


def describe_staff_user(session: Session, user: StaffUser) -> StaffUserOut:
    """A staff user with role, member and county names resolved for display."""
    member = session.get(Member, user.member_code) if user.member_code else None
    county = session.get(County, user.county_code) if user.county_code else None
    assert user.id is not None  # a stored user always has its id
    return StaffUserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=Role(user.role).label,
        member_code=user.member_code,
        member_name=member.short if member else None,
        county_code=user.county_code,
        county_name=county.name if county else None,
    )


def _locked(until: datetime, now: datetime) -> AccountLocked:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return AccountLocked(f"账号已锁定,请{math.ceil(seconds / 60)}分钟后再试", retry_after=seconds)
