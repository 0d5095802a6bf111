"""Events: the audit trail and the change feed in one hash-chained table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class Event(SQLModel, table=True):
    """Something that happened to a case (or to the system), with who did it and when."""

    __table_args__ = (
        Index("ix_event_member_seq", "member_code", "seq"),
        Index("ix_event_previous_member_seq", "previous_member_code", "seq"),
        # A county's pool-setting history: one action, one county, newest first.
        Index("ix_event_action_county_seq", "action", "county_code", "seq"),
    )

    # Assigned from ChainHead under a lock: gap-free and in commit order, so
    # the feed's `after=N` never skips an event and a missing one is detectable.
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    action: str = Field(max_length=30)
    status_after: str | None = Field(default=None, max_length=30)
    actor_role: str = Field(max_length=20)
    actor_user_id: int | None = None
    actor_label: str = Field(max_length=60)
    member_code: str | None = Field(default=None, max_length=20)
    county_code: str | None = Field(default=None, max_length=6)
    previous_member_code: str | None = Field(default=None, max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ChainHead(SQLModel, table=True):
    """The single row holding the last sequence number and hash; locked to append."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
