"""Asking the customer for more documents, and their arrival: the SLA clock stops and restarts.

While a supplement is awaited the deadline does not run (DESIGN.md §5): the
request stores the moment the clock stopped (`sla_paused_at`); the arrival
gives back, from that moment on, the working time that was left
(`resumed_deadline`) and adds the stopped working time to
`sla_paused_seconds`, which the escalated deadline needs later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from common.enums import Action, DocumentKind
from server.actor import Actor
from server.cases.actions import Change, Sms, apply_action, moment, open_case, perform
from server.context import AppContext
from server.models import Case, Document
from server.sla.deadlines import resumed_deadline, working_seconds_between

# Sentence ends after which the SMS template may go on with its own next sentence.
_SENTENCE_END = tuple("。!?!?.;;")


def request_supplement(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    kinds: list[DocumentKind],
    message: str = "",
) -> Case:
    """Ask for `kinds` (a new supplement round), stop the SLA clock and text the customer what is missing."""

    def ask(case: Case, now: datetime) -> Change:
        case.supplement_round += 1
        case.supplement_kinds = [k.value for k in kinds]
        case.supplement_message = message or None
        case.sla_paused_at = now
        return Change(
            payload={"round": case.supplement_round, "kinds": case.supplement_kinds, "message": message},
            sms=Sms(
                "supplement_requested",
                {"number": case.number, "kinds": "、".join(k.label for k in kinds), "message": _as_sentence(message)},
            ),
        )

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.REQUEST_SUPPLEMENT, change=ask
    )


def complete_supplement(session: Session, ctx: AppContext, actor: Actor, case: Case) -> None:
    """The supplement has arrived: back to review, and the SLA clock runs again.

    For a case the caller has already loaded in the actor's scope (and whose
    version it has checked): the citizen's route calls this when they submit
    their supplement, the staff route `mark_supplement_received` when papers
    arrive at the counter. Whether the requested documents were uploaded is
    the caller's business (see `outstanding_kinds`): a clerk may vouch for
    papers seen at the counter without scanning them.
    """

    def restart(case: Case, now: datetime) -> Change:
        return Change(payload={"round": case.supplement_round, **restart_clock(case, now, ctx=ctx)})

    apply_action(session, ctx, actor, case, Action.SUPPLEMENT, restart)


def mark_supplement_received(session: Session, *, ctx: AppContext, actor: Actor, case_id: int, version: int) -> Case:
    """Staff record that the customer supplied the papers another way (e.g. brought them to the counter)."""
    case = open_case(session, actor, case_id, version=version)
    complete_supplement(session, ctx, actor, case)
    return case


def restart_clock(case: Case, now: datetime, *, ctx: AppContext) -> dict[str, Any]:
    """End a pause of the SLA clock, if any: move the deadline on, count the stopped time.

    Returns how the deadline moved, for the event (empty when the clock was running).
    A case already overdue when paused keeps its deadline (`resumed_deadline`),
    but its stopped time still counts for a later escalated deadline.
    """
    paused_at = case.sla_paused_at
    if paused_at is None:
        return {}
    # Guard against a server clock a little behind the one that paused (several workers).
    resumed_at = max(now, paused_at)
    stopped = working_seconds_between(paused_at, resumed_at, calendar=ctx.calendar, hours=ctx.hours)
    due_before = case.due_at
    if due_before is not None:
        case.due_at = resumed_deadline(due_before, paused_at, resumed_at, calendar=ctx.calendar, hours=ctx.hours)
    case.sla_paused_seconds += stopped
    case.sla_paused_at = None
    return {
        "paused_at": moment(paused_at),
        "paused_working_seconds": stopped,
        "due_before": moment(due_before),
        "due_after": moment(case.due_at),
    }


def outstanding_kinds(session: Session, case: Case) -> list[DocumentKind]:
    """Requested kinds with no document uploaded in the current supplement round yet."""
    uploaded = set(
        session.exec(
            select(Document.kind).where(Document.case_id == case.id, Document.round == case.supplement_round)
        ).all()
    )
    return [DocumentKind(k) for k in case.supplement_kinds or [] if k not in uploaded]


def _as_sentence(message: str) -> str:
    """The clerk's note as a sentence of its own inside the SMS (empty stays empty)."""
    if message and not message.endswith(_SENTENCE_END):
        return message + "。"
    return message
