"""The coordinator's signals page in one read: the rule in force and the four lists with their counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from common.catalog import Catalog
from common.schemas.signals import SignalCounts, SignalsOut
from server.signals.feedback import complaints, ratings
from server.signals.intermediary import flag_intermediaries
from server.signals.overdue import long_overdue
from server.signals.refs import ROW_LIMIT
from server.signals.rule import current_rule


def collect_signals(
    session: Session,
    catalog: Catalog,
    *,
    now: datetime,
    period_days: int,
    max_stars: int,
    limit: int = ROW_LIMIT,
) -> SignalsOut:
    """Every signal as of `now`; ratings and complaints of the last `period_days` days."""
    rule = current_rule(session)
    since = now - timedelta(days=period_days)
    flags, flag_count = flag_intermediaries(
        session,
        catalog,
        threshold=rule.threshold,
        window_days=rule.window_days,
        now=now,
        limit=limit,
    )
    overdue, overdue_count = long_overdue(session, catalog, now=now, limit=limit)
    rated, rated_count = ratings(session, catalog, since=since, now=now, max_stars=max_stars, limit=limit)
    complained, complaint_count = complaints(session, catalog, since=since, now=now, limit=limit)
    return SignalsOut(
        as_of=now,
        rule=rule,
        period_days=period_days,
        max_stars=max_stars,
        row_limit=limit,
        counts=SignalCounts(
            intermediaries=flag_count,
            overdue=overdue_count,
            ratings=rated_count,
            complaints=complaint_count,
        ),
        intermediaries=flags,
        overdue=overdue,
        ratings=rated,
        complaints=complained,
    )
