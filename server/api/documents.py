"""Staff downloads of a case's documents: the file itself and its thumbnail, only within scope.

A document is reachable by its id alone (the desktop lists them in the case
detail), so the lookup joins it to its case under `case_scope`: a document of
someone else's case is "not found", exactly like the case.

Stored bytes never change (content-addressed, every round kept), so the
SHA-256 is a strong ETag and the desktop may keep a private copy for a while;
the content type is the one recorded when the upload was inspected, never
anything the uploader declared.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Response
from sqlmodel import Session, select

from server.actor import Actor
from server.api.deps import ContextDep, StaffDep
from server.cases.scope import case_scope
from server.context import AppContext
from server.documents.store import DocumentCorrupted, DocumentNotFound
from server.errors import DomainError, NotFound
from server.models import Case, Document

log = logging.getLogger(__name__)

router = APIRouter(tags=["staff-documents"])

# Thumbnails are always made as JPEG (server.documents.inspection), whatever the original was.
THUMBNAIL_CONTENT_TYPE = "image/jpeg"
CACHE_SECONDS = 3600
DOCUMENT_NOT_FOUND = "未找到该材料,或您无权查看"

DocumentIdPath = Annotated[int, Path(ge=1, le=2**53)]
IfNoneMatchHeader = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]


class DocumentUnreadable(DomainError):
    """The stored bytes are missing or damaged: an operations problem, not the caller's."""

    status_code = 500
    code = "document_unavailable"


def find_staff_document(session: Session, actor: Actor, document_id: int) -> Document:
    """The document if its case is in the actor's scope, else NotFound (one query)."""
    document = session.exec(
        select(Document).join(Case, Case.id == Document.case_id).where(Document.id == document_id, case_scope(actor))
    ).first()
    if document is None:
        raise NotFound(DOCUMENT_NOT_FOUND)
    return document


def read_document(ctx: AppContext, document: Document, *, part: Literal["content", "thumbnail"]) -> bytes:
    """The stored bytes of the document or of its thumbnail."""
    key = document.storage_key if part == "content" else document.thumbnail_key
    try:
        return ctx.store.open(key)
    except (DocumentNotFound, DocumentCorrupted) as problem:
        # The id and the kind of problem only: keys and bytes stay out of the log.
        log.error("document %s %s unreadable in the store: %s", document.id, part, type(problem).__name__)
        raise DocumentUnreadable("文件暂时无法读取,请联系系统管理员") from None


def _etag(digest: str) -> str:
    return f'"{digest}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return etag in candidates or "*" in candidates


def _file_response(content: bytes | None, *, content_type: str, etag: str) -> Response:
    """The bytes (or 304 when `content` is None), shown inline, never sniffed, cached privately."""
    headers = {
        "ETag": etag,
        "Cache-Control": f"private, max-age={CACHE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    if content is None:
        return Response(status_code=304, headers=headers)
    return Response(content=content, media_type=content_type, headers=headers)


@router.get("/staff/documents/{document_id}/content", response_class=Response)
def get_document_content(
    document_id: DocumentIdPath, staff: StaffDep, ctx: ContextDep, if_none_match: IfNoneMatchHeader = None
) -> Response:
    """The document as stored (sanitised image or PDF); 404 unless its case is in the caller's scope."""
    with ctx.db.read() as session:
        document = find_staff_document(session, staff, document_id)
    etag = _etag(document.sha256)
    if _matches(if_none_match, etag):
        return _file_response(None, content_type=document.content_type, etag=etag)
    content = read_document(ctx, document, part="content")
    return _file_response(content, content_type=document.content_type, etag=etag)


@router.get("/staff/documents/{document_id}/thumbnail", response_class=Response)
def get_document_thumbnail(
    document_id: DocumentIdPath, staff: StaffDep, ctx: ContextDep, if_none_match: IfNoneMatchHeader = None
) -> Response:
    """A small JPEG preview of the document (first page of a PDF); same scope rule."""
    with ctx.db.read() as session:
        document = find_staff_document(session, staff, document_id)
    content = read_document(ctx, document, part="thumbnail")
    etag = _etag(hashlib.sha256(content).hexdigest())
    if _matches(if_none_match, etag):
        return _file_response(None, content_type=THUMBNAIL_CONTENT_TYPE, etag=etag)
    return _file_response(content, content_type=THUMBNAIL_CONTENT_TYPE, etag=etag)
