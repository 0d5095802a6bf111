"""Cases overdue by more than a day: the ones the coordinator chases with the member.

"More than a day" is 24 hours of wall-clock time past the deadline
(`due_at < now - 24h`), under the queue's own overdue rule
(`server.cases.queue.overdue_condition`: open, the SLA clock running, past
`due_at`). Wall-clock rather than working time because the customer waits
through weekends too, and because the deadline itself already accounts for
the working calendar: a case due on Friday evening shows here from Saturday
evening, and is still here on Monday morning when the windows open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import CaseStatus
from common.schemas.signals import OverdueSignal
from server.cases.queue import overdue_condition
from server.models import Case
from server.signals.refs import ROW_LIMIT, case_ref

LONG_OVERDUE = timedelta(days=1)


def long_overdue(
    session: Session, catalog: Catalog, *, now: datetime, limit: int = ROW_LIMIT
) -> tuple[list[OverdueSignal], int]:
    """Cases more than a day overdue, longest overdue first (at most `limit`), and how many in all."""
    condition = overdue_condition(now - LONG_OVERDUE)
    total = session.exec(select(func.count()).select_from(Case).where(condition)).one()
    rows = session.exec(
        select(
            Case.id,
            Case.number,
            Case.county_code,
            Case.member_code,
            Case.status,
            Case.due_at,
        )
        .where(condition)
        .order_by(Case.due_at, Case.id)  # type: ignore[arg-type]
        .limit(limit)
    ).all()
    signals = [
        OverdueSignal(
            **case_ref(
                catalog,
                case_id=row.id,
                case_number=row.number,
                county_code=row.county_code,
                member_code=row.member_code,
            ),
            status=row.status,
            status_label=CaseStatus(row.status).label,
            due_at=row.due_at,
            overdue_seconds=int((now - row.due_at).total_seconds()),
        )
        for row in rows
    ]
    return signals, int(total)
