"""Test data for the queue, detail, documents and feed tests, written straight to the database.

These tests do not go through intake, submission or dispatch (others' code):
a case is inserted in the state a test needs, events are written with
`history.record`, document bytes go into the store directly.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from common.enums import Action, BusinessType, CaseStatus, Channel, DocumentKind, Role, VehicleCategory
from server.actor import SYSTEM, Actor
from server.auth.tokens import issue_token
from server.cases.history import record
from server.context import AppContext
from server.models import Case, Document, Event, StaffUser
from tests.server.factories import id_number, make_staff, vin

_serials = itertools.count(1)


def make_case(
    ctx: AppContext,
    *,
    member: str | None = "picc",
    county: str = "320902",
    status: CaseStatus = CaseStatus.ASSIGNED,
    due_in: timedelta | None = timedelta(hours=6),
    due_at: datetime | None = None,
    category: VehicleCategory = VehicleCategory.MOTORCYCLE,
    owner_name: str = "王建国",
    plate: str | None = None,
    vehicle_vin: str | None = None,
    number: str | None = None,
    created_by: int | None = None,
    paused: bool = False,
    **fields: Any,
) -> Case:
    """A case in the given state; its deadline is `due_at`, else now + `due_in` (None: no deadline)."""
    serial = next(_serials)
    now = ctx.clock.now()
    case = Case(
        number=number or f"YC20260310-{serial:04d}",
        channel=Channel.COUNTER.value if created_by else Channel.ONLINE.value,
        category=category.value,
        business_type=BusinessType.RENEWAL.value if plate else BusinessType.NEW.value,
        county_code=county,
        status=status.value,
        owner_name=owner_name,
        owner_id_number=id_number(sequence=f"{serial % 1000:03d}"),
        owner_phone="13912345678",
        plate=plate,
        vin=vehicle_vin or vin(serial),
        member_code=member,
        created_by_user_id=created_by,
        created_at=now,
        updated_at=now,
        submitted_at=None if status is CaseStatus.DRAFT else now,
        due_at=due_at if due_at is not None else (now + due_in if due_in is not None else None),
        sla_paused_at=now if paused else None,
        **fields,
    )
    with ctx.db.write() as session:
        session.add(case)
    return case


def add_event(
    ctx: AppContext,
    case: Case,
    action: Action = Action.NOTE,
    *,
    actor: Actor = SYSTEM,
    previous_member: str | None = None,
) -> Event:
    """Record `action` on the case, as the workflow would (the case's version moves on)."""
    with ctx.db.write() as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        return record(session, stored, action, actor, now=ctx.clock.now(), previous_member_code=previous_member)


def add_document(
    ctx: AppContext,
    case: Case,
    content: bytes,
    *,
    content_type: str,
    suffix: str,
    thumbnail: bytes,
    kind: DocumentKind = DocumentKind.ID_FRONT,
) -> Document:
    """Store bytes and a thumbnail, and the Document row pointing at them."""
    document = Document(
        case_id=case.id or 0,
        kind=kind.value,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_key=ctx.store.put(content, suffix=suffix),
        thumbnail_key=ctx.store.put(thumbnail, suffix=".jpg"),
        uploaded_by_role=Role.CITIZEN.value,
        created_at=ctx.clock.now(),
    )
    with ctx.db.write() as session:
        session.add(document)
    return document


def actor_of(user: StaffUser) -> Actor:
    """The Actor a request by `user` would carry."""
    return Actor(
        role=Role(user.role),
        user_id=user.id,
        display_name=user.display_name,
        member_code=user.member_code,
        county_code=user.county_code,
    )


def login(ctx: AppContext, user: StaffUser) -> dict[str, str]:
    """An Authorization header for `user` (a token issued directly, not via the login endpoint)."""
    with ctx.db.write() as session:
        raw, _ = issue_token(session, role=Role(user.role), now=ctx.clock.now(), ttl_seconds=3600, user_id=user.id)
    return {"Authorization": f"Bearer {raw}"}


def staff(
    ctx: AppContext,
    username: str,
    role: Role = Role.CLERK,
    *,
    member: str | None = "picc",
    county: str | None = "320902",
) -> tuple[StaffUser, dict[str, str]]:
    """A staff user and their Authorization header."""
    user = make_staff(ctx, username, role, member_code=member, county_code=county)
    return user, login(ctx, user)
