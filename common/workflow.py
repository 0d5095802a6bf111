"""The case workflow: which action moves a case from which status to which, and who may do it.

This table is the one source of truth: the server enforces it, the desktop
reads it to enable its buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.enums import OPEN_STATUSES, Action, CaseStatus, Role

S = CaseStatus
_STAFF_HANDLERS = frozenset({Role.CLERK, Role.SUPERVISOR})


@dataclass(frozen=True)
class Transition:
    """One row of the workflow table. `target` None means the status stays as it is."""

    action: Action
    sources: frozenset[CaseStatus]
    target: CaseStatus | None
    roles: frozenset[Role]


_OPEN_EXCEPT_SUBMITTED = OPEN_STATUSES - {S.SUBMITTED}
_BEFORE_PAYMENT = frozenset(
    {S.SUBMITTED, S.ASSIGNED, S.REVIEWING, S.SUPPLEMENT_REQUESTED, S.ESCALATED, S.AWAITING_PAYMENT}
)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.SUBMIT, frozenset({S.DRAFT}), S.SUBMITTED, frozenset({Role.CITIZEN, Role.CLERK, Role.SUPERVISOR})
        ),
        # Dispatch leaves the case `submitted` when no member is available (unassigned queue).
        Transition(Action.DISPATCH, frozenset({S.SUBMITTED}), S.ASSIGNED, frozenset({Role.SYSTEM})),
        Transition(Action.ACCEPT, frozenset({S.ASSIGNED}), S.REVIEWING, _STAFF_HANDLERS),
        Transition(Action.REQUEST_SUPPLEMENT, frozenset({S.REVIEWING}), S.SUPPLEMENT_REQUESTED, _STAFF_HANDLERS),
        Transition(
            Action.SUPPLEMENT,
            frozenset({S.SUPPLEMENT_REQUESTED}),
            S.REVIEWING,
            frozenset({Role.CITIZEN, Role.CLERK, Role.SUPERVISOR}),
        ),
        Transition(Action.ESCALATE, frozenset({S.REVIEWING}), S.ESCALATED, _STAFF_HANDLERS),
        Transition(Action.DECIDE, frozenset({S.ESCALATED}), S.REVIEWING, frozenset({Role.SUPERVISOR})),
        Transition(Action.APPROVE, frozenset({S.REVIEWING, S.OFFLINE}), S.AWAITING_PAYMENT, _STAFF_HANDLERS),
        Transition(Action.RECORD_PAYMENT, frozenset({S.AWAITING_PAYMENT, S.OFFLINE}), S.PAID, _STAFF_HANDLERS),
        Transition(Action.ISSUE_POLICY, frozenset({S.PAID, S.OFFLINE}), S.COMPLETED, _STAFF_HANDLERS),
        Transition(Action.MOVE_OFFLINE, frozenset({S.REVIEWING, S.AWAITING_PAYMENT}), S.OFFLINE, _STAFF_HANDLERS),
        Transition(
            Action.REJECT, OPEN_STATUSES, S.REJECTED, frozenset({Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR})
        ),
        Transition(Action.CANCEL, _BEFORE_PAYMENT | {S.DRAFT}, S.CANCELLED, frozenset({Role.CITIZEN})),
        Transition(Action.REASSIGN, OPEN_STATUSES, S.ASSIGNED, frozenset({Role.COORDINATOR})),
        Transition(
            Action.CALL, OPEN_STATUSES | {S.COMPLETED}, None, frozenset({Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR})
        ),
        Transition(
            Action.NOTE,
            OPEN_STATUSES | {S.COMPLETED, S.REJECTED, S.CANCELLED},
            None,
            frozenset({Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR}),
        ),
    )
}

# Actions a staff member triggers on a case from its detail view.
STAFF_CASE_ACTIONS: tuple[Action, ...] = (
    Action.ACCEPT,
    Action.REQUEST_SUPPLEMENT,
    Action.SUPPLEMENT,
    Action.ESCALATE,
    Action.DECIDE,
    Action.APPROVE,
    Action.RECORD_PAYMENT,
    Action.ISSUE_POLICY,
    Action.MOVE_OFFLINE,
    Action.REJECT,
    Action.REASSIGN,
    Action.CALL,
    Action.NOTE,
)


class TransitionRefused(Exception):
    """The action is not allowed: wrong status (`kind='status'`) or wrong role (`kind='role'`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def is_allowed(action: Action, status: CaseStatus, role: Role) -> bool:
    """Whether `role` may perform `action` on a case in `status`."""
    t = TRANSITIONS.get(action)
    return t is not None and status in t.sources and role in t.roles


def allowed_actions(status: CaseStatus, role: Role) -> list[Action]:
    """The staff actions `role` may take on a case in `status`, in display order."""
    return [a for a in STAFF_CASE_ACTIONS if is_allowed(a, status, role)]


def next_status(action: Action, status: CaseStatus, role: Role) -> CaseStatus:
    """The status after `action`, or TransitionRefused with a Chinese message."""
    t = TRANSITIONS[action]
    if role not in t.roles:
        raise TransitionRefused("role", f"您的角色({role.label})不能执行“{action.label}”")
    if status not in t.sources:
        raise TransitionRefused("status", f"该申请当前状态为“{status.label}”,不能执行“{action.label}”")
    return t.target if t.target is not None else status
