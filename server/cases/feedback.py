"""The applicant's rating and complaints on their own application, and the payment link's QR code.

Each rating and complaint writes one event on the case (audit trail and change
feed). The comment and the complaint text stay out of event payloads and logs:
people write phone numbers and names into free text.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import segno
from sqlalchemy import func
from sqlmodel import Session, select

from common.enums import Action, CaseStatus
from common.schemas.feedback import ComplaintIn, ComplaintOut, FeedbackOut, RatingIn, RatingOut
from server.actor import Actor
from server.cases.history import record
from server.cases.scope import load_case
from server.context import AppContext
from server.errors import Conflict, TooManyRequests
from server.models import Case, Complaint

log = logging.getLogger(__name__)

# Enough for a real grievance and its follow-ups; stops a script from flooding the association.
COMPLAINTS_PER_DAY = 5


def rating_out(case: Case) -> RatingOut | None:
    """The case's rating as the applicant sees it, or None before one is given."""
    if case.rating is None or case.rated_at is None:
        return None
    return RatingOut(stars=case.rating, comment=case.rating_comment, rated_at=case.rated_at)


def complaint_out(complaint: Complaint) -> ComplaintOut:
    """A complaint as the applicant sees it."""
    return ComplaintOut(id=complaint.id or 0, text=complaint.text, created_at=complaint.created_at)


def feedback_of(session: Session, actor: Actor, case_id: int) -> FeedbackOut:
    """The rating and complaints already given on the actor's own application."""
    case = load_case(session, actor, case_id)
    complaints = session.exec(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)  # type: ignore[arg-type]
    ).all()
    return FeedbackOut(rating=rating_out(case), complaints=[complaint_out(c) for c in complaints])


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
    rating = rating_out(case)
    assert rating is not None
    return rating


def file_complaint(session: Session, ctx: AppContext, actor: Actor, case_id: int, data: ComplaintIn) -> Complaint:
    """Keep the complaint and put it on the case's record; drafts have nothing to complain about yet."""
    now = ctx.clock.now()
    case = load_case(session, actor, case_id, for_update=True)
    if case.status == CaseStatus.DRAFT.value:
        raise Conflict("申请提交后才能投诉;如有疑问请拨打监督电话", code="not_submitted")
    recent = session.exec(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.case_id == case.id, Complaint.created_at > now - timedelta(days=1))
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
