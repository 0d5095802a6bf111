"""Citizen routes around an application's outcome: the payment QR code, rating, complaints.

- `GET  …/{id}/payment-qr.svg`: the payment link as a QR code (SVG drawn by
  segno on the server), so a citizen can pay by scanning it from a second phone.
- `POST …/{id}/rating`: 1–5 stars and an optional comment, once, after completion.
- `POST …/{id}/complaints`: a complaint about the handling, at any time after submission.
- `GET  …/{id}/feedback`: the rating and complaints already given (the page shows them).

The rules are in `server.cases.feedback`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from common.enums import CaseStatus
from common.schemas.feedback import ComplaintIn, ComplaintOut, FeedbackOut, RatingIn, RatingOut
from server.api.deps import CitizenDep, ContextDep
from server.cases.feedback import complaint_out, feedback_of, file_complaint, payment_qr_svg, rate_case
from server.cases.scope import load_case
from server.errors import NotFound

router = APIRouter(prefix="/citizen/applications/{case_id}", tags=["citizen feedback"])

CaseId = Annotated[int, Path(ge=1, le=2**53, description="申请ID")]


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
        return feedback_of(session, actor, case_id)


@router.post("/rating", response_model=RatingOut, status_code=status.HTTP_201_CREATED, summary="评价(办结后一次)")
def post_rating(case_id: CaseId, body: RatingIn, ctx: ContextDep, actor: CitizenDep) -> RatingOut:
    with ctx.db.write() as session:
        return rate_case(session, ctx, actor, case_id, body)


@router.post("/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED, summary="投诉")
def post_complaint(case_id: CaseId, body: ComplaintIn, ctx: ContextDep, actor: CitizenDep) -> ComplaintOut:
    with ctx.db.write() as session:
        return complaint_out(file_complaint(session, ctx, actor, case_id, body))
