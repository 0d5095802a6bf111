"""Staff workflow actions on one case: POST /api/v1/staff/cases/{case_id}/<action>.

Each route validates its body (common/schemas/actions.py), runs one service
in one write transaction and answers with the fresh case detail. The rules
live in the services (server/cases/action_*.py, supplement.py). Errors:
404 outside the actor's scope, 403 wrong role, 409 stale version or wrong
status, 422 bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path

from common.schemas.actions import (
    ApproveIn,
    CallIn,
    DecideIn,
    EscalateIn,
    IssuePolicyIn,
    MoveOfflineIn,
    NoteIn,
    ReassignIn,
    RecordPaymentIn,
    RejectIn,
    RequestSupplementIn,
    VersionedIn,
)
from common.schemas.cases import CaseDetail
from server.actor import Actor
from server.api.deps import ContextDep, StaffDep
from server.cases import (
    action_contact,
    action_payment,
    action_reassign,
    action_review,
    supplement,
)
from server.cases.presenters import staff_detail
from server.context import AppContext
from server.models import Case

router = APIRouter(prefix="/staff/cases/{case_id}", tags=["staff: case actions"])

CaseId = Annotated[int, Path(ge=1, description="申请ID")]


def _run(ctx: AppContext, actor: Actor, service: Callable[..., Case], case_id: int, body: VersionedIn) -> CaseDetail:
    """One service call in one transaction; the detail is read in it, so it shows the new event."""
    with ctx.db.write() as session:
        # dict(body) is shallow: the service gets the validated enums, Decimals and datetimes.
        case = service(session, ctx=ctx, actor=actor, case_id=case_id, **dict(body))
        return staff_detail(session, case, ctx.catalog, actor, now=ctx.clock.now())


@router.post("/accept", summary="受理")
def accept(case_id: CaseId, body: VersionedIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_review.accept, case_id, body)


@router.post("/request-supplement", summary="要求补充材料(暂停计时,短信告知客户)")
def request_supplement(case_id: CaseId, body: RequestSupplementIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, supplement.request_supplement, case_id, body)


@router.post("/supplement", summary="补充材料已收到(恢复计时)")
def supplement_received(case_id: CaseId, body: VersionedIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, supplement.mark_supplement_received, case_id, body)


@router.post("/escalate", summary="提交上级审批")
def escalate(case_id: CaseId, body: EscalateIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_review.escalate, case_id, body)


@router.post("/decide", summary="上级审批通过(不同意请用退回)")
def decide(case_id: CaseId, body: DecideIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_review.decide, case_id, body)


@router.post("/approve", summary="审核通过,发送缴费链接")
def approve(case_id: CaseId, body: ApproveIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_payment.approve, case_id, body)


@router.post("/record-payment", summary="确认缴费")
def record_payment(case_id: CaseId, body: RecordPaymentIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_payment.record_payment, case_id, body)


@router.post("/issue-policy", summary="出具电子保单(链接或已上传的PDF,二选一)")
def issue_policy(case_id: CaseId, body: IssuePolicyIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_payment.issue_policy, case_id, body)


@router.post("/move-offline", summary="转线下办理")
def move_offline(case_id: CaseId, body: MoveOfflineIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_review.move_offline, case_id, body)


@router.post("/reject", summary="退回(须填写原因)")
def reject(case_id: CaseId, body: RejectIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_review.reject, case_id, body)


@router.post("/reassign", summary="改派给本区县的另一成员机构(市级协调员)")
def reassign(case_id: CaseId, body: ReassignIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    """Move the case to another member's window in its county; the coordinator's action.

    A clerk or supervisor gets 403 here, not the 404 of the /coordinator
    endpoints: this is one of the case's workflow actions, checked like the
    others (a clerk calling `decide` gets 403 too), and it is refused only for
    cases the caller can already see; a case outside their scope is 404 as
    always. A 404 would hide nothing: the case, its history and the action
    itself are already known to them, and 403 says plainly "not your role".
    """
    return _run(ctx, actor, action_reassign.reassign, case_id, body)


@router.post("/calls", status_code=201, summary="记录一次电话联系")
def log_call(case_id: CaseId, body: CallIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_contact.log_call, case_id, body)


@router.post("/notes", status_code=201, summary="添加内部备注")
def add_note(case_id: CaseId, body: NoteIn, ctx: ContextDep, actor: StaffDep) -> CaseDetail:
    return _run(ctx, actor, action_contact.add_note, case_id, body)
