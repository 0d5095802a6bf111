"""Contact with the customer that changes no status: phone calls and internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.enums import Action, CallOutcome
from server.actor import Actor
from server.cases.actions import Change, moment, not_after_now, perform
from server.context import AppContext
from server.models import CallRecord, Case


def log_call(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    outcome: CallOutcome,
    started_at: datetime,
    duration_seconds: int,
    notes: str = "",
) -> Case:
    """Record a phone call with the customer (the notes stay on the call, out of the change feed)."""

    def keep(case: Case, now: datetime) -> Change:
        call = CallRecord(
            case_id=case.id or 0,
            user_id=actor.user_id or 0,
            outcome=outcome.value,
            started_at=not_after_now(started_at, now, label="通话开始时间"),
            duration_seconds=duration_seconds,
            notes=notes,
        )
        session.add(call)
        session.flush()  # the event refers to the call by id
        return Change(
            payload={
                "call_id": call.id,
                "outcome": outcome.value,
                "started_at": moment(call.started_at),
                "duration_seconds": call.duration_seconds,
            }
        )

    return perform(session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.CALL, change=keep)


def add_note(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int, text: str) -> Case:
    """An internal note on the case's timeline (staff only; citizens never see notes)."""

    def write(case: Case, now: datetime) -> Change:
        return Change(payload={"text": text})

    return perform(session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.NOTE, change=write)
