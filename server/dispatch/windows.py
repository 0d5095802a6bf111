"""The coordinator's pool settings: each member's window in a county, switched on or off, weighted, renumbered.

A change takes effect for the very next dispatch: :func:`set_window` changes
the branch inside the same lock order as :mod:`server.dispatch.service`
(event chain head first, then the branch, then the round-robin state), so a
dispatch either runs wholly before the change or wholly after it. Every
change writes one SET_BRANCH event (who, when, the settings before and
after) and nothing else; a window that comes back on then takes the
county's waiting cases at once, oldest first, each with its own DISPATCH
event and SMS as on submission.

What a weight change does to the stored round-robin state
---------------------------------------------------------
The state of a county and category is ``current_i = n*w_i - count_i*W``:
how far member i is behind its share, in units of 1/W case, accumulated
under the weights of the time. Under new weights those numbers mean
nothing (a unit of 1/W is another size, and "its share" another fraction),
and carrying them over lets the old debts skew the new split for a long
while. So a weight change resets the state of every category of the county
to zero (as :func:`server.dispatch.rule.reset_weights` prescribes): from
the change onward the rule runs from a clean start, which is exactly the
case its "every member within one case of its share, at every step" bound
is proven for, now with the new weights. The cost is forgetting what each
member was owed at the moment of the change, less than one case each.
Switching a window on or off keeps the state (as the rule says): who is
owed a case stays owed, and an unavailable window's state is not touched.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from common.enums import Action
from common.schemas.pool import (
    AVAILABLE_LABELS,
    FIELD_LABELS,
    FieldChange,
    PoolChangeRow,
    PoolCounty,
    PoolWindow,
    WindowChangeIn,
    WindowChangeOut,
)
from common.validators import mask_landline
from server.actor import Actor
from server.cases.history import record_pool_change
from server.context import AppContext
from server.dispatch.service import (
    lock_event_chain,
    redispatch_unassigned,
    waiting_for_a_window,
)
from server.errors import NotFound
from server.models import Branch, Case, County, DispatchWeight, Event, Member

log = logging.getLogger(__name__)

# The settings a coordinator may change, in the order they are reported.
SETTINGS = ("available", "weight", "window_phone")
DEFAULT_HISTORY = 100
MAX_HISTORY = 500


def county_windows(session: Session, *, county_code: str) -> PoolCounty:
    """The county's windows in member order, each with who last changed it; and its waiting-case count."""
    county = _county(session, county_code)
    rows = session.exec(
        select(Branch, Member)
        .join(Member, col(Member.code) == col(Branch.member_code))
        .where(Branch.county_code == county_code)
        .order_by(col(Branch.id))
    ).all()
    last = _last_changes(session, county_code)
    windows = [_window(branch, member, last.get(member.code)) for branch, member in rows]
    return PoolCounty(
        county_code=county.code,
        county=county.name,
        windows=windows,
        unassigned=_waiting(session, county_code),
    )


def set_window(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    *,
    county_code: str,
    member_code: str,
    change: WindowChangeIn,
) -> WindowChangeOut:
    """Apply the coordinator's change to a member's window in a county, for the next dispatch on.

    Settings equal to the current ones are not changes; a request that
    changes nothing writes nothing and returns the window as it is. Raises
    :class:`NotFound` for an unknown county or member, or a member without a
    window in the county.
    """
    county = _county(session, county_code)
    member = session.get(Member, member_code)
    if member is None:
        raise NotFound(f"没有代码为“{member_code}”的成员机构")

    # Lock order as in dispatch: the chain head (we append an event), then
    # the branch, then the round-robin state. A dispatch waits at the chain
    # head until this change is committed and then reads the new settings.
    lock_event_chain(session)
    branch = session.exec(
        select(Branch)
        .where(Branch.member_code == member_code, Branch.county_code == county_code)
        # FOR NO KEY UPDATE on PostgreSQL: the settings are not the key, so inserts that merely
        # refer to the branch (a case, a dispatch state row) need not wait for this change.
        .with_for_update(key_share=True)
        # The committed settings, not a copy this session may hold from before the lock.
        .execution_options(populate_existing=True)
    ).first()
    if branch is None:
        raise NotFound(f"{member.short}在{county.name}没有窗口")

    wanted = change.model_dump(exclude_none=True)
    before = {
        name: getattr(branch, name) for name in SETTINGS if name in wanted and getattr(branch, name) != wanted[name]
    }
    after = {name: wanted[name] for name in before}
    if not after:
        return WindowChangeOut(
            window=_window(branch, member, _last_changes(session, county_code).get(member_code)),
            changes=[],
            dispatched=[],
        )

    for name, value in after.items():
        setattr(branch, name, value)
    session.add(branch)
    if "weight" in after:
        _restart_round_robin(session, county_code)
    session.flush()  # dispatch below reads the branch from the database

    now = ctx.clock.now()
    payload = {
        "member_code": member_code,
        "county_code": county_code,
        "before": _recorded(before),
        "after": _recorded(after),
    }
    event = record_pool_change(
        session,
        Action.SET_BRANCH,
        actor,
        now=now,
        payload=payload,
        member_code=member_code,
        county_code=county_code,
    )
    log.info(
        "window %s/%s changed: %s by user %s",
        county_code,
        member_code,
        sorted(after),
        actor.user_id,
    )

    dispatched: list[str] = []
    if before.get("available") is False and after.get("available") is True:
        # Back on: the county's waiting cases go out now, oldest first, not at the next submission.
        for decision in redispatch_unassigned(session, ctx, county_code=county_code):
            if decision.member_code is not None:
                case = session.get(Case, decision.case_id)
                dispatched.append(case.number if case else str(decision.case_id))
    return WindowChangeOut(
        window=_window(branch, member, event),
        changes=_changes(payload),
        dispatched=dispatched,
    )


