"""Recording what happens to a case: one event per action, and a new case version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from common.enums import Action
from server.actor import Actor
from server.audit.chain import append_event
from server.models import Case, Event


def record(
    session: Session,
    case: Case,
    action: Action,
    actor: Actor,
    *,
    now: datetime,
    payload: dict[str, Any] | None = None,
    previous_member_code: str | None = None,
) -> Event:
    """Write the event for `action` on `case` and move the case to its next version.

    Call after changing the case's fields, so the event carries the new status
    and the case's current member/county (which scope the change feed).
    Payloads must never hold an ID number, a full phone number, a code or a token.
    """
    case.version += 1
    case.updated_at = now
    session.add(case)
    session.flush()  # the case needs its id before the event refers to it
    return append_event(
        session,
        created_at=now,
        case_id=case.id,
        action=action.value,
        status_after=case.status,
        actor_role=actor.role.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        member_code=case.member_code,
        county_code=case.county_code,
        previous_member_code=previous_member_code,
        payload={"version": case.version, **(payload or {})},
    )


def record_pool_change(
    session: Session,
    action: Action,
    actor: Actor,
    *,
    now: datetime,
    payload: dict[str, Any],
    member_code: str | None = None,
    county_code: str | None = None,
) -> Event:
    """Write the event for a change to the pool's settings (a window, an account, a warning rule).

    No case changes, so the event has no case id; it still joins the audit
    chain and the coordinator's change feed. `member_code`/`county_code` name
    what was changed, so that member's desktops in that county learn of it too.
    The same rule as `record` holds: no ID number, phone number, password or token in the payload.
    """
    return append_event(
        session,
        created_at=now,
        case_id=None,
        action=action.value,
        status_after=None,
        actor_role=actor.role.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        member_code=member_code,
        county_code=county_code,
        payload=payload,
    )
