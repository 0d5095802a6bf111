"""Citizen routes around an application's outcome: the payment QR code, rating, complaints.

- `GET  …/{id}/payment-qr.svg`: the payment link as a QR code (SVG drawn by
  segno on the server), so a citizen can pay by scanning it from a second phone.
- `POST …/{id}/rating`: 1–5 stars and an optional comment, once, after completion.
- `POST …/{id}/complaints`: a complaint about the handling, at any time after submission.
- `GET  …/{id}/feedback`: the rating and complaints already given (the page shows them).

Each rating and complaint writes one event on the case (audit trail and change
feed). The comment and the complaint text stay out of event payloads and logs:
people write phone numbers and names into free text.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Path, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, select

from common.enums import Action, CaseStatus
from common.validators import ValidationProblem
from server.actor import Actor
from server.api.deps import CitizenDep, ContextDep
from server.cases.history import record
from server.cases.scope import load_case
from server.context import AppContext
from server.errors import Conflict, NotFound, TooManyRequests
from server.models import Case, Complaint

log = logging.getLogger(__name__)

router = APIRouter(prefix="/citizen/applications/{case_id}", tags=["citizen feedback"])

CaseId = Annotated[int, Path(ge=1, le=2**53, description="申请ID")]

MAX_COMMENT = 200
MIN_COMPLAINT, MAX_COMPLAINT = 5, 500
# Enough for a real grievance and its follow-ups; stops a script from flooding the association.
COMPLAINTS_PER_DAY = 5


def _comment(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_COMMENT:
        raise ValidationProblem(f"评价内容不能超过{MAX_COMMENT}个字")
    return value


def _complaint_text(value: str) -> str:
    value = value.strip()
    if len(value) < MIN_COMPLAINT:
        raise ValidationProblem(f"请写明投诉的事情(至少{MIN_COMPLAINT}个字)")
    if len(value) > MAX_COMPLAINT:
        raise ValidationProblem(f"投诉内容不能超过{MAX_COMPLAINT}个字")
    return value


class RatingIn(BaseModel):
    """The applicant's rating of a completed application."""

    model_config = ConfigDict(extra="forbid")

    stars: int = Field(ge=1, le=5, description="1至5星")
    comment: Annotated[str, AfterValidator(_comment)] = ""


class RatingOut(BaseModel):
    stars: int
    comment: str | None
    rated_at: datetime


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, AfterValidator(_complaint_text)]


class ComplaintOut(BaseModel):
    id: int
    text: str
    created_at: datetime


class FeedbackOut(BaseModel):
    """What the applicant has already said about the application."""

    rating: RatingOut | None
    complaints: list[ComplaintOut]


# --- services -----------------------------------------------------------------------


def _rating_out(case: Case) -> RatingOut | None:
    if case.rating is None or case.rated_at is None:
        return None
    return RatingOut(stars=case.rating, comment=case.rating_comment, rated_at=case.rated_at)


def _complaint_out(complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(id=complaint.id or 0, text=complaint.text, created_at=complaint.created_at)


def rate_case(session: Session, ctx: AppContext, actor: Actor, case_id: int, data: RatingIn) -> RatingOut:
    """Record the rating: only a completed application, only once."""
    now = ctx.clock.now()
    case = load_case(session, actor, case_id, for_update=True)
    if case.status != CaseStatus.COMPLETED.value:
        raise Conflict("办结后才能评价,请在收到电子保单后再来评价", code="not_completed")
    if case.rating is not None:
        raise Conflict("您已评价过该申请,感谢您的反馈", code="already_rated")
    case.rating, case.rating_comment, case.rated_at = data.stars, data.comment or None, now
    record(session, case, Action.RATE, actor, now=now, payload={"stars": data.stars, "has_comment": bool(data.comment)})
    log.info("case %s rated %d stars", case.id, data.stars)
    rating = _rating_out(case)
    assert rating is not None
    return rating


def file_complaint(session: Session, ctx: AppContext, actor: Actor, case_id: int, data: ComplaintIn) -> Complaint:
    """Keep the complaint and put it on the case's record; drafts have nothing to complain about yet."""
    now = ctx.clock.now()
    case = load_case(session, actor, case_id, for_update=True)
    if case.status == CaseStatus.DRAFT.value:
        raise Conflict("申请提交后才能投诉;如有疑问请拨打监督电话", code="not_submitted")
    recent = session.exec(
        select(func.count()).select_from(Complaint).where(
            Complaint.case_id == case.id, Complaint.created_at > now - timedelta(days=1)
        )
    ).one()
    if recent >= COMPLAINTS_PER_DAY:
        raise TooManyRequests("今天已提交多次投诉,请耐心等待处理,或拨打监督电话", retry_after=3600)
    complaint = Complaint(
        case_id=case.id or 0, member_code=case.member_code, county_code=case.county_code, text=data.text, created_at=now
    )
    session.add(complaint)
    session.flush()
    record(session, case, Action.COMPLAIN, actor, now=now, payload={"complaint_id": complaint.id})
    log.info("complaint %s filed on case %s", complaint.id, case.id)
    return complaint


def payment_qr_svg(link: str) -> bytes:
    """The payment link as a QR code, in SVG (scales crisply; a few KB)."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, title="缴费二维码", dark="#000", light="#fff"
    )
    return buffer.getvalue()


# --- routes -------------------------------------------------------------------------


@router.get("/payment-qr.svg", response_class=Response, summary="缴费二维码")
def get_payment_qr(case_id: CaseId, ctx: ContextDep, actor: CitizenDep) -> Response:
    """The QR code of the payment link while the application awaits payment; 404 otherwise."""
    with ctx.db.read() as session:
        case = load_case(session, actor, case_id)
    if case.status != CaseStatus.AWAITING_PAYMENT.value or not case.payment_link:
        raise NotFound("该申请当前没有待缴费的链接")
    return Response(
        payment_qr_svg(case.payment_link),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/feedback", response_model=FeedbackOut, summary="我的评价与投诉")
def get_feedback(case_id: CaseId, ctx: ContextDep, actor: CitizenDep) -> FeedbackOut:
    with ctx.db.read() as session:
        case = load_case(session, actor, case_id)
        complaints = session.exec(
            select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)  # type: ignore[arg-type]
        ).all()
        return FeedbackOut(rating=_rating_out(case), complaints=[_complaint_out(c) for c in complaints])


@router.post("/rating", response_model=RatingOut, status_code=status.HTTP_201_CREATED, summary="评价(办结后一次)")
def post_rating(case_id: CaseId, body: RatingIn, ctx: ContextDep, actor: CitizenDep) -> RatingOut:
    with ctx.db.write() as session:
        return rate_case(session, ctx, actor, case_id, body)


@router.post("/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED, summary="投诉")
def post_complaint(case_id: CaseId, body: ComplaintIn, ctx: ContextDep, actor: CitizenDep) -> ComplaintOut:
    with ctx.db.write() as session:
        return _complaint_out(file_complaint(session, ctx, actor, case_id, body))
