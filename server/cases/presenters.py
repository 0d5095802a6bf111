"""How cases are shown: queue rows, the staff detail, the citizen's own view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import Action, BusinessType, CallOutcome, CaseStatus, DocumentKind, Role, VehicleCategory
from common.schemas.cases import (
    ApplicationOut,
    CallOut,
    CaseDetail,
    CaseSummary,
    DocumentOut,
    EventOut,
    Progress,
)
from common.validators import mask_id_number
from common.workflow import allowed_actions, is_allowed
from server.actor import Actor
from server.models import Branch, CallRecord, Case, DispatchDecision, Document, Event, StaffUser

# Actions a citizen sees in their progress timeline (internal notes, calls and ID views stay internal).
CITIZEN_VISIBLE_ACTIONS = frozenset(
    a.value
    for a in (
        Action.SUBMIT,
        Action.DISPATCH,
        Action.ACCEPT,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLEMENT,
        Action.APPROVE,
        Action.RECORD_PAYMENT,
        Action.ISSUE_POLICY,
        Action.MOVE_OFFLINE,
        Action.REJECT,
        Action.CANCEL,
        Action.REASSIGN,
    )
)


# Labels by stored value, looked up per row: constructing the enum member first costs more than the lookup.
_STATUS_LABELS = {s.value: s.label for s in CaseStatus}
_BUSINESS_LABELS = {b.value: b.label for b in BusinessType}
_CATEGORY_LABELS = {c.value: c.label for c in VehicleCategory}
_OPEN_VALUES = frozenset(s.value for s in CaseStatus if s.is_open)


def is_overdue(case: Case, now: datetime) -> bool:
    """Past its deadline, still open, and not waiting on the customer."""
    return case.due_at is not None and case.sla_paused_at is None and case.status in _OPEN_VALUES and case.due_at < now


def _shown_to_everyone(case: Case, catalog: Catalog) -> dict[str, Any]:
    """The fields a queue row and the applicant's own view both show, labelled the same way."""
    return {
        "id": case.id or 0,
        "number": case.number,
        "version": case.version,
        "category": case.category,
        "business_type": case.business_type,
        "business_type_label": _BUSINESS_LABELS[case.business_type],
        "county_code": case.county_code,
        "county_name": catalog.county_names.get(case.county_code, case.county_code),
        "status": case.status,
        "status_label": _STATUS_LABELS[case.status],
        "owner_name": case.owner_name,
        "owner_id_masked": mask_id_number(case.owner_id_number),
        "plate": case.plate,
        "vin": case.vin,
        "member_name": catalog.member_names.get(case.member_code) if case.member_code else None,
        "submitted_at": case.submitted_at,
        "due_at": case.due_at,
    }


def summary_fields(case: Case, catalog: Catalog, *, now: datetime) -> dict[str, Any]:
    """A queue row's fields (`CaseSummary`), as plain values.

    The queue validates a whole page of these in one call (`QueuePage.model_validate`):
    pydantic's validator runs in Rust, so that is cheaper than building fifty
    models one by one in Python, and each row is still checked against its schema.
    """
    return {
        **_shown_to_everyone(case, catalog),
        "channel": case.channel,
        "category_label": _CATEGORY_LABELS[case.category],
        "member_code": case.member_code,
        "sla_paused": case.sla_paused_at is not None,
        "overdue": is_overdue(case, now),
    }


def summarize(case: Case, catalog: Catalog, *, now: datetime) -> CaseSummary:
    """A queue row."""
    return CaseSummary.model_validate(summary_fields(case, catalog, now=now))


def document_out(doc: Document) -> DocumentOut:
    """A document's metadata (the bytes are fetched separately)."""
    return DocumentOut(
        id=doc.id or 0,
        kind=doc.kind,
        kind_label=DocumentKind(doc.kind).label,
        round=doc.round,
        content_type=doc.content_type,
        size=doc.size,
        sha256=doc.sha256,
        width=doc.width,
        height=doc.height,
        pages=doc.pages,
        created_at=doc.created_at,
    )


def event_out(event: Event, case_number: str | None = None) -> EventOut:
    """An event for the timeline or the change feed.

    Its county is the one stored with the event (what scopes the feed): a case
    event's is its case's, so no case is read for it.
    """
    return EventOut(
        seq=event.seq,
        case_id=event.case_id,
        case_number=case_number,
        county_code=event.county_code,
        action=event.action,
        action_label=Action(event.action).label,
        status_after=event.status_after,
        actor_label=event.actor_label,
        payload=event.payload,
        created_at=event.created_at,
    )


