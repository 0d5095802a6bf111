"""Citizen login by phone number and SMS code: no registration, no password.

A code is 6 digits from `secrets`, single use, short-lived, and dies after a
few wrong tries. Only the newest code of a phone counts, so asking for a new
one silently invalidates the previous one. Sending costs money and attracts
abuse, so requests are limited per phone (resend interval, daily cap by
Yancheng's calendar day) and per client address (rolling hour).

The code is stored only as HMAC-SHA256 keyed with the server's secret: six
digits are a million possibilities, which anyone holding a leaked table could
try offline against a plain hash in a moment; without the key they cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from common.enums import Role
from common.schemas.auth import LOGIN_CODE_LENGTH, CitizenSessionOut, LoginCodeSent
from common.validators import mask_phone
from server.auth.tokens import issue_token
from server.clock import LOCAL_ZONE, local
from server.errors import DomainError, TooManyRequests
from server.models import LoginCode
from server.settings import Settings
from server.sms.service import SmsSender

log = logging.getLogger(__name__)

LOGIN_CODE_TEMPLATE = "login_code"
_CLIENT_WINDOW = timedelta(hours=1)


class LoginCodeRejected(DomainError):
    """The code given at login does not open a session (wrong, expired, used, …)."""

    status_code = 400
    code = "login_code_rejected"


def hash_login_code(secret_key: str, phone: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 over phone and code, keyed with the secret.

    The phone is part of the message so that a hash copied to another phone's row is useless.
    """
    message = f"{phone}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def request_login_code(
    session: Session,
    *,
    phone: str,
    client_address: str,
    now: datetime,
    settings: Settings,
    sms: SmsSender,
) -> LoginCodeSent:
    """Send a fresh login code to `phone` by SMS, within the sending limits.

    `phone` is already validated and normalised. Raises TooManyRequests (with
    the seconds to wait) when the phone asked too recently or too often today,
    or when the client address has asked for too many codes in the last hour.
    """
    _queue_behind_same_phone_or_address(session, phone=phone, client_address=client_address)
    _check_resend_interval(session, phone=phone, now=now, settings=settings)
    _check_daily_limit(session, phone=phone, now=now, settings=settings)
    _check_client_limit(session, client_address=client_address, now=now, settings=settings)

    code = f"{secrets.randbelow(10**LOGIN_CODE_LENGTH):0{LOGIN_CODE_LENGTH}d}"
    session.add(
        LoginCode(
            phone=phone,
            client_address=client_address[:64],
            code_hash=hash_login_code(settings.secret_key, phone, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.sms_code_ttl_seconds),
        )
    )
    sms.send(session, phone=phone, template=LOGIN_CODE_TEMPLATE, params={"code": code}, now=now)
    log.info("login code sent to %s", mask_phone(phone))
    return LoginCodeSent(resend_after=settings.sms_resend_interval_seconds, expires_in=settings.sms_code_ttl_seconds)


def log_in_citizen(session: Session, *, phone: str, code: str, now: datetime, settings: Settings) -> CitizenSessionOut:
    """Exchange the newest code of `phone` for a citizen token.

    Raises LoginCodeRejected when there is no code, it was used, it expired,
    it had too many wrong tries, or `code` is wrong. A wrong try is counted
    and committed before the refusal is raised, because the caller's write
    session rolls back on any exception and the count must survive it.
    """
    latest = session.exec(
        select(LoginCode).where(LoginCode.phone == phone).order_by(col(LoginCode.id).desc()).limit(1).with_for_update()
    ).first()
    if latest is None:
        raise _refused(phone, "missing", "请先获取短信验证码")
    if latest.used_at is not None:
        raise _refused(phone, "used", "验证码已使用,请重新获取")
    if latest.expires_at <= now:
        raise _refused(phone, "expired", "验证码已过期,请重新获取")
    if latest.attempts >= settings.sms_code_max_attempts:
        raise _refused(phone, "exhausted", "验证码错误次数过多,请重新获取")

    if not hmac.compare_digest(latest.code_hash, hash_login_code(settings.secret_key, phone, code)):
        latest.attempts += 1
        left = settings.sms_code_max_attempts - latest.attempts
        session.commit()
        if left <= 0:
            raise _refused(phone, "exhausted", "验证码错误次数过多,请重新获取")
        raise _refused(phone, "incorrect", f"验证码不正确,还可尝试{left}次")

    latest.used_at = now
    token, expires_at = issue_token(
        session, role=Role.CITIZEN, now=now, ttl_seconds=settings.citizen_token_ttl_seconds, phone=phone
    )
    log.info("citizen login ok phone=%s", mask_phone(phone))
    return CitizenSessionOut(token=token, expires_at=expires_at)


