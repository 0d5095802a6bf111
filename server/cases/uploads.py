"""Documents of a case: attach an upload (citizen or staff), read it back, finish a supplement round.

An upload goes through four steps, in this order so that a refused file
leaves nothing behind:

1. the case, its status and the document kind are checked (a read);
2. the bytes are inspected by content (`inspect_upload`): type, integrity,
   metadata stripped (no GPS from phone photos), thumbnail made;
3. only then are the sanitised bytes and the thumbnail stored;
4. the Document row and its event are written, re-checking the case under a lock.

The file name and the declared content type are never used nor stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import or_
from sqlmodel import Session, select

from common.enums import Action, BusinessType, CaseStatus, Channel, DocumentKind, Role
from common.workflow import is_allowed
from server.actor import Actor
from server.cases.history import record
from server.cases.scope import load_case
from server.cases.supplement import complete_supplement, outstanding_kinds
from server.context import AppContext
from server.documents import DocumentCorrupted, DocumentNotFound, InspectedFile, UploadRejected, inspect_upload
from server.errors import BadInput, Conflict, DomainError, Forbidden, NotFound, PayloadTooLarge, UnsupportedMedia
from server.models import Case, Document

log = logging.getLogger(__name__)

_READ_CHUNK = 1024 * 1024
_PDF = "application/pdf"
THUMBNAIL_CONTENT_TYPE = "image/jpeg"

# UploadRejected.reason → how the refusal is answered; anything else is 422.
_REFUSAL_ERRORS: dict[str, type[DomainError]] = {"unsupported_type": UnsupportedMedia, "too_large": PayloadTooLarge}


class DocumentUnavailable(DomainError):
    """The stored bytes are missing or damaged: an operations problem, not the caller's."""

    status_code = 500
    code = "document_unavailable"


@dataclass(frozen=True)
class StoredUpload:
    """An inspected upload whose bytes and thumbnail are in the store."""

    inspected: InspectedFile
    storage_key: str
    thumbnail_key: str


def too_large_message(max_bytes: int) -> str:
    """The same wording as the inspection's own refusal."""
    return f"文件超过 {max_bytes / (1024 * 1024):g} MB,请压缩后重新上传"


