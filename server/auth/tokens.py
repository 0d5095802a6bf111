"""Opaque bearer tokens, stored only as SHA-256 hashes, ended on the server at logout."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from common.enums import Role
from server.models import AuthToken


def hash_token(raw: str) -> str:
    """The stored form of a token (a leaked table does not leak usable tokens)."""
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def issue_token(
    session: Session,
    *,
    role: Role,
    now: datetime,
    ttl_seconds: int,
    phone: str | None = None,
    user_id: int | None = None,
) -> tuple[str, datetime]:
    """Create a token; returns the raw token (shown once) and its expiry."""
    raw = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ttl_seconds)
    session.add(
        AuthToken(
            token_hash=hash_token(raw),
            role=role.value,
            phone=phone,
            user_id=user_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return raw, expires_at


def find_valid_token(session: Session, raw: str, *, now: datetime) -> AuthToken | None:
    """The token's record when it exists, is not revoked and has not expired."""
    token = session.get(AuthToken, hash_token(raw))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    return token


def revoke_token(session: Session, raw: str, *, now: datetime) -> None:
    """End a session on the server (logout); unknown tokens are ignored."""
    token = session.get(AuthToken, hash_token(raw))
    if token is not None and token.revoked_at is None:
        token.revoked_at = now


def revoke_user_tokens(session: Session, user_id: int, *, now: datetime) -> int:
    """End every open session of a staff user (new password, deactivated account); how many ended.

    Call with the user's row locked (FOR UPDATE), as login locks it too: a
    login racing the change then either commits first (and its token is
    ended here) or waits and checks the new password or the active flag.
    """
    result = session.execute(
        update(AuthToken)
        .where(
            col(AuthToken.user_id) == user_id,
            col(AuthToken.revoked_at).is_(None),
            col(AuthToken.expires_at) > now,
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)
