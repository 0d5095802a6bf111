"""Test helpers for the workflow actions: cases put straight into a status, staff actors and tokens.

Cases are inserted directly (not through submission and dispatch) so these
tests pin the actions alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import select

from common.enums import BusinessType, CaseStatus, Channel, DocumentKind, Role, VehicleCategory
from server.actor import Actor
from server.auth.tokens import issue_token
from server.context import AppContext
from server.models import Case, Document, Event, SmsMessage, StaffUser
from server.pool import branch_of
from server.sla.deadlines import initial_deadline
from tests.server.factories import id_number, make_staff, vin

OWNER_PHONE = "13912345678"
_numbers = itertools.count(1)


def new_case(
    ctx: AppContext,
    status: CaseStatus = CaseStatus.ASSIGNED,
    *,
    member_code: str | None = "picc",
    county_code: str = "320902",
    submitted_at: datetime | None = None,
    **fields: Any,
) -> int:
    """Insert a motorcycle case already in `status`, dispatched to `member_code`'s window; its id.

    Submitted now unless told otherwise, with the normal deadline for that moment.
    """
    now = ctx.clock.now()
    submitted = submitted_at or now
    serial = next(_numbers)
    with ctx.db.write() as session:
        branch = branch_of(session, member_code, county_code) if member_code else None
        values: dict[str, Any] = {
            "number": f"YC{submitted:%Y%m%d}-{serial:04d}",
            "channel": Channel.ONLINE.value,
            "category": VehicleCategory.MOTORCYCLE.value,
            "business_type": BusinessType.NEW.value,
            "county_code": county_code,
            "status": status.value,
            "owner_name": "王建国",
            "owner_id_number": id_number(sequence=f"{serial % 1000:03d}"),
            "owner_phone": OWNER_PHONE,
            "vin": vin(serial),
            "brand_model": "雅迪 YD1200DT",
            "applicant_phone": OWNER_PHONE,
            "member_code": member_code,
            "branch_id": branch.id if branch else None,
            "created_at": submitted,
            "updated_at": submitted,
            "submitted_at": submitted,
            "dispatched_at": submitted if member_code else None,
            "due_at": initial_deadline(submitted, calendar=ctx.calendar, hours=ctx.hours),
        }
        values.update(fields)
        case = Case(**values)
        session.add(case)
        session.flush()
        assert case.id is not None
        return case.id


def load(ctx: AppContext, case_id: int) -> Case:
    """The case as stored now."""
    with ctx.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def events_of(ctx: AppContext, case_id: int) -> list[Event]:
    """The case's events, oldest first."""
    with ctx.db.read() as session:
        return list(session.exec(select(Event).where(Event.case_id == case_id).order_by(Event.seq)).all())


def run(ctx: AppContext, service: Callable[..., Case], actor: Actor, case_id: int, **kwargs: Any) -> Case:
    """Call an action service in its own transaction, with the case's current version unless one is given."""
    kwargs.setdefault("version", load(ctx, case_id).version)
    with ctx.db.write() as session:
        return service(session, ctx=ctx, actor=actor, case_id=case_id, **kwargs)


def sms_count(ctx: AppContext) -> int:
    """How many messages were sent so far."""
    with ctx.db.read() as session:
        return len(session.exec(select(SmsMessage)).all())


def add_document(ctx: AppContext, case_id: int, kind: DocumentKind, *, round: int = 0) -> int:
    """A stored document row (the actions need no file behind it)."""
    with ctx.db.write() as session:
        document = Document(
            case_id=case_id,
            kind=kind.value,
            round=round,
            content_type="application/pdf",
            size=1024,
            sha256="0" * 64,
            storage_key=f"test/{case_id}/{kind.value}",
            thumbnail_key="",
            uploaded_by_role=Role.CLERK.value,
            created_at=ctx.clock.now(),
        )
        session.add(document)
        session.flush()
        assert document.id is not None
        return document.id


def staff(
    ctx: AppContext,
    username: str,
    role: Role = Role.CLERK,
    *,
    member_code: str | None = "picc",
    county_code: str | None = "320902",
) -> Actor:
    """A staff user in the database, as the actor services see."""
    user = make_staff(ctx, username, role, member_code=member_code, county_code=county_code)
    return actor_of(user)


def actor_of(user: StaffUser) -> Actor:
    return Actor(
        role=Role(user.role),
        user_id=user.id,
        display_name=user.display_name,
        member_code=user.member_code,
        county_code=user.county_code,
    )


def bearer(ctx: AppContext, actor: Actor) -> dict[str, str]:
    """An Authorization header for `actor`, minted directly (independent of the login endpoint)."""
    with ctx.db.write() as session:
        raw, _ = issue_token(
            session,
            role=actor.role,
            now=ctx.clock.now(),
            ttl_seconds=ctx.settings.staff_token_ttl_seconds,
            user_id=actor.user_id,
        )
    return {"Authorization": f"Bearer {raw}"}
