"""Staff login by username and password, with lockout after repeated failures.

Wrong username, wrong password and inactive account all get the same answer
and cost the same argon2 verification, so the login form does not tell an
attacker which usernames exist.

The argon2 check takes tens of milliseconds, and on SQLite a write
transaction holds the whole database's write lock: checked inside one, the
morning's logins would queue behind each other's checks and hold up every
citizen submission and case action meanwhile. So a login reads the account,
checks the password with no transaction open, and only then takes a short
write transaction that re-reads the account (row-locked on PostgreSQL) and
records the outcome against what is stored at that moment.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session, select

from common.enums import Role
from common.schemas.auth import StaffSessionOut, StaffUserOut
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.auth.tokens import issue_token
from server.db import Database
from server.errors import DomainError, NotAuthenticated, TooManyRequests
from server.models import County, Member, StaffUser
from server.settings import Settings

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "用户名或密码不正确"

# How often one login checks its password when the stored hash keeps changing while it checks.
_MAX_CHECKS = 3


class AccountLocked(TooManyRequests):
    """Too many wrong passwords in a row: the account refuses logins for a while (HTTP 423).

    A TooManyRequests so the error handler sends Retry-After with the seconds left.
    """

    status_code = 423
    code = "account_locked"


@dataclass(frozen=True)
class _Account:
    """The account as read before the password check, which runs with no transaction open."""

    id: int
    password_hash: str
    active: bool
    locked_until: datetime | None


class _HashChanged:
    """The stored hash is no longer the one the password was checked against."""


_HASH_CHANGED = _HashChanged()


@cache
def _dummy_hash() -> str:
    # Verified against when there is no usable account, so that answer takes as long as a real check.
    return hash_password(secrets.token_urlsafe(16))


def log_in_staff(db: Database, *, username: str, password: str, now: datetime, settings: Settings) -> StaffSessionOut:
    """Check the password and issue a staff token.

    Raises NotAuthenticated ("用户名或密码不正确") for an unknown, inactive or
    wrongly authenticated account, and AccountLocked while the account is
    locked, including on the failure that locks it. The argon2 check runs
    outside any transaction; each outcome is recorded in a short write
    transaction of its own, committed before the refusal is raised.

    When the account changes while its password is checked: deactivated
    means refused like an inactive account, locked means refused as locked,
    neither counted as a failure. A changed password hash (a reset, or a
    concurrent login moving it to today's parameters) means the check was
    against a hash the account no longer has, so the password is checked
    again against the stored one and only that check counts.
    """
    for _ in range(_MAX_CHECKS):
        account = _read_account(db, username)
        if account is None or not account.active:
            verify_password(_dummy_hash(), password)
            with db.write() as session:
                # The same short write a real account's outcome takes, so this answer costs the same too.
                session.exec(select(StaffUser.id).where(StaffUser.username == username).with_for_update()).first()
            log.info("staff login failed user=%r reason=%s", username, "unknown" if account is None else "inactive")
            raise NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")

        if account.locked_until is not None and account.locked_until > now:
            log.info("staff login refused user=%r reason=locked", username)
            raise _locked(account.locked_until, now)

        matches = verify_password(account.password_hash, password)
        # Only now is the plain password at hand to move the hash to today's parameters; hashed
        # here rather than in the write transaction because it costs as much as the check.
        new_hash = hash_password(password) if matches and needs_rehash(account.password_hash) else None

        with db.write() as session:
            outcome = _record(
                session, account, matches=matches, new_hash=new_hash, username=username, now=now, settings=settings
            )
        if isinstance(outcome, StaffSessionOut):
            return outcome
        if isinstance(outcome, DomainError):
            raise outcome
        # Otherwise the hash changed while it was checked: check again against the stored one.

    log.info("staff login failed user=%r reason=password changed while checked", username)
    raise NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")


def _read_account(db: Database, username: str) -> _Account | None:
    """The account by username, from a read session that is closed before the password check."""
    with db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            return None
        assert user.id is not None  # a stored user always has its id
        return _Account(user.id, user.password_hash, user.active, user.locked_until)


def _record(
    session: Session,
    account: _Account,
    *,
    matches: bool,
    new_hash: str | None,
    username: str,
    now: datetime,
    settings: Settings,
) -> StaffSessionOut | DomainError | _HashChanged:
    """The checked password's outcome against the account as stored now.

    Returns the refusal rather than raising it, so the write session commits
    the failure count before the caller raises.
    """
    # Row lock on PostgreSQL so concurrent wrong passwords cannot lose a count.
    user = session.exec(select(StaffUser).where(StaffUser.id == account.id).with_for_update()).first()
    if user is None or not user.active:
        log.info("staff login failed user=%r reason=inactive", username)
        return NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        log.info("staff login refused user=%r reason=locked", username)
        return _locked(user.locked_until, now)
    if user.password_hash != account.password_hash:
        return _HASH_CHANGED

    if not matches:
        user.failed_logins += 1
        if user.failed_logins >= settings.staff_max_failed_logins:
            until = now + timedelta(seconds=settings.staff_lockout_seconds)
            # The counter starts afresh, so the account gets its full tries back when the lock ends.
            user.locked_until, user.failed_logins = until, 0
            log.info("staff login failed user=%r reason=password, account locked", username)
            return _locked(until, now)
        log.info("staff login failed user=%r reason=password", username)
        return NotAuthenticated(BAD_CREDENTIALS, code="bad_credentials")

    user.failed_logins = 0
    user.locked_until = None
    if new_hash is not None:
        user.password_hash = new_hash
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
