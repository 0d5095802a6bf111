"""Pool settings through the service: a change takes effect at the next dispatch, is recorded once, and
a window switched back on takes its county's waiting cases at once, oldest first."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import col, func, select

from common.enums import Action, CaseStatus, Role
from common.schemas.pool import WindowChangeIn
from server.actor import Actor
from server.audit.chain import verify_chain
from server.context import AppContext
from server.dispatch.rule import RULE_WEIGHTED_ROUND_ROBIN
from server.dispatch.service import unassigned_cases
from server.dispatch.windows import county_windows, set_window, window_history
from server.errors import NotFound
from server.models import Branch, Case, DispatchWeight, Event, SmsMessage
from tests.server.dispatch.conftest import (
    COUNTY,
    MOTORCYCLE,
    OTHER_COUNTY,
    TRACTOR,
    CaseFactory,
    RuleModel,
    configure_county,
    county_branches,
    off_share,
    run_threads,
)
from tests.server.factories import make_staff

UNEQUAL = [3, 2, 1, 1, 1, 1, 1, 1]


@pytest.fixture
def coordinator(ctx: AppContext) -> Actor:
    user = make_staff(
        ctx,
        "city_coord",
        Role.COORDINATOR,
        member_code=None,
        county_code=None,
        display_name="王协调",
    )
    return Actor(role=Role.COORDINATOR, user_id=user.id, display_name=user.display_name)


def change(
    ctx: AppContext,
    actor: Actor,
    member_code: str,
    county_code: str = COUNTY,
    **values: object,
):
    """Apply one change in its own write transaction, as the endpoint does."""
    with ctx.db.write() as session:
        return set_window(
            session,
            ctx,
            actor,
            county_code=county_code,
            member_code=member_code,
            change=WindowChangeIn(**values),
        )


def event_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def states(ctx: AppContext) -> dict[tuple[str, int], int]:
    with ctx.db.read() as session:
        rows = session.exec(select(DispatchWeight).where(DispatchWeight.county_code == COUNTY)).all()
    return {(row.category, row.branch_id): row.current_weight for row in rows}


# 1. Weights.


def test_weight_change_splits_the_next_cases_by_the_new_weights_within_one_at_every_step(
    ctx: AppContext, cases: CaseFactory, coordinator: Actor
) -> None:
    configure_county(ctx, available=["picc", "cpic"])
    # An odd number of cases under 1:1 leaves the stored state off zero, as in real use.
    for _ in range(7):
        cases.submit()
    for _ in range(3):
        cases.submit(category=TRACTOR)
    assert any(states(ctx).values())

    result = change(ctx, coordinator, "picc", weight=3)

    assert [(c.field, c.before, c.after) for c in result.changes] == [("weight", "1", "3")]
    assert set(states(ctx).values()) == {0}, "every category of the county starts clean under the new weights"
    branches = county_branches(ctx)
    model = RuleModel(branches)  # the pure rule from a clean start, with the new weights
    counts: Counter[str] = Counter()
    for step in range(1, 41):
        decision = cases.submit()
        assert decision.rule == RULE_WEIGHTED_ROUND_ROBIN
        assert decision.member_code == model.step(), f"step {step} left the rule's sequence"
        counts[decision.member_code] += 1
        assert not off_share(counts, branches), f"{step} cases after the change: {counts}"
    assert counts == Counter({"picc": 30, "cpic": 10})

    tractors = Counter(cases.submit(category=TRACTOR).member_code for _ in range(8))
    assert tractors == Counter({"picc": 6, "cpic": 2}), "the other categories follow the new weights too"


def test_weights_changed_one_after_another_each_hold_from_their_change_on(
    ctx: AppContext, cases: CaseFactory, coordinator: Actor
) -> None:
    configure_county(ctx, weights=UNEQUAL)
    for _ in range(11):
        cases.submit()
    change(ctx, coordinator, "sunshine", weight=5)
    change(ctx, coordinator, "picc", weight=1)

    branches = county_branches(ctx)
    counts: Counter[str] = Counter()
    for step in range(1, 5 * 13 + 1):  # five full rounds of the new total, 1+2+1+1+1+5+1+1 = 13
        counts[cases.submit().member_code or ""] += 1
        assert not off_share(counts, branches), f"{step} cases after the change: {counts}"
    assert counts["sunshine"] == 25 and counts["picc"] == 5 and counts["cpic"] == 10


# 2. Availability.


def test_member_switched_off_gets_none_of_the_next_cases(
    ctx: AppContext, cases: CaseFactory, coordinator: Actor
) -> None:
    configure_county(ctx, weights=UNEQUAL)
    for _ in range(5):
        cases.submit()
    picc = county_branches(ctx)["picc"]
    held = states(ctx)[(MOTORCYCLE, picc.id)]

    result = change(ctx, coordinator, "picc", available=False)

    assert result.window.available is False and result.dispatched == []
    assert [(c.label, c.before, c.after) for c in result.changes] == [("接单状态", "接单", "暂停接单")]
    chosen = Counter(cases.submit().member_code for _ in range(60))
    assert chosen["picc"] == 0 and sum(chosen.values()) == 60
    assert states(ctx)[(MOTORCYCLE, picc.id)] == held, "switching off keeps what the member is owed"


def test_member_back_on_takes_the_waiting_cases_at_once_oldest_first(
    ctx: AppContext, cases: CaseFactory, coordinator: Actor
) -> None:
    configure_county(ctx, available=[])
    configure_county(ctx, OTHER_COUNTY, available=[])
    start = ctx.clock.now() - timedelta(hours=2)
    waiting = [cases.submit(submitted_at=start + timedelta(minutes=m)) for m in (30, 10, 20)]
    elsewhere = cases.submit(county_code=OTHER_COUNTY)
    with ctx.db.read() as session:
        oldest_first = [c.number for c in unassigned_cases(session, county_code=COUNTY)]
    assert len(oldest_first) == 3
    before = event_count(ctx)

    result = change(ctx, coordinator, "zijin", available=True)

    assert result.dispatched == oldest_first
    with ctx.db.read() as session:
        moved = session.exec(select(Case).where(col(Case.id).in_([d.case_id for d in waiting]))).all()
        assert {(c.status, c.member_code) for c in moved} == {(CaseStatus.ASSIGNED.value, "zijin")}
        new_events = session.exec(select(Event).where(Event.seq > before).order_by(col(Event.seq))).all()
        numbers = {c.id: c.number for c in moved}
        # The change first, then one DISPATCH per case in the order they were waiting.
        assert [e.action for e in new_events] == [Action.SET_BRANCH.value] + [Action.DISPATCH.value] * 3
        assert [numbers[e.case_id] for e in new_events[1:]] == oldest_first
        sms = session.exec(select(SmsMessage).where(SmsMessage.template == "assigned")).all()
        phone = county_branches(ctx)["zijin"].window_phone
        assert sorted(m.case_id for m in sms) == sorted(numbers)  # type: ignore[type-var]
        assert {m.params["window_phone"] for m in sms} == {phone}
        assert [c.id for c in unassigned_cases(session)] == [elsewhere.case_id], "other counties keep waiting"
        assert verify_chain(session).ok


def test_window_already_on_dispatches_nothing_more(ctx: AppContext, cases: CaseFactory, coordinator: Actor) -> None:
    configure_county(ctx, available=["picc"])
    cases.submit()
    result = change(ctx, coordinator, "picc", weight=2)
    assert result.dispatched == []


# 3. Records: one event per change, who and what, and the history.


def test_each_change_writes_exactly_one_event_with_who_and_before_after(ctx: AppContext, coordinator: Actor) -> None:
    old_phone = county_branches(ctx)["cpic"].window_phone
    before = event_count(ctx)

    result = change(
        ctx,
        coordinator,
        "cpic",
        weight=4,
        window_phone="0515 8888 6666",
        available=False,
    )

    assert event_count(ctx) == before + 1
    with ctx.db.read() as session:
        event = session.exec(select(Event).order_by(col(Event.seq).desc())).first()
        branch = session.exec(select(Branch).where(Branch.member_code == "cpic", Branch.county_code == COUNTY)).one()
        assert verify_chain(session).ok
    assert event is not None
    assert (event.action, event.case_id, event.member_code, event.county_code) == (
        "set_branch",
        None,
        "cpic",
        COUNTY,
    )
    assert (event.actor_role, event.actor_user_id, event.actor_label) == (
        "coordinator",
        coordinator.user_id,
        "王协调(市级协调员)",
    )
    assert event.payload == {
        "member_code": "cpic",
        "county_code": COUNTY,
        "before": {
            "available": True,
            "weight": 1,
            "window_phone": f"0515-****{old_phone[-4:]}",
        },
        "after": {"available": False, "weight": 4, "window_phone": "0515-****6666"},
    }, "the phone is recorded masked, like every phone in an event"
    assert (branch.available, branch.weight, branch.window_phone) == (
        False,
        4,
        "0515-88886666",
    )
    assert (result.window.changed_by, result.window.changed_at) == (
        "王协调(市级协调员)",
        ctx.clock.now(),
    )
    with ctx.db.read() as session:
        shown = {w.member_code: w for w in county_windows(session, county_code=COUNTY).windows}
    assert (shown["cpic"].changed_by, shown["cpic"].weight) == ("王协调(市级协调员)", 4)
    assert shown["picc"].changed_by is None


def test_the_same_settings_again_change_and_record_nothing(ctx: AppContext, coordinator: Actor) -> None:
    change(ctx, coordinator, "picc", weight=2)
    before = event_count(ctx)
    result = change(ctx, coordinator, "picc", weight=2, available=True)
    assert result.changes == [] and result.window.weight == 2
    assert event_count(ctx) == before


def test_history_lists_the_county_changes_newest_first(ctx: AppContext, coordinator: Actor) -> None:
    change(ctx, coordinator, "picc", weight=2)
    ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
    change(ctx, coordinator, "cpic", available=False)
    change(ctx, coordinator, "cpic", OTHER_COUNTY, weight=9)

    with ctx.db.read() as session:
        rows = window_history(session, county_code=COUNTY)
    assert [(r.member, r.actor_label, [(c.label, c.before, c.after) for c in r.changes]) for r in rows] == [
        ("太保财险", "王协调(市级协调员)", [("接单状态", "接单", "暂停接单")]),
        ("人保财险", "王协调(市级协调员)", [("分派权重", "1", "2")]),
    ]
    assert rows[0].created_at - rows[1].created_at == timedelta(minutes=5)


# 4. Bad input: a clear refusal, nothing changed.


@pytest.mark.parametrize(
    ("county_code", "member_code", "message"),
    [
        ("999999", "picc", "没有代码为“999999”的区县"),
        (COUNTY, "nobody", "没有代码为“nobody”的成员机构"),
    ],
)
def test_unknown_county_or_member_is_not_found_and_nothing_changes(
    ctx: AppContext,
    coordinator: Actor,
    county_code: str,
    member_code: str,
    message: str,
) -> None:
    before = event_count(ctx)
    with pytest.raises(NotFound) as raised:
        change(ctx, coordinator, member_code, county_code, weight=5)
    assert raised.value.message == message
    assert event_count(ctx) == before
    assert {b.weight for b in county_branches(ctx).values()} == {1}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"weight": 0}, "分派权重应为1到100之间的整数"),
        ({"weight": 101}, "分派权重应为1到100之间的整数"),
        ({"window_phone": "13912345678"}, "带区号的固定电话"),
        ({}, "请至少修改一项"),
    ],
)
def test_out_of_bounds_values_are_refused_by_the_request_schema(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WindowChangeIn(**values)  # type: ignore[arg-type]


# 5. Concurrency: changes and submissions at once stay in one order.


def test_switching_a_window_while_cases_arrive_never_sends_it_a_case_while_off(
    ctx: AppContext, cases: CaseFactory, coordinator: Actor
) -> None:
    configure_county(ctx, available=["picc", "cpic"])
    # A running system: the event chain has its head row (a fresh database's very first
    # events race to create it, which is the chain's concern, not the pool's).
    cases.submit()

    def toggle() -> None:
        for index in range(12):
            change(ctx, coordinator, "picc", available=index % 2 == 1, weight=1 + index % 3)

    def submit() -> None:
        for _ in range(15):
            cases.submit()

    assert run_threads([toggle, submit, submit]) == []

    with ctx.db.read() as session:
        events = session.exec(
            select(Event).where(col(Event.action).in_(["set_branch", "dispatch"])).order_by(col(Event.seq))
        ).all()
        assert verify_chain(session).ok
    picc_on = True
    seen = 0
    for event in events:  # replay in commit order
        if event.action == "set_branch":
            picc_on = event.payload["after"].get("available", picc_on)
        elif event.payload.get("member_code") == "picc":
            assert picc_on, f"event {event.seq} dispatched to picc while it was off"
            seen += 1
    assert seen > 0