def case_documents(session: Session, case_id: int) -> list[Document]:
    """Every document of the case, all rounds, oldest first."""
    return list(session.exec(select(Document).where(Document.case_id == case_id).order_by(Document.id)).all())


def missing_kinds(case: Case, catalog: Catalog, documents: list[Document]) -> tuple[list[str], list[str]]:
    """(required, missing) document kinds for the case's business type."""
    required = [k.value for k in catalog.required_for(BusinessType(case.business_type))]
    present = {d.kind for d in documents}
    return required, [k for k in required if k not in present]


def staff_detail(session: Session, case: Case, catalog: Catalog, actor: Actor, *, now: datetime) -> CaseDetail:
    """The full case for a staff member in scope (ID number masked)."""
    documents = case_documents(session, case.id or 0)
    required, missing = missing_kinds(case, catalog, documents)
    events = session.exec(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    calls = session.exec(select(CallRecord).where(CallRecord.case_id == case.id).order_by(CallRecord.id)).all()
    users = {
        u.id: u
        for u in session.exec(
            select(StaffUser).where(StaffUser.id.in_({c.user_id for c in calls} | {case.handler_user_id or 0}))
        ).all()
    }  # type: ignore[union-attr]
    branch = session.get(Branch, case.branch_id) if case.branch_id else None
    decision = session.exec(
        select(DispatchDecision).where(DispatchDecision.case_id == case.id).order_by(DispatchDecision.id.desc())  # type: ignore[union-attr]
    ).first()
    handler = users.get(case.handler_user_id) if case.handler_user_id else None
    return CaseDetail(
        **summarize(case, catalog, now=now).model_dump(),
        owner_phone=case.owner_phone,
        engine_number=case.engine_number,
        brand_model=case.brand_model,
        displacement_cc=case.displacement_cc,
        power_kw=case.power_kw,
        window_phone=branch.window_phone if branch else None,
        handler_name=handler.display_name if handler else None,
        escalated=case.escalated,
        consent_version=case.consent_version,
        consent_at=case.consent_at,
        supplement_round=case.supplement_round,
        supplement_kinds=case.supplement_kinds or [],
        supplement_message=case.supplement_message,
        premium=case.premium,
        payment_link=case.payment_link,
        paid_at=case.paid_at,
        policy_number=case.policy_number,
        policy_link=case.policy_link,
        closing_reason=case.closing_reason,
        required_documents=required,
        missing_documents=missing,
        documents=[document_out(d) for d in documents],
        events=[event_out(e, case.number) for e in events],
        calls=[
            CallOut(
                id=c.id or 0,
                outcome=c.outcome,
                outcome_label=CallOutcome(c.outcome).label,
                started_at=c.started_at,
                duration_seconds=c.duration_seconds,
                notes=c.notes,
                user_label=users[c.user_id].display_name if c.user_id in users else "",
            )
            for c in calls
        ],
        allowed_actions=[a.value for a in allowed_actions(CaseStatus(case.status), actor.role)],
        dispatch_reason=decision.reason if decision else None,
    )


def citizen_view(session: Session, case: Case, catalog: Catalog, *, policy_url: str | None = None) -> ApplicationOut:
    """The applicant's own view of the case and its progress."""
    documents = case_documents(session, case.id or 0)
    required, missing = missing_kinds(case, catalog, documents)
    events = session.exec(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    branch = session.get(Branch, case.branch_id) if case.branch_id else None
    return ApplicationOut(
        **_shown_to_everyone(case, catalog),
        owner_phone=case.owner_phone,
        brand_model=case.brand_model,
        window_phone=branch.window_phone if branch else None,
        required_documents=required,
        missing_documents=missing,
        documents=[document_out(d) for d in documents],
        supplement_kinds=case.supplement_kinds or [] if case.status == CaseStatus.SUPPLEMENT_REQUESTED.value else [],
        supplement_message=case.supplement_message if case.status == CaseStatus.SUPPLEMENT_REQUESTED.value else None,
        premium=case.premium,
        payment_link=case.payment_link if case.status == CaseStatus.AWAITING_PAYMENT.value else None,
        policy_number=case.policy_number,
        policy_link=case.policy_link or (policy_url if case.policy_document_id else None),
        closing_reason=case.closing_reason,
        can_cancel=is_allowed(Action.CANCEL, CaseStatus(case.status), Role.CITIZEN),
        progress=[
            Progress(action=e.action, label=Action(e.action).label, status_after=e.status_after, at=e.created_at)
            for e in events
            if e.action in CITIZEN_VISIBLE_ACTIONS
        ],
    )
