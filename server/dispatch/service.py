"""Dispatching a submitted case to a pool member's window, with the round-robin state in the database.

:func:`dispatch_case` runs inside the submitter's write transaction: it reads
the county's branches, locks the smooth-weighted-round-robin state of the
case's county and vehicle category, lets :func:`server.dispatch.rule.choose`
pick, writes the state back and records the decision, the event and the SMS.
Because the state is read under a lock and written in the same transaction,
two submissions at the same moment are dispatched one after the other and no
step of the round robin is lost.

Lock order, the same on every path so that two transactions never each hold
what the other waits for (PostgreSQL would abort one with a deadlock; SQLite
write transactions are exclusive and never get that far):

1. the event chain head (``record`` appends an event; the submitter has
   usually appended its own event, and so holds the head, before calling us);
2. the ``dispatch_weight`` rows of the county and category, in branch order;
3. waiting case rows, and only with SKIP LOCKED (see :func:`redispatch_unassigned`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from common.enums import Action, CaseStatus
from server.actor import SYSTEM
from server.cases.history import record
from server.context import AppContext
from server.dispatch.rule import (
    RULE_NO_MEMBER_AVAILABLE,
    RULE_STICKY_VEHICLE,
    Candidate,
    Decision,
    choose,
)
from server.errors import Conflict
from server.models import (
    Branch,
    Case,
    ChainHead,
    DispatchDecision,
    DispatchWeight,
    Member,
)

log = logging.getLogger(__name__)

WEIGHT_KEY_COLUMNS = ("county_code", "category", "branch_id")


@dataclass(frozen=True)
class Window:
    """A member's branch in the case's county, as a dispatch candidate."""

    branch: Branch
    member: Member

    @property
    def key(self) -> str:
        """The candidate key handed to the rule: the branch id."""
        return str(self.branch.id)


def dispatch_case(session: Session, ctx: AppContext, case: Case) -> DispatchDecision:
    """Assign a just-submitted case to a member's window in its county, or queue it.

    Call inside the write transaction that made the case ``submitted``. With a
    member chosen the case becomes ``assigned`` and the applicant gets the
    "assigned" SMS; with nobody available it stays ``submitted`` (the
    coordinator's unassigned queue). Either way a :class:`DispatchDecision`
    and a DISPATCH event are written. Raises :class:`Conflict` when the case is
    not waiting for dispatch.
    """
    if case.status != CaseStatus.SUBMITTED.value:
        raise Conflict(f"申请{case.number}当前状态为“{_status_label(case.status)}”,不能分派")
    if case.id is None:
        session.flush()  # the sticky-vehicle query must be able to exclude this case
    now = ctx.clock.now()

    lock_event_chain(session)
    windows = _county_windows(session, case.county_code)
    states = _locked_states(session, case.county_code, case.category, [w.branch.id for w in windows.values()])
    previous_member = _last_member_of_vehicle(session, case)
    sticky_key = next((key for key, w in windows.items() if w.member.code == previous_member), None)

    candidates = [
        Candidate(key, w.branch.weight, w.branch.available, states[w.branch.id].current_weight)
        for key, w in windows.items()
    ]
    outcome = choose(candidates, sticky_key=sticky_key)
    for key, current in outcome.new_weights.items():
        states[int(key)].current_weight = current
        session.add(states[int(key)])

    chosen = windows[outcome.chosen] if outcome.chosen is not None else None
    reason = _reason_zh(outcome, windows, previous_name=_member_name(session, previous_member, windows))
    decision = DispatchDecision(
        case_id=case.id,
        rule=outcome.rule,
        member_code=chosen.member.code if chosen else None,
        branch_id=chosen.branch.id if chosen else None,
        figures=_figures(outcome, windows, case=case, previous_member=previous_member),
        reason=reason,
        created_at=now,
    )
    session.add(decision)

    if chosen is not None:
        case.member_code = chosen.member.code
        case.branch_id = chosen.branch.id
        case.status = CaseStatus.ASSIGNED.value
        case.dispatched_at = now
    record(
        session,
        case,
        Action.DISPATCH,
        SYSTEM,
        now=now,
        payload={"rule": outcome.rule, "member_code": decision.member_code, "reason": reason},
    )
    if chosen is not None:
        ctx.sms.send(
            session,
            phone=case.owner_phone,
            template="assigned",
            params={"number": case.number, "member": chosen.member.short, "window_phone": chosen.branch.window_phone},
            now=now,
            case_id=case.id,
        )
    session.flush()
    log.info("case %s dispatched rule=%s member=%s", case.number, outcome.rule, decision.member_code)
    return decision


def waiting_for_a_window() -> Any:
    """A SQL condition selecting the cases waiting for a window: the coordinator's unassigned queue.

    Submitted, and no member holds it: `dispatch_case` found no window available
    in its county. The one definition for the board, the pool settings page and redispatch.
    """
    return and_(Case.status == CaseStatus.SUBMITTED.value, col(Case.member_code).is_(None))


def unassigned_cases(session: Session, *, county_code: str | None = None) -> list[Case]:
    """The coordinator's unassigned queue (`waiting_for_a_window`), oldest first."""
    query = select(Case).where(waiting_for_a_window())
    if county_code is not None:
        query = query.where(Case.county_code == county_code)
    return list(session.exec(query.order_by(col(Case.submitted_at), col(Case.id))).all())


def redispatch_unassigned(
    session: Session, ctx: AppContext, *, county_code: str | None = None
) -> list[DispatchDecision]:
    """Dispatch the waiting cases (of one county, or all), oldest first; the decisions made.

    Call after a branch becomes available again. Cases in counties that still
    have no available branch are left alone, so running this often does not
    pile up "nobody available" decisions and events on them.
    """
    lock_event_chain(session)
    open_counties = select(Branch.county_code).where(col(Branch.available).is_(True))
    query = select(Case).where(waiting_for_a_window(), col(Case.county_code).in_(open_counties))
    if county_code is not None:
        query = query.where(Case.county_code == county_code)
    # SKIP LOCKED: a waiting case someone else holds (a coordinator assigning
    # it by hand, a concurrent redispatch) is theirs to finish; waiting for it
    # while holding the chain head would invert the lock order.
    query = (
        query.order_by(col(Case.submitted_at), col(Case.id))
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return [dispatch_case(session, ctx, case) for case in session.exec(query).all()]


def lock_event_chain(session: Session) -> None:
    """Take the event chain head's row lock now rather than inside ``record``.

    ``record`` would take it anyway before this transaction commits; taking it
    before the dispatch state keeps the lock order in the module docstring.
    """
    session.exec(select(ChainHead.id).where(ChainHead.id == 1).with_for_update()).first()


def _county_windows(session: Session, county_code: str) -> dict[str, Window]:
    """Every branch of the county with its member, keyed by branch id."""
    rows = session.exec(
        select(Branch, Member)
        .join(Member, col(Member.code) == col(Branch.member_code))
        .where(Branch.county_code == county_code)
        .order_by(col(Branch.id))
        # Availability and weight as committed now, not as this session may have cached them.
        .execution_options(populate_existing=True)
    ).all()
    windows = [Window(branch, member) for branch, member in rows]
    return {window.key: window for window in windows}


def _locked_states(
    session: Session, county_code: str, category: str, branch_ids: list[int | None]
) -> dict[int, DispatchWeight]:
    """The round-robin rows of the county and category, locked, created at 0 where missing."""
    states = _select_states(session, county_code, category)
    missing = sorted({b for b in branch_ids if b is not None} - states.keys())
    if missing:
        # A new branch (or the first case of this county and category). Two
        # submitters may both get here: ON CONFLICT lets the second one wait
        # for the first and then find the row instead of failing.
        rows = [
            {"county_code": county_code, "category": category, "branch_id": branch_id, "current_weight": 0}
            for branch_id in missing
        ]
        session.exec(_insert_ignoring_existing(session), params=rows)
        states = _select_states(session, county_code, category)
    return states


def _select_states(session: Session, county_code: str, category: str) -> dict[int, DispatchWeight]:
    rows = session.exec(
        select(DispatchWeight)
        .where(DispatchWeight.county_code == county_code, DispatchWeight.category == category)
        # Lock in one order everywhere so two dispatches cannot lock crosswise.
        .order_by(col(DispatchWeight.branch_id))
        .with_for_update()
        # What the lock protects is the committed value; refresh any copy in the session.
        .execution_options(populate_existing=True)
    ).all()
    return {row.branch_id: row for row in rows}


def _insert_ignoring_existing(session: Session) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the state's unique key, in the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(DispatchWeight).on_conflict_do_nothing(index_elements=list(WEIGHT_KEY_COLUMNS))
    if dialect == "sqlite":
        return sqlite.insert(DispatchWeight).on_conflict_do_nothing(index_elements=list(WEIGHT_KEY_COLUMNS))
    # Other engines are not supported for production; a plain insert is correct for a single writer.
    return insert(DispatchWeight)


def _last_member_of_vehicle(session: Session, case: Case) -> str | None:
    """The member that last had this vehicle (same VIN) in another case, if any."""
    # Cases a clerk entered with a member already set may lack dispatched_at;
    # coalesce keeps them in time order instead of letting NULLs sort by dialect.
    when = func.coalesce(Case.dispatched_at, Case.submitted_at, Case.created_at)
    return session.exec(
        select(Case.member_code)
        .where(Case.vin == case.vin, Case.id != case.id, col(Case.member_code).is_not(None))
        .order_by(when.desc(), col(Case.id).desc())
        .limit(1)
    ).first()


def _member_name(session: Session, member_code: str | None, windows: dict[str, Window]) -> str | None:
    """A member's short name; looked up only if it has no branch in this county."""
    if member_code is None:
        return None
    known = next((w.member.short for w in windows.values() if w.member.code == member_code), None)
    member = session.get(Member, member_code) if known is None else None
    return known or (member.short if member else member_code)


def _reason_zh(outcome: Decision, windows: dict[str, Window], *, previous_name: str | None) -> str:
    """The one line the coordinator and the clerk read: which rule, which member, in member names."""
    if outcome.rule == RULE_STICKY_VEHICLE:
        return f"同一车辆(车架号)上次由{windows[outcome.chosen or ''].member.short}承保,回到原机构"
    prefix = ""
    if previous_name is not None:
        if outcome.figures.get("sticky_fallback") == "unavailable":
            prefix = f"同一车辆(车架号)上次由{previous_name}承保,该机构本区县窗口暂停接单;"
        elif outcome.figures.get("sticky_key") is None:
            prefix = f"同一车辆(车架号)上次由{previous_name}承保,该机构在本区县无窗口;"
    if outcome.rule == RULE_NO_MEMBER_AVAILABLE:
        return f"{prefix}该区县暂无可接单的成员机构,进入待分派队列"
    chosen = windows[outcome.chosen or ""]
    share = f"本类车辆权重{chosen.branch.weight}/{outcome.figures['total']}"
    return f"{prefix}按权重轮转分派给{chosen.member.short}({share})"


def _figures(
    outcome: Decision, windows: dict[str, Window], *, case: Case, previous_member: str | None
) -> dict[str, Any]:
    """The rule's figures (keyed by branch id) with who each branch is, for the record."""
    return {
        "county_code": case.county_code,
        "category": case.category,
        "previous_member_code": previous_member,
        "branches": {
            key: {
                "member_code": w.member.code,
                "member": w.member.short,
                "weight": w.branch.weight,
                "available": w.branch.available,
            }
            for key, w in windows.items()
        },
        **outcome.figures,
    }


def _status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status
