"""Complaints a citizen files about the handling of their own application."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class Complaint(SQLModel, table=True):
    """One complaint (投诉) about a case; kept as written, never edited.

    The member and county are copied from the case at the time of writing, so
    a later reassignment does not move the complaint to another insurer.
    """

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    member_code: str | None = Field(default=None, max_length=20, index=True)
    county_code: str = Field(max_length=6)
    text: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
