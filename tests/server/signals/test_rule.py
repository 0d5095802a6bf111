"""The stored intermediary rule: defaults until set, and one recorded event per change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from common.enums import Action, Role
from common.schemas.signals import SignalRuleIn
from server.actor import Actor
from server.clock import FixedClock
from server.context import AppContext
from server.models import Event, SignalRule
from server.signals.rule import current_rule, set_rule

COORDINATOR = Actor(role=Role.COORDINATOR, user_id=7, display_name="市协调员")


def rule_events(ctx: AppContext) -> list[Event]:
    with ctx.db.read() as session:
        return list(session.exec(select(Event).where(Event.action == Action.SET_SIGNAL_RULE.value).order_by(Event.seq)))


def change(ctx: AppContext, threshold: int, window_days: int) -> None:
    with ctx.db.write() as session:
        set_rule(
            session,
            COORDINATOR,
            SignalRuleIn(threshold=threshold, window_days=window_days),
            now=ctx.clock.now(),
        )


def test_with_no_stored_rule_the_defaults_apply(ctx: AppContext) -> None:
    with ctx.db.read() as session:
        rule = current_rule(session)

    assert (rule.threshold, rule.window_days, rule.is_default) == (3, 30, True)
    assert rule.updated_by is None


def test_a_change_is_stored_with_who_and_when_and_recorded_as_one_event(
    ctx: AppContext,
) -> None:
    change(ctx, 4, 60)

    with ctx.db.read() as session:
        rule = current_rule(session)
        rows = session.exec(select(SignalRule)).all()
    assert (rule.threshold, rule.window_days, rule.is_default) == (4, 60, False)
    assert rule.updated_by == "市协调员(市级协调员)"
    assert rule.updated_at == ctx.clock.now()
    assert len(rows) == 1
    (event,) = rule_events(ctx)
    assert event.case_id is None
    assert event.actor_user_id == 7
    assert event.payload == {
        "before": {"threshold": 3, "window_days": 30},
        "after": {"threshold": 4, "window_days": 60},
    }


def test_each_later_change_records_what_the_previous_one_left(ctx: AppContext, clock: FixedClock) -> None:
    change(ctx, 4, 60)
    clock.advance(hours=1)
    change(ctx, 5, 60)

    events = rule_events(ctx)
    assert [e.payload["before"] for e in events] == [
        {"threshold": 3, "window_days": 30},
        {"threshold": 4, "window_days": 60},
    ]
    with ctx.db.read() as session:
        assert session.exec(select(SignalRule)).one().intermediary_threshold == 5


@pytest.mark.parametrize("figures", [(3, 30), (4, 60)])
def test_saving_the_rule_already_in_force_records_nothing(ctx: AppContext, figures: tuple[int, int]) -> None:
    change(ctx, 4, 60)
    before = len(rule_events(ctx))

    change(ctx, *figures)
    change(ctx, *figures)

    assert len(rule_events(ctx)) == before + (1 if figures == (3, 30) else 0)


@pytest.mark.parametrize(("threshold", "window_days"), [(1, 30), (51, 30), (3, 0), (3, 366), (-3, 30)])
def test_figures_out_of_bounds_are_refused_with_a_chinese_message(threshold: int, window_days: int) -> None:
    with pytest.raises(ValueError, match="应在"):
        SignalRuleIn(threshold=threshold, window_days=window_days)
