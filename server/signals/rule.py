"""The intermediary rule: read it (defaults while none is stored), and let the coordinator change it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from common.enums import Action
from common.schemas.signals import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_DAYS,
    SignalRuleIn,
    SignalRuleOut,
)
from server.actor import Actor
from server.cases.history import record_pool_change
from server.errors import Conflict
from server.models import SignalRule

RULE_ID = 1


def _stored(session: Session, *, for_update: bool = False) -> SignalRule | None:
    query = select(SignalRule).where(SignalRule.id == RULE_ID)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def _out(row: SignalRule | None) -> SignalRuleOut:
    if row is None:
        return SignalRuleOut(
            threshold=DEFAULT_THRESHOLD,
            window_days=DEFAULT_WINDOW_DAYS,
            is_default=True,
        )
    return SignalRuleOut(
        threshold=row.intermediary_threshold,
        window_days=row.intermediary_window_days,
        is_default=False,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def current_rule(session: Session) -> SignalRuleOut:
    """The rule in force, with who set it last; the defaults (3 owners, 30 days) while none is stored."""
    return _out(_stored(session))


def set_rule(session: Session, actor: Actor, data: SignalRuleIn, *, now: datetime) -> SignalRuleOut:
    """Store the coordinator's rule and record one set_signal_rule event with before and after.

    Setting the figures already in force changes nothing and records nothing.
    The row is locked, so two coordinators saving at once are applied one
    after the other, each event's "before" being what the other left.
    """
    row = _stored(session, for_update=True)
    before = _out(row)
    if (before.threshold, before.window_days) == (data.threshold, data.window_days):
        return before
    if row is None:
        row = SignalRule(
            id=RULE_ID,
            intermediary_threshold=data.threshold,
            intermediary_window_days=data.window_days,
            updated_at=now,
            updated_by=actor.label,
        )
        try:
            # A savepoint: a coordinator who stored the first row a moment
            # earlier is a conflict to retry, not a server error.
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            raise Conflict("预警规则刚被他人修改,请刷新后再试") from None
    else:
        row.intermediary_threshold = data.threshold
        row.intermediary_window_days = data.window_days
        row.updated_at = now
        row.updated_by = actor.label
        session.add(row)
        session.flush()
    record_pool_change(
        session,
        Action.SET_SIGNAL_RULE,
        actor,
        now=now,
        payload={
            "before": {
                "threshold": before.threshold,
                "window_days": before.window_days,
            },
            "after": {"threshold": data.threshold, "window_days": data.window_days},
        },
    )
    return _out(row)
