"""Staff routes for the counter: enter a walk-in customer's case, upload documents, submit.

The same services as the citizen's routes, so a counter case goes through the
same checks, the same document list and the same dispatch ("一窗采集、分类受理").
"""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile, status

from common.schemas.applications import SubmitIn
from common.schemas.cases import CaseDetail, DocumentOut, IntakeCreate
from server.api.applications import KindField, receive_upload
from server.api.deps import ContextDep, IdempotencyKeyDep, StaffDep
from server.cases import applications, submission
from server.cases.presenters import document_out, staff_detail

router = APIRouter(prefix="/staff", tags=["staff intake"])


@router.post("/intake", response_model=CaseDetail, status_code=status.HTTP_201_CREATED, summary="窗口受理录入")
def create_intake(
    body: IntakeCreate, ctx: ContextDep, actor: StaffDep, response: Response, key: IdempotencyKeyDep = None
) -> CaseDetail:
    """A counter draft of any vehicle category; a clerk only for their own county."""
    with ctx.db.write() as session:
        case, created = applications.create_application(session, ctx, actor, body, idempotency_key=key)
        if not created:
            response.status_code = status.HTTP_200_OK
        return staff_detail(session, case, ctx.catalog, actor, now=ctx.clock.now())


@router.post(
    "/cases/{case_id}/documents", response_model=DocumentOut, status_code=status.HTTP_201_CREATED, summary="上传材料"
)
def upload_document(case_id: int, kind: KindField, file: UploadFile, ctx: ContextDep, actor: StaffDep) -> DocumentOut:
    """Scans for an own counter draft, a supplement on the customer's behalf, or the e-policy PDF."""
    return document_out(receive_upload(ctx, actor, case_id, kind=kind, file=file))


@router.post("/cases/{case_id}/submit", response_model=CaseDetail, summary="提交窗口受理的申请")
def submit_intake(
    case_id: int, ctx: ContextDep, actor: StaffDep, body: SubmitIn | None = None, key: IdempotencyKeyDep = None
) -> CaseDetail:
    """Submit with the customer's signed consent; dispatched at once.

    The detail is computed before the transaction ends: when another member
    took the case the clerk still sees who (member_name), though the case
    leaves their scope from now on.
    """
    consent = body or SubmitIn()
    with ctx.db.write() as session:
        case, _ = submission.submit_case(
            session,
            ctx,
            actor,
            case_id,
            consent=consent.consent,
            consent_version=consent.consent_version,
            idempotency_key=key,
        )
        return staff_detail(session, case, ctx.catalog, actor, now=ctx.clock.now())
