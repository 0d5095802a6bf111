"""The city coordinator moves a case to another pool member's window in the same county."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.enums import Action
from server.actor import Actor
from server.cases.actions import Change, Sms, perform
from server.cases.supplement import restart_clock
from server.context import AppContext
from server.errors import BadInput
from server.models import Case, Member
from server.pool import branch_of


def reassign(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    member_code: str,
    reason: str,
) -> Case:
    """Assign the case to `member_code`'s window in the case's county; the deadline stays as it is.

    The event names the previous member, so that member's desktops see the
    case leave their queue. The new window starts afresh: no handler yet,
    and a running supplement pause ends (the case is `assigned` now, no
    longer awaiting the customer; the new window asks again if it needs to).
    The customer is told the new insurer and window phone, as on dispatch.
    """

    def move(case: Case, now: datetime) -> Change:
        member = session.get(Member, member_code)
        if member is None:
            raise BadInput(f"没有代码为“{member_code}”的成员机构")
        if member_code == case.member_code:
            raise BadInput(f"该申请已由{member.short}承办,无需改派")
        branch = branch_of(session, member_code, case.county_code)
        if branch is None:
            county = ctx.catalog.county_names.get(case.county_code, case.county_code)
            raise BadInput(f"{member.short}在{county}没有窗口,不能改派")
        previous = case.member_code
        case.member_code = member_code
        case.branch_id = branch.id
        case.handler_user_id = None
        case.dispatched_at = case.dispatched_at or now
        clock = restart_clock(case, now, ctx=ctx)
        return Change(
            payload={"reason": reason, "from_member_code": previous, "to_member_code": member_code, **clock},
            previous_member_code=previous,
            sms=Sms("assigned", {"number": case.number, "member": member.short, "window_phone": branch.window_phone}),
        )

    return perform(session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.REASSIGN, change=move)