def _refused(phone: str, reason: str, message: str) -> LoginCodeRejected:
    log.info("citizen login refused phone=%s reason=%s", mask_phone(phone), reason)
    return LoginCodeRejected(message, code=f"code_{reason}")


def _queue_behind_same_phone_or_address(session: Session, *, phone: str, client_address: str) -> None:
    """Make concurrent requests for one phone or one address take turns, so limits cannot be raced.

    SQLite write sessions already run one at a time (BEGIN IMMEDIATE). On
    PostgreSQL, read-committed transactions would each count the same rows and
    all pass; transaction-scoped advisory locks queue them instead. Always the
    phone first, then the address, so two requests can never wait on each other.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in (f"login-code:phone:{phone}", f"login-code:client:{client_address}"):
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _check_resend_interval(session: Session, *, phone: str, now: datetime, settings: Settings) -> None:
    last_sent = session.exec(select(func.max(LoginCode.created_at)).where(LoginCode.phone == phone)).one()
    if last_sent is None:
        return
    wait = settings.sms_resend_interval_seconds - (now - last_sent).total_seconds()
    if wait > 0:
        seconds = math.ceil(wait)
        log.info("login code refused for %s: resend too soon", mask_phone(phone))
        raise TooManyRequests(f"验证码已发送,请{seconds}秒后再重新获取", retry_after=seconds, code="resend_too_soon")


def _check_daily_limit(session: Session, *, phone: str, now: datetime, settings: Settings) -> None:
    # "Today" is Yancheng's calendar day, whose midnight is 16:00 UTC.
    day_start = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = session.exec(
        select(func.count()).select_from(LoginCode).where(LoginCode.phone == phone, LoginCode.created_at >= day_start)
    ).one()
    if sent_today >= settings.sms_daily_limit_per_phone:
        next_midnight = datetime.combine(day_start.date() + timedelta(days=1), day_start.time(), LOCAL_ZONE)
        log.info("login code refused for %s: daily limit", mask_phone(phone))
        raise TooManyRequests(
            "今日获取验证码次数已达上限,请明天再试",
            retry_after=max(1, math.ceil((next_midnight - now).total_seconds())),
            code="daily_limit",
        )


def _check_client_limit(session: Session, *, client_address: str, now: datetime, settings: Settings) -> None:
    window_start = now - _CLIENT_WINDOW
    recent = (LoginCode.client_address == client_address[:64], LoginCode.created_at > window_start)
    sent, oldest = session.exec(select(func.count(), func.min(LoginCode.created_at)).where(*recent)).one()
    if sent >= settings.sms_hourly_limit_per_client:
        # The rolling hour frees a slot when the oldest code in it turns one hour old.
        seconds = max(1, math.ceil((oldest + _CLIENT_WINDOW - now).total_seconds()))
        log.info("login code refused: hourly limit of a client address reached")
        raise TooManyRequests(
            f"当前网络获取验证码过于频繁,请{math.ceil(seconds / 60)}分钟后再试",
            retry_after=seconds,
            code="client_limit",
        )
