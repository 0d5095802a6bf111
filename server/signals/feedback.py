"""What citizens said: their ratings and their complaints, over a recent period.

Ratings are listed lowest first (then newest first), and by default only
those of `max_stars` or fewer: a 5-star rating is good news, not a signal to
act on. Complaints are listed newest first, under the member and county they
were written against (copied onto the complaint, so a later reassignment does
not move it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, select

from common.catalog import Catalog
from common.schemas.signals import ComplaintSignal, RatingSignal
from server.models import Case, Complaint
from server.signals.refs import ROW_LIMIT, case_ref


def ratings(
    session: Session,
    catalog: Catalog,
    *,
    since: datetime,
    now: datetime,
    max_stars: int,
    limit: int = ROW_LIMIT,
) -> tuple[list[RatingSignal], int]:
    """Ratings given in `[since, now]` with at most `max_stars` stars, and how many in all."""
    condition = and_(
        Case.rating.is_not(None),  # type: ignore[union-attr]
        Case.rating <= max_stars,  # type: ignore[operator]
        Case.rated_at >= since,  # type: ignore[operator]
        Case.rated_at <= now,  # type: ignore[operator]
    )
    total = session.exec(select(func.count()).select_from(Case).where(condition)).one()
    rows = session.exec(
        select(
            Case.id,
            Case.number,
            Case.county_code,
            Case.member_code,
            Case.rating,
            Case.rating_comment,
            Case.rated_at,
        )
        .where(condition)
        .order_by(Case.rating, Case.rated_at.desc(), Case.id)  # type: ignore[arg-type, union-attr]
        .limit(limit)
    ).all()
    signals = [
        RatingSignal(
            **case_ref(
                catalog,
                case_id=row.id,
                case_number=row.number,
                county_code=row.county_code,
                member_code=row.member_code,
            ),
            stars=row.rating,
            comment=row.rating_comment,
            rated_at=row.rated_at,
        )
        for row in rows
    ]
    return signals, int(total)


def complaints(
    session: Session,
    catalog: Catalog,
    *,
    since: datetime,
    now: datetime,
    limit: int = ROW_LIMIT,
) -> tuple[list[ComplaintSignal], int]:
    """Complaints written in `[since, now]`, newest first, and how many in all."""
    condition = and_(Complaint.created_at >= since, Complaint.created_at <= now)  # type: ignore[operator]
    total = session.exec(select(func.count()).select_from(Complaint).where(condition)).one()
    rows = session.exec(
        select(Complaint, Case.number)
        .join(Case, Case.id == Complaint.case_id)  # type: ignore[arg-type]
        .where(condition)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())  # type: ignore[attr-defined, union-attr]
        .limit(limit)
    ).all()
    signals = [
        ComplaintSignal(
            **case_ref(
                catalog,
                case_id=complaint.case_id,
                case_number=number,
                county_code=complaint.county_code,
                member_code=complaint.member_code,
            ),
            complaint_id=complaint.id or 0,
            text=complaint.text,
            created_at=complaint.created_at,
        )
        for complaint, number in rows
    ]
    return signals, int(total)