def window_history(session: Session, *, county_code: str, limit: int = DEFAULT_HISTORY) -> list[PoolChangeRow]:
    """The recorded changes to the county's windows, newest first: who, when, what before and after."""
    _county(session, county_code)
    events = session.exec(
        select(Event)
        .where(Event.action == Action.SET_BRANCH.value, Event.county_code == county_code)
        .order_by(col(Event.seq).desc())
        .limit(min(max(limit, 1), MAX_HISTORY))
    ).all()
    names = {member.code: member.short for member in session.exec(select(Member)).all()}
    return [
        PoolChangeRow(
            seq=event.seq,
            created_at=event.created_at,
            actor_label=event.actor_label,
            member_code=event.member_code or "",
            member=names.get(event.member_code or "", event.member_code or ""),
            changes=_changes(event.payload),
        )
        for event in events
    ]


def _county(session: Session, county_code: str) -> County:
    county = session.get(County, county_code)
    if county is None:
        raise NotFound(f"没有代码为“{county_code}”的区县")
    return county


def _restart_round_robin(session: Session, county_code: str) -> None:
    """Zero the county's round-robin state in every category: the new weights start clean (module docstring)."""
    session.exec(update(DispatchWeight).where(col(DispatchWeight.county_code) == county_code).values(current_weight=0))


def _recorded(values: dict[str, Any]) -> dict[str, Any]:
    """Settings as the event keeps them: the phone masked, the rest as they are."""
    return {name: mask_landline(value) if name == "window_phone" else value for name, value in values.items()}


def _changes(payload: dict[str, Any]) -> list[FieldChange]:
    """An event's before/after as display text, in the settings' order."""
    before, after = payload.get("before") or {}, payload.get("after") or {}
    return [
        FieldChange(
            field=name,
            label=FIELD_LABELS[name],
            before=_shown(name, before.get(name)),
            after=_shown(name, after[name]),
        )
        for name in SETTINGS
        if name in after
    ]


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "available":
        return AVAILABLE_LABELS[bool(value)]
    return str(value)


def _last_changes(session: Session, county_code: str) -> dict[str, Event]:
    """The newest SET_BRANCH event per member of the county."""
    newest = (
        select(func.max(Event.seq))
        .where(Event.action == Action.SET_BRANCH.value, Event.county_code == county_code)
        .group_by(col(Event.member_code))
    )
    events = session.exec(select(Event).where(col(Event.seq).in_(newest))).all()
    return {event.member_code: event for event in events if event.member_code}


def _window(branch: Branch, member: Member, last: Event | None) -> PoolWindow:
    assert branch.id is not None
    return PoolWindow(
        branch_id=branch.id,
        member_code=member.code,
        member=member.short,
        county_code=branch.county_code,
        window_phone=branch.window_phone,
        available=branch.available,
        weight=branch.weight,
        changed_by=last.actor_label if last else None,
        changed_at=last.created_at if last else None,
    )


def _waiting(session: Session, county_code: str) -> int:
    """Cases of the county waiting for a window (the coordinator's unassigned queue)."""
    return session.exec(
        select(func.count()).select_from(Case).where(waiting_for_a_window(), Case.county_code == county_code)
    ).one()
