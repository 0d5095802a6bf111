"""Cases, ratings and complaints for the signals tests, written straight to the database."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from common.enums import BusinessType, CaseStatus, Channel, VehicleCategory
from server.context import AppContext
from server.models import Case, Complaint
from tests.server.factories import id_number, vin

_serials = itertools.count(1)


def owner_id(n: int) -> str:
    """The ID number of owner `n` (distinct for every n below 36,000)."""
    return id_number(birth=date(1960, 1, 1) + timedelta(days=n // 1000), sequence=f"{n % 1000:03d}")


def add_case(
    ctx: AppContext,
    *,
    owner: int,
    submitted_at: datetime | None,
    applicant_phone: str | None = None,
    owner_phone: str = "13700000000",
    status: CaseStatus = CaseStatus.ASSIGNED,
    county: str = "320902",
    member: str | None = "picc",
    due_at: datetime | None = None,
    paused_at: datetime | None = None,
    rating: int | None = None,
    rating_comment: str | None = None,
    rated_at: datetime | None = None,
) -> Case:
    """One case of owner number `owner`; online when `applicant_phone` is given, else a counter intake."""
    serial = next(_serials)
    created = submitted_at or ctx.clock.now()
    case = Case(
        number=f"YC-SIG-{serial:05d}",
        channel=(Channel.ONLINE if applicant_phone else Channel.COUNTER).value,
        category=VehicleCategory.MOTORCYCLE.value,
        business_type=BusinessType.NEW.value,
        county_code=county,
        status=status.value,
        owner_name=f"车主{owner}",
        owner_id_number=owner_id(owner),
        owner_phone=owner_phone,
        vin=vin(serial),
        applicant_phone=applicant_phone,
        member_code=member,
        created_at=created,
        updated_at=created,
        submitted_at=submitted_at,
        due_at=due_at,
        sla_paused_at=paused_at,
        rating=rating,
        rating_comment=rating_comment,
        rated_at=rated_at,
    )
    with ctx.db.write() as session:
        session.add(case)
    return case


def add_complaint(
    ctx: AppContext,
    case: Case,
    text: str,
    *,
    at: datetime,
    member: str | None = None,
    county: str | None = None,
) -> Complaint:
    """A complaint on `case`, under the case's member and county unless others are given."""
    complaint = Complaint(
        case_id=case.id or 0,
        member_code=member if member is not None else case.member_code,
        county_code=county or case.county_code,
        text=text,
        created_at=at,
    )
    with ctx.db.write() as session:
        session.add(complaint)
    return complaint
