"""Review actions: accept, escalate to a superior and their decision, move offline, reject.

Each function is one staff action: the shared steps (scope, version,
workflow table, event, SMS) are `perform`'s; only the change is here.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.enums import Action
from server.actor import Actor
from server.cases.actions import Change, moment, perform
from server.context import AppContext
from server.models import Case
from server.sla.deadlines import add_working_seconds, escalated_deadline


def accept(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int) -> Case:
    """Take the case on: the accepting clerk becomes its handler."""

    def take(case: Case, now: datetime) -> Change:
        case.handler_user_id = actor.user_id
        return Change()

    return perform(session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.ACCEPT, change=take)


def escalate(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int, reason: str) -> Case:
    """Hand the case to a superior; its deadline becomes the escalated one (see `escalated_due`)."""

    def hand_up(case: Case, now: datetime) -> Change:
        due_before = case.due_at
        case.escalated = True
        case.due_at = escalated_due(case, ctx=ctx)
        return Change(
            payload={
                "reason": reason,
                "due_before": moment(due_before),
                "due_after": moment(case.due_at),
                "paused_working_seconds": case.sla_paused_seconds,
            }
        )

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.ESCALATE, change=hand_up
    )


def escalated_due(case: Case, *, ctx: AppContext) -> datetime:
    """Two working days of working time from submission, plus the working time spent awaiting supplements.

    The promise ("at most 2 days") counts from submission, but time the
    customer took to bring documents is not the window's: finished pauses
    are summed in `sla_paused_seconds` by `restart_clock` and given back
    here. Escalation happens while reviewing, so no pause is running now.
    """
    start = case.submitted_at or case.created_at
    base = escalated_deadline(start, calendar=ctx.calendar, hours=ctx.hours)
    return add_working_seconds(base, case.sla_paused_seconds, calendar=ctx.calendar, hours=ctx.hours)


def decide(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int, comment: str) -> Case:
    """A supervisor of the case's member lets an escalated case proceed (refusing it is `reject`).

    The case keeps its escalated deadline: the 2-day promise still applies.
    """

    def approve_to_proceed(case: Case, now: datetime) -> Change:
        return Change(payload={"comment": comment})

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.DECIDE, change=approve_to_proceed
    )


def move_offline(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int, reason: str) -> Case:
    """Continue the case outside the system (remote follow-up); payment and policy can still be recorded."""

    def go_offline(case: Case, now: datetime) -> Change:
        case.closing_reason = reason  # the applicant is told why the case continues offline
        return Change(payload={"reason": reason})

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.MOVE_OFFLINE, change=go_offline
    )


def reject(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int, reason: str) -> Case:
    """Close the case without a policy, saying why (the citizen sees the reason)."""

    def close(case: Case, now: datetime) -> Change:
        case.closing_reason = reason
        case.finished_at = now
        return Change(payload={"reason": reason})

    return perform(session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.REJECT, change=close)
