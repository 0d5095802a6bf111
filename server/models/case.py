"""Cases (applications), their documents and phone calls, and the daily case-number counter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, text
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class Case(SQLModel, table=True):
    """One application (申请/任务), from draft to completion."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_scope_queue", "member_code", "county_code", "status", "due_at"),
        # A window's cases in the queue's order (deadline, undated last, then id), so a page of its
        # queue is read from the front of the index; status last, so a status filter is tested in it.
        Index(
            "ix_cases_scope_deadline", "member_code", "county_code", text("(due_at IS NULL)"), "due_at", "id", "status"
        ),
        Index("ix_cases_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=20)
    channel: str = Field(max_length=10)
    category: str = Field(max_length=30, index=True)
    business_type: str = Field(max_length=10)
    county_code: str = Field(foreign_key="county.code", index=True)
    status: str = Field(max_length=30)
    version: int = 1

    owner_name: str = Field(max_length=40, index=True)
    owner_id_number: str = Field(max_length=18)
    owner_phone: str = Field(max_length=11)
    plate: str | None = Field(default=None, max_length=10, index=True)
    vin: str = Field(max_length=17, index=True)
    engine_number: str | None = Field(default=None, max_length=40)
    brand_model: str | None = Field(default=None, max_length=60)
    displacement_cc: int | None = None
    power_kw: Decimal | None = Field(default=None, sa_column=Column(Numeric(8, 2)))

    # Who owns the draft: the citizen's verified phone (online) or the clerk (counter).
    applicant_phone: str | None = Field(default=None, max_length=11, index=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")

    member_code: str | None = Field(default=None, foreign_key="member.code")
    branch_id: int | None = Field(default=None, foreign_key="branch.id")
    handler_user_id: int | None = Field(default=None, foreign_key="staff_user.id")

    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while a supplement is awaited: the SLA clock is stopped from this moment.
    sla_paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Working seconds the clock stood still in finished supplement rounds, so an
    # escalated deadline (counted from submission) can give that time back.
    sla_paused_seconds: int = 0
    escalated: bool = False
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    consent_version: str | None = Field(default=None, max_length=20)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    supplement_round: int = 0
    supplement_kinds: list[str] | None = Field(default=None, sa_column=Column(JSON))
    supplement_message: str | None = Field(default=None, max_length=500)

    premium: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    payment_link: str | None = Field(default=None, max_length=500)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    payment_reference: str | None = Field(default=None, max_length=60)
    policy_number: str | None = Field(default=None, max_length=40)
    policy_link: str | None = Field(default=None, max_length=500)
    policy_document_id: int | None = None
    closing_reason: str | None = Field(default=None, max_length=500)

    # The applicant's 1–5 rating of a completed case, given once.
    rating: int | None = None
    rating_comment: str | None = Field(default=None, max_length=200)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Document(SQLModel, table=True):
    """One uploaded file; every supplement round is kept, nothing overwritten."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=40)
    round: int = 0
    content_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200)
    thumbnail_key: str = Field(max_length=200)
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    uploaded_by_role: str = Field(max_length=20)
    uploaded_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class CallRecord(SQLModel, table=True):
    """A phone contact with the customer."""

    __tablename__ = "call_record"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    user_id: int = Field(foreign_key="staff_user.id")
    outcome: str = Field(max_length=20)
    started_at: datetime = Field(sa_type=UTCDateTime)
    duration_seconds: int = 0
    notes: str = Field(default="", max_length=1000)


class CaseCounter(SQLModel, table=True):
    """Per-day sequence behind case numbers like YC20260525-0001."""

    __tablename__ = "case_counter"

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0