def read_limited(stream: BinaryIO, *, max_bytes: int) -> bytes:
    """Read an upload, stopping as soon as it is known to exceed `max_bytes` (413)."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(_READ_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise PayloadTooLarge(too_large_message(max_bytes))
    return b"".join(chunks)


def parse_kind(value: str) -> DocumentKind:
    """The document kind a client named, or 422."""
    try:
        return DocumentKind(value.strip())
    except ValueError:
        raise BadInput("材料类型不正确,请按页面提示选择要上传的材料", details={"field": "kind"}) from None


def _case_kinds(case: Case, ctx: AppContext) -> list[DocumentKind]:
    """The kinds an applicant's material may be: the business type's list, plus `other`."""
    return [*ctx.catalog.required_for(BusinessType(case.business_type)), DocumentKind.OTHER]


def check_upload_allowed(case: Case, ctx: AppContext, actor: Actor, kind: DocumentKind) -> None:
    """Whether `actor` may add a document of `kind` to `case` now; raises the reason otherwise."""
    status = CaseStatus(case.status)
    if kind is DocumentKind.E_POLICY:
        if actor.role is Role.CITIZEN:
            raise BadInput("电子保单由承办窗口上传,请选择其他材料类型", details={"field": "kind"})
        if status not in (CaseStatus.PAID, CaseStatus.OFFLINE):
            raise Conflict(f"该申请当前状态为“{status.label}”,缴费确认后才能上传电子保单")
        if not is_allowed(Action.ISSUE_POLICY, status, actor.role):
            raise Forbidden(f"您的角色({actor.role.label})不能上传电子保单")
        return
    if kind not in _case_kinds(case, ctx):
        names = "、".join(k.label for k in _case_kinds(case, ctx))
        raise BadInput(
            f"{BusinessType(case.business_type).label}不需要该材料,可上传:{names}", details={"field": "kind"}
        )
    if status is CaseStatus.DRAFT:
        if actor.role is not Role.CITIZEN and not (
            case.channel == Channel.COUNTER.value and case.created_by_user_id == actor.user_id
        ):
            # A coordinator sees citizens' drafts, but the material is theirs to provide.
            raise Forbidden("只能为自己在窗口录入的申请上传材料")
        return
    if status is CaseStatus.SUPPLEMENT_REQUESTED:
        if not is_allowed(Action.SUPPLEMENT, status, actor.role):
            raise Forbidden(f"您的角色({actor.role.label})不能代为补充材料")
        return
    raise Conflict(f"该申请当前状态为“{status.label}”,不能上传材料")


def inspect_content(data: bytes, *, max_bytes: int) -> InspectedFile:
    """Decide the file's type by its content; the refusal as a DomainError with its Chinese message.

    CPU-bound: call it from a worker thread (a sync route), never on the event loop.
    """
    try:
        return inspect_upload(data, max_bytes=max_bytes)
    except UploadRejected as rejected:
        error = _REFUSAL_ERRORS.get(rejected.reason, BadInput)
        raise error(rejected.message_zh, code=rejected.reason) from None


def attach_document(
    session: Session, ctx: AppContext, actor: Actor, case_id: int, *, kind: DocumentKind, stored: StoredUpload
) -> Document:
    """Write the Document row and its event (case locked and re-checked: it may have moved on meanwhile)."""
    now = ctx.clock.now()
    case = load_case(session, actor, case_id, for_update=True)
    check_upload_allowed(case, ctx, actor, kind)
    inspected = stored.inspected
    document = Document(
        case_id=case.id or 0,
        kind=kind.value,
        round=case.supplement_round,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        storage_key=stored.storage_key,
        thumbnail_key=stored.thumbnail_key,
        width=inspected.width,
        height=inspected.height,
        pages=inspected.pages,
        uploaded_by_role=actor.role.value,
        uploaded_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(document)
    session.flush()
    record(
        session,
        case,
        Action.UPLOAD_DOCUMENT,
        actor,
        now=now,
        payload={"kind": kind.value, "round": document.round, "document_id": document.id},
    )
    log.info("document %s attached to case %s: kind=%s round=%s", document.id, case.id, kind.value, document.round)
    return document


def upload_document(ctx: AppContext, actor: Actor, case_id: int, *, kind: str, data: bytes) -> Document:
    """The whole upload: check, inspect, store, record (see the module docstring).

    Unlike the other services this one opens its own sessions: the slow
    inspection and the file writes must not run inside a write transaction
    (on SQLite that would hold the database's write lock meanwhile).
    """
    document_kind = parse_kind(kind)
    with ctx.db.read() as session:
        check_upload_allowed(load_case(session, actor, case_id), ctx, actor, document_kind)
    inspected = inspect_content(data, max_bytes=ctx.settings.max_upload_bytes)
    if document_kind is DocumentKind.E_POLICY and inspected.content_type != _PDF:
        raise UnsupportedMedia("电子保单须为 PDF 文件,请上传保险公司出具的 PDF 保单")
    stored = StoredUpload(
        inspected=inspected,
        storage_key=ctx.store.put(inspected.content, suffix=inspected.extension),
        thumbnail_key=ctx.store.put(inspected.thumbnail, suffix=".jpg"),
    )
    try:
        with ctx.db.write() as session:
            return attach_document(session, ctx, actor, case_id, kind=document_kind, stored=stored)
    except BaseException:
        _discard_unreferenced(ctx, stored.storage_key, stored.thumbnail_key)
        raise


def _discard_unreferenced(ctx: AppContext, *keys: str) -> None:
    """Remove stored files no Document refers to (the case moved on between the check and the write).

    The store is content-addressed, so a key may already belong to another
    document with identical bytes: those are kept.
    """
    with ctx.db.read() as session:
        for key in keys:
            used = session.exec(
                select(Document.id).where(or_(Document.storage_key == key, Document.thumbnail_key == key))
            ).first()
            if used is None:
                ctx.store.delete(key)


# --- reading documents back -----------------------------------------------------------


def find_document(session: Session, actor: Actor, case_id: int, document_id: int) -> Document:
    """A document of a case in the actor's scope, else NotFound."""
    case = load_case(session, actor, case_id)
    document = session.exec(select(Document).where(Document.id == document_id, Document.case_id == case.id)).first()
    if document is None:
        raise NotFound("未找到该材料")
    return document


def document_bytes(ctx: AppContext, document: Document, *, thumbnail: bool = False) -> tuple[bytes, str]:
    """The stored bytes of a document (or its thumbnail) and their content type."""
    key = document.thumbnail_key if thumbnail else document.storage_key
    try:
        content = ctx.store.open(key)
    except (DocumentNotFound, DocumentCorrupted) as problem:
        log.error("document %s unreadable in the store: %s", document.id, type(problem).__name__)
        raise DocumentUnavailable("文件暂时无法读取,请联系承办窗口") from None
    return content, THUMBNAIL_CONTENT_TYPE if thumbnail else document.content_type


def policy_document(session: Session, actor: Actor, case_id: int) -> Document:
    """The e-policy PDF of a completed case: the one issued with the policy, else the newest uploaded."""
    case = load_case(session, actor, case_id)
    document = None
    if case.status == CaseStatus.COMPLETED.value:
        if case.policy_document_id is not None:
            document = session.exec(
                select(Document).where(Document.id == case.policy_document_id, Document.case_id == case.id)
            ).first()
        if document is None:
            document = session.exec(
                select(Document)
                .where(Document.case_id == case.id, Document.kind == DocumentKind.E_POLICY.value)
                .order_by(Document.id.desc())  # type: ignore[union-attr]
            ).first()
    if document is None:
        raise NotFound("该申请暂无电子保单,保单出具后会短信通知您")
    return document


# --- finishing a supplement round -----------------------------------------------------


def finish_supplement(session: Session, ctx: AppContext, actor: Actor, case_id: int) -> Case:
    """The applicant has uploaded what was asked for: back to the clerk, SLA clock restarted."""
    case = load_case(session, actor, case_id, for_update=True)
    if case.status != CaseStatus.SUPPLEMENT_REQUESTED.value:
        raise Conflict("该申请当前不需要补充材料")
    missing = outstanding_kinds(session, case)
    if missing:
        names = "、".join(kind.label for kind in missing)
        raise BadInput(
            f"请先上传要求补充的材料:{names}", code="missing_documents", details={"missing": [k.value for k in missing]}
        )
    complete_supplement(session, ctx, actor, case)
    return case
