"""Citizen routes: apply, upload documents, submit, follow progress, supplement, cancel, fetch files.

Thin: each route translates HTTP to a service in `server.cases` and back.
Routes are sync (FastAPI runs them in its thread pool), which is where the
CPU-bound upload inspection and the blocking database calls belong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile, status
from sqlmodel import Session

from common.schemas.applications import CancelIn, SubmitIn
from common.schemas.cases import ApplicationCreate, ApplicationOut, DocumentOut
from server.actor import Actor
from server.api.deps import CitizenDep, ContextDep, IdempotencyKeyDep
from server.cases import applications, submission, uploads
from server.cases.presenters import citizen_view, document_out
from server.context import AppContext
from server.models import Case, Document

router = APIRouter(prefix="/citizen/applications", tags=["citizen applications"])

KindField = Annotated[str, Form(max_length=40, description="材料类型,如 id_front")]


def _view(session: Session, ctx: AppContext, case: Case) -> ApplicationOut:
    """The citizen's view, with the link to the e-policy PDF when there is one."""
    policy_url = f"{ctx.settings.public_base_url.rstrip('/')}/api/v1/citizen/applications/{case.id}/policy"
    return citizen_view(session, case, ctx.catalog, policy_url=policy_url)


def file_response(content: bytes, content_type: str) -> Response:
    """Document bytes, shown inline, never sniffed into another type, kept out of shared caches."""
    return Response(
        content=content,
        media_type=content_type,
        headers={
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post("", response_model=ApplicationOut, status_code=status.HTTP_201_CREATED, summary="创建申请(草稿)")
def create_application(
    body: ApplicationCreate, ctx: ContextDep, actor: CitizenDep, response: Response, key: IdempotencyKeyDep = None
) -> ApplicationOut:
    """A new draft; a retry with the same Idempotency-Key returns the same application (200)."""
    with ctx.db.write() as session:
        case, created = applications.create_application(session, ctx, actor, body, idempotency_key=key)
        if not created:
            response.status_code = status.HTTP_200_OK
        return _view(session, ctx, case)


@router.get("", response_model=list[ApplicationOut], summary="我的申请")
def list_applications(ctx: ContextDep, actor: CitizenDep) -> list[ApplicationOut]:
    """The citizen's own applications, newest first."""
    with ctx.db.read() as session:
        return [_view(session, ctx, case) for case in applications.list_applications(session, actor)]


@router.get("/{case_id}", response_model=ApplicationOut, summary="申请详情与进度")
def get_application(case_id: int, ctx: ContextDep, actor: CitizenDep) -> ApplicationOut:
    with ctx.db.read() as session:
        return _view(session, ctx, applications.get_application(session, actor, case_id))


@router.post(
    "/{case_id}/documents", response_model=DocumentOut, status_code=status.HTTP_201_CREATED, summary="上传材料"
)
def upload_document(case_id: int, kind: KindField, file: UploadFile, ctx: ContextDep, actor: CitizenDep) -> DocumentOut:
    """One photo or PDF of a document; its type is decided by its content, never by its name."""
    return document_out(receive_upload(ctx, actor, case_id, kind=kind, file=file))


def receive_upload(ctx: AppContext, actor: Actor, case_id: int, *, kind: str, file: UploadFile) -> Document:
    """Read the upload with a hard size limit and hand it to the upload service (citizen and staff routes)."""
    data = uploads.read_limited(file.file, max_bytes=ctx.settings.max_upload_bytes)
    return uploads.upload_document(ctx, actor, case_id, kind=kind, data=data)


@router.post("/{case_id}/submit", response_model=ApplicationOut, summary="提交申请")
def submit_application(
    case_id: int, ctx: ContextDep, actor: CitizenDep, body: SubmitIn | None = None, key: IdempotencyKeyDep = None
) -> ApplicationOut:
    """Submit with the separate consent; dispatched to a window at once."""
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
        return _view(session, ctx, case)


@router.post("/{case_id}/supplement", response_model=ApplicationOut, summary="提交补充材料")
def finish_supplement(case_id: int, ctx: ContextDep, actor: CitizenDep) -> ApplicationOut:
    """After uploading the documents asked for: back to the window for review."""
    with ctx.db.write() as session:
        case = uploads.finish_supplement(session, ctx, actor, case_id)
        return _view(session, ctx, case)


@router.post("/{case_id}/cancel", response_model=ApplicationOut, summary="撤销申请")
def cancel_application(
    case_id: int, ctx: ContextDep, actor: CitizenDep, body: CancelIn | None = None
) -> ApplicationOut:
    with ctx.db.write() as session:
        case = applications.cancel_application(session, ctx, actor, case_id, version=body.version if body else None)
        return _view(session, ctx, case)


@router.get("/{case_id}/documents/{document_id}/content", summary="查看材料原件", response_class=Response)
def document_content(case_id: int, document_id: int, ctx: ContextDep, actor: CitizenDep) -> Response:
    with ctx.db.read() as session:
        document = uploads.find_document(session, actor, case_id, document_id)
    return file_response(*uploads.document_bytes(ctx, document))


@router.get("/{case_id}/documents/{document_id}/thumbnail", summary="查看材料缩略图", response_class=Response)
def document_thumbnail(case_id: int, document_id: int, ctx: ContextDep, actor: CitizenDep) -> Response:
    with ctx.db.read() as session:
        document = uploads.find_document(session, actor, case_id, document_id)
    return file_response(*uploads.document_bytes(ctx, document, thumbnail=True))


@router.get("/{case_id}/policy", summary="电子保单", response_class=Response)
def policy_pdf(case_id: int, ctx: ContextDep, actor: CitizenDep) -> Response:
    """The e-policy PDF of a completed application."""
    with ctx.db.read() as session:
        document = uploads.policy_document(session, actor, case_id)
    return file_response(*uploads.document_bytes(ctx, document))
