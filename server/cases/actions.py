"""The steps every workflow action on a case takes, written once.

    load in scope (locked) → check version → check the workflow table
    → change the case → record one event → maybe send an SMS

`perform` runs the whole sequence for a staff action; `apply_action` is the
part after loading, for callers that already hold the case (the citizen's
supplement, see `server.cases.supplement`). Each action supplies only its
own change: a function that edits the case and says what to record and what
to text the customer. The actions themselves live in `action_*.py` by theme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from common.enums import Action, CaseStatus
from common.workflow import TransitionRefused, next_status
from server.actor import Actor
from server.cases.history import record
from server.cases.scope import load_case
from server.clock import local
from server.context import AppContext
from server.errors import BadInput, Conflict, Forbidden, StaleVersion
from server.models import Case, Event

STALE_VERSION = "该申请已被他人更新,请刷新后再操作"

# Counter PCs' clocks drift a little; a time entered there may be this far ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Sms:
    """A message to the customer about this action (template in resources/sms_templates.toml)."""

    template: str
    params: dict[str, Any]


@dataclass
class Change:
    """What an action did besides moving the status: the event's payload and the SMS to send.

    Payloads are permanent and fed to other members' desktops: never an ID
    number, a full phone number, a code or a token.
    """

    payload: dict[str, Any] = field(default_factory=dict)
    sms: Sms | None = None
    previous_member_code: str | None = None


# Edits the case for the action at `now`; returns what to record (None: nothing beyond the status).
ChangeFn = Callable[[Case, datetime], Change | None]


def open_case(session: Session, actor: Actor, case_id: int, *, version: int) -> Case:
    """The case locked for a change, if `actor` may see it and saw its current version."""
    case = load_case(session, actor, case_id, for_update=True)
    if case.version != version:
        raise StaleVersion(STALE_VERSION, details={"current_version": case.version})
    return case


def check_transition(case: Case, action: Action, actor: Actor) -> CaseStatus:
    """The status after `action`, or Forbidden (wrong role) / Conflict (wrong status) per the workflow table."""
    try:
        return next_status(action, CaseStatus(case.status), actor.role)
    except TransitionRefused as refused:
        if refused.kind == "role":
            raise Forbidden(refused.message) from None
        raise Conflict(refused.message, code="invalid_status", details={"status": case.status}) from None


def apply_action(
    session: Session, ctx: AppContext, actor: Actor, case: Case, action: Action, change: ChangeFn
) -> Event:
    """Check `action` against the table, apply `change`, record the one event, send the SMS.

    The SMS is recorded in the same transaction as the event, so a refused or
    failed action texts nobody.
    """
    now = ctx.clock.now()
    target = check_transition(case, action, actor)
    outcome = change(case, now) or Change()
    case.status = target.value
    event = record(
        session,
        case,
        action,
        actor,
        now=now,
        payload=outcome.payload,
        previous_member_code=outcome.previous_member_code,
    )
    if outcome.sms is not None:
        ctx.sms.send(
            session,
            phone=case.owner_phone,
            template=outcome.sms.template,
            params=outcome.sms.params,
            now=now,
            case_id=case.id,
        )
    return event


def perform(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    action: Action,
    change: ChangeFn,
) -> Case:
    """A staff action from start to end; returns the changed case (version already moved on)."""
    case = open_case(session, actor, case_id, version=version)
    apply_action(session, ctx, actor, case, action, change)
    return case


def moment(value: datetime | None) -> str | None:
    """A time for an event payload: local ISO 8601 to the second, as people at the window read it."""
    return local(value).replace(microsecond=0).isoformat() if value is not None else None


def not_after_now(value: datetime, now: datetime, *, label: str) -> datetime:
    """`value`, unless it is in the future: within CLOCK_SKEW it is taken as `now`, beyond that BadInput."""
    if value > now + CLOCK_SKEW:
        raise BadInput(f"{label}不能晚于当前时间")
    return min(value, now)
