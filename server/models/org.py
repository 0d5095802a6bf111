"""The pool: counties, members, their county branches (windows), and staff users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class County(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=20)


class Member(SQLModel, table=True):
    """A pool member (联保体成员机构), one of the 8 insurers."""

    code: str = Field(primary_key=True, max_length=20)
    short: str = Field(max_length=20)
    name: str = Field(max_length=60)


class Branch(SQLModel, table=True):
    """A member's window in one county: where its cases go, with dispatch weight and switch."""

    __table_args__ = (UniqueConstraint("member_code", "county_code"),)

    id: int | None = Field(default=None, primary_key=True)
    member_code: str = Field(foreign_key="member.code", index=True)
    county_code: str = Field(foreign_key="county.code", index=True)
    window_phone: str = Field(max_length=20)
    available: bool = True
    weight: int = Field(default=1, ge=1)


class StaffUser(SQLModel, table=True):
    """A clerk, supervisor or coordinator."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=40)
    display_name: str = Field(max_length=40)
    password_hash: str
    role: str = Field(max_length=20)
    member_code: str | None = Field(default=None, foreign_key="member.code")
    county_code: str | None = Field(default=None, foreign_key="county.code")
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
