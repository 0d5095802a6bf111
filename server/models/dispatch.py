"""Dispatch state (smooth weighted round-robin, per county and vehicle category) and decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class DispatchWeight(SQLModel, table=True):
    """A branch's current round-robin weight for one vehicle category in its county."""

    __tablename__ = "dispatch_weight"
    __table_args__ = (UniqueConstraint("county_code", "category", "branch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="county.code")
    category: str = Field(max_length=30)
    branch_id: int = Field(foreign_key="branch.id")
    current_weight: int = 0


class DispatchDecision(SQLModel, table=True):
    """Why a case went where it went: the rule and its figures."""

    __tablename__ = "dispatch_decision"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    rule: str = Field(max_length=30)
    member_code: str | None = Field(default=None, max_length=20)
    branch_id: int | None = Field(default=None, foreign_key="branch.id")
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
