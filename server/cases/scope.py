"""Data scope (DESIGN.md §6), written once: which cases an actor may see.

Cases outside the scope are reported as not found (404), never forbidden,
so their existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_, true
from sqlmodel import Session, select

from common.enums import CaseStatus, Role
from server.actor import Actor
from server.errors import CASE_NOT_FOUND, NotFound
from server.models import Case, Event


def case_scope(actor: Actor, *, drafts: bool = True) -> Any:
    """A SQL condition selecting the cases `actor` may see.

    `drafts=False` selects only the non-draft ones, for a query that leaves
    drafts out anyway (the queue's default): written without the OR that
    drafts need, as plain equalities on member and county, SQLite reads it
    from the scope index instead of testing every row twice.

    Depends on the actor's fields alone, never on the time or a lookup made
    while building it: the queue keeps built statements by actor.
    """
    not_draft = Case.status != CaseStatus.DRAFT.value
    if actor.role is Role.COORDINATOR:
        return true() if drafts else not_draft
    if actor.role is Role.CITIZEN:
        if not actor.phone:
            return false()
        return Case.applicant_phone == actor.phone if drafts else and_(Case.applicant_phone == actor.phone, not_draft)
    own_drafts = and_(Case.status == CaseStatus.DRAFT.value, Case.created_by_user_id == actor.user_id)
    if actor.role is Role.SUPERVISOR and actor.member_code:
        assigned = and_(Case.member_code == actor.member_code, not_draft)
        return or_(assigned, own_drafts) if drafts else assigned
    if actor.role is Role.CLERK and actor.member_code and actor.county_code:
        assigned = and_(
            Case.member_code == actor.member_code,
            Case.county_code == actor.county_code,
            not_draft,
        )
        return or_(assigned, own_drafts) if drafts else assigned
    return false()


def event_scope(actor: Actor) -> Any:
    """A SQL condition selecting the events `actor` may follow in the change feed."""
    if actor.role is Role.COORDINATOR:
        return true()
    if actor.role in (Role.CLERK, Role.SUPERVISOR) and actor.member_code:
        mine = or_(Event.member_code == actor.member_code, Event.previous_member_code == actor.member_code)
        if actor.role is Role.CLERK:
            return and_(mine, Event.county_code == actor.county_code)
        return mine
    return false()


def load_case(session: Session, actor: Actor, case_id: int, *, for_update: bool = False) -> Case:
    """The case if `actor` may see it, else NotFound. `for_update` locks the row for a change."""
    query = select(Case).where(Case.id == case_id, case_scope(actor))
    if for_update:
        query = query.with_for_update()
    case = session.exec(query).first()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    return case
