"""Login codes, session tokens and idempotency keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class LoginCode(SQLModel, table=True):
    """An SMS login code, stored only as a keyed hash."""

    __tablename__ = "login_code"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=11, index=True)
    client_address: str = Field(max_length=64, index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthToken(SQLModel, table=True):
    """A bearer token (stored hashed) for a citizen's phone or a staff user."""

    __tablename__ = "auth_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=20)
    phone: str | None = Field(default=None, max_length=11)
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IdempotencyRecord(SQLModel, table=True):
    """The case a retried create or submit with the same Idempotency-Key refers to."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("owner", "operation", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=40)
    operation: str = Field(max_length=20)
    key: str = Field(max_length=100)
    case_id: int = Field(foreign_key="cases.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
