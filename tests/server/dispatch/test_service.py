"""Dispatching submitted cases through the database: fairness, stickiness, the queue, restarts, concurrency.

Every dispatch here runs in its own write transaction, so the round-robin state
goes through the database between calls. The 10,000-step version of the
within-one-case property is in test_rule.py (the pure rule); a few hundred
steps through the database show the stored state reproduces it exactly.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from common.enums import Action, CaseStatus
from server.audit.chain import verify_chain
from server.context import AppContext
from server.db import Database
from server.dispatch.rule import RULE_NO_MEMBER_AVAILABLE, RULE_STICKY_VEHICLE, RULE_WEIGHTED_ROUND_ROBIN
from server.dispatch.service import dispatch_case, redispatch_unassigned, unassigned_cases
from server.errors import Conflict
from server.models import Case, DispatchDecision, DispatchWeight, Event, SmsMessage
from tests.server.dispatch.conftest import (
    COUNTY,
    MOTORCYCLE,
    OTHER_COUNTY,
    TRACTOR,
    CaseFactory,
    RuleModel,
    configure_county,
    county_branches,
    member_codes,
    off_share,
    run_threads,
)
from tests.server.factories import vin

STEPS = 300
UNEQUAL = [3, 2, 1, 1, 1, 1, 1, 1]


def short_names(ctx: AppContext) -> dict[str, str]:
    return {member.code: member.short for member in ctx.catalog.members}


def stored_state(ctx: AppContext, category: str = MOTORCYCLE) -> dict[str, int]:
    """The persisted round-robin state of COUNTY and `category`, keyed by branch id as the rule sees it."""
    with ctx.db.read() as session:
        rows = session.exec(
            select(DispatchWeight).where(DispatchWeight.county_code == COUNTY, DispatchWeight.category == category)
        ).all()
    return {str(row.branch_id): row.current_weight for row in rows}


def assigned_counts(ctx: AppContext, county_code: str = COUNTY, category: str = MOTORCYCLE) -> Counter[str]:
    with ctx.db.read() as session:
        rows = session.exec(
            select(Case.member_code, func.count())
            .where(Case.county_code == county_code, Case.category == category, Case.status == CaseStatus.ASSIGNED)
            .group_by(col(Case.member_code))
        ).all()
    return Counter({code: n for code, n in rows if code is not None})


# 1. Smooth weighted round robin, with the state in the database.


@pytest.mark.parametrize("weights", [UNEQUAL, [5, 3, 2, 1, 1, 1, 1, 1]], ids=lambda ws: "-".join(map(str, ws)))
def test_every_member_stays_within_one_case_of_its_share_at_every_step(
    ctx: AppContext, cases: CaseFactory, weights: list[int]
) -> None:
    configure_county(ctx, weights=weights)
    branches = county_branches(ctx)
    model = RuleModel(branches)
    counts: Counter[str] = Counter()
    for step in range(1, STEPS + 1):
        decision = cases.submit()
        assert decision.rule == RULE_WEIGHTED_ROUND_ROBIN
        assert decision.member_code == model.step(), f"step {step} left the pure rule's sequence"
        counts[decision.member_code] += 1
        assert not off_share(counts, branches), f"after {step} cases: {counts}"
    assert assigned_counts(ctx) == counts
    assert stored_state(ctx) == model.state


@pytest.mark.parametrize("off", ["picc", "zijin"])
def test_unavailable_branch_gets_nothing_and_the_others_keep_their_share(
    ctx: AppContext, cases: CaseFactory, off: str
) -> None:
    configure_county(ctx, weights=UNEQUAL, unavailable=[off])
    branches = county_branches(ctx)
    counts: Counter[str] = Counter()
    for step in range(1, 101):
        decision = cases.submit()
        counts[decision.member_code or ""] += 1
        assert decision.member_code != off
        assert not off_share(counts, branches), f"after {step} cases: {counts}"
    assert counts[off] == 0
    assert stored_state(ctx)[str(branches[off].id)] == 0, "an unavailable branch's state is left untouched"


@pytest.mark.parametrize("seed", [20260310, 7])
def test_categories_interleaved_keep_their_own_sequence_and_bound(
    ctx: AppContext, cases: CaseFactory, seed: int
) -> None:
    configure_county(ctx, weights=UNEQUAL)
    branches = county_branches(ctx)
    alone = {MOTORCYCLE: RuleModel(branches), TRACTOR: RuleModel(branches)}
    counts: dict[str, Counter[str]] = {MOTORCYCLE: Counter(), TRACTOR: Counter()}
    order = random.Random(seed)
    for _ in range(200):
        category = MOTORCYCLE if order.random() < 0.6 else TRACTOR
        decision = cases.submit(category=category)
        # Each category's picks are exactly those it would make on its own.
        assert decision.member_code == alone[category].step()
        counts[category][decision.member_code or ""] += 1
        assert not off_share(counts[category], branches), counts
    for category in (MOTORCYCLE, TRACTOR):
        assert assigned_counts(ctx, category=category) == counts[category]
        assert stored_state(ctx, category) == alone[category].state


def test_round_robin_state_survives_a_restart(ctx: AppContext, cases: CaseFactory, database: Database) -> None:
    configure_county(ctx, weights=UNEQUAL)
    branches = county_branches(ctx)
    model = RuleModel(branches)
    counts: Counter[str] = Counter()
    for _ in range(STEPS // 2):
        counts[cases.submit().member_code or ""] += 1
        model.step()
    database.dispose()

    # A new process: a new engine on the same database, nothing carried over in memory.
    restarted = Database(database.url)
    try:
        later = cases.using(dataclasses.replace(ctx, db=restarted))
        for step in range(STEPS // 2, STEPS):
            decision = later.submit()
            assert decision.member_code == model.step(), f"step {step + 1} after the restart"
            counts[decision.member_code or ""] += 1
            assert not off_share(counts, branches), counts
    finally:
        restarted.dispose()
    assert counts == model.counts


# 2. Sticky vehicles.


@pytest.mark.parametrize("previous", ["pingan", "dajia"])
def test_vehicle_insured_before_goes_back_to_its_member_without_charging_the_round_robin(
    ctx: AppContext, cases: CaseFactory, previous: str
) -> None:
    configure_county(ctx, weights=UNEQUAL)
    earlier = ctx.clock.now() - timedelta(days=365)
    with ctx.db.write() as session:
        cases.add(
            session,
            vehicle_vin=vin(900),
            status=CaseStatus.COMPLETED,
            member_code=previous,
            submitted_at=earlier,
            dispatched_at=earlier,
        )
    for _ in range(5):
        cases.submit()
    before = stored_state(ctx)

    decision = cases.submit(vehicle_vin=vin(900))

    assert (decision.rule, decision.member_code) == (RULE_STICKY_VEHICLE, previous)
    assert decision.branch_id == county_branches(ctx)[previous].id
    assert decision.reason == f"同一车辆(车架号)上次由{short_names(ctx)[previous]}承保,回到原机构"
    assert stored_state(ctx) == before


@pytest.mark.parametrize("insert_latest_first", [True, False])
def test_vehicle_goes_to_the_member_of_its_most_recent_dispatch(
    ctx: AppContext, cases: CaseFactory, insert_latest_first: bool
) -> None:
    now = ctx.clock.now()
    history = [("cpic", now - timedelta(days=400)), ("sunshine", now - timedelta(days=30))]
    with ctx.db.write() as session:
        for member, when in reversed(history) if insert_latest_first else history:
            cases.add(
                session,
                vehicle_vin=vin(901),
                status=CaseStatus.COMPLETED,
                member_code=member,
                submitted_at=when,
                dispatched_at=when,
            )
    assert cases.submit(vehicle_vin=vin(901)).member_code == "sunshine"


def test_vehicle_insured_in_another_county_goes_to_its_member_s_window_here(
    ctx: AppContext, cases: CaseFactory
) -> None:
    earlier = ctx.clock.now() - timedelta(days=200)
    with ctx.db.write() as session:
        cases.add(
            session,
            county_code=OTHER_COUNTY,
            vehicle_vin=vin(902),
            status=CaseStatus.COMPLETED,
            member_code="zijin",
            submitted_at=earlier,
            dispatched_at=earlier,
        )
    decision = cases.submit(vehicle_vin=vin(902))
    assert (decision.rule, decision.member_code) == (RULE_STICKY_VEHICLE, "zijin")
    assert decision.branch_id == county_branches(ctx, COUNTY)["zijin"].id


@pytest.mark.parametrize("previous", ["picc", "cic"])
def test_vehicle_whose_member_is_unavailable_falls_back_to_round_robin(
    ctx: AppContext, cases: CaseFactory, previous: str
) -> None:
    configure_county(ctx, weights=UNEQUAL, unavailable=[previous])
    earlier = ctx.clock.now() - timedelta(days=100)
    with ctx.db.write() as session:
        cases.add(
            session,
            vehicle_vin=vin(903),
            status=CaseStatus.COMPLETED,
            member_code=previous,
            submitted_at=earlier,
            dispatched_at=earlier,
        )
    model = RuleModel(county_branches(ctx))

    decision = cases.submit(vehicle_vin=vin(903))

    assert decision.rule == RULE_WEIGHTED_ROUND_ROBIN
    assert decision.member_code == model.step()
    assert decision.figures["sticky_fallback"] == "unavailable"
    name = short_names(ctx)
    assert decision.reason.startswith(f"同一车辆(车架号)上次由{name[previous]}承保")
    assert f"按权重轮转分派给{name[decision.member_code or '']}" in decision.reason


# 3. Nobody available: the coordinator's queue, and redispatch.


def test_case_waits_in_the_queue_until_a_branch_is_available_again(ctx: AppContext, cases: CaseFactory) -> None:
    configure_county(ctx, available=[])
    start = ctx.clock.now()
    # Submitted in one order, numbered in another: the queue goes by submission time.
    waiting = [cases.submit(submitted_at=start + timedelta(minutes=m)) for m in (30, 10, 20)]

    for decision in waiting:
        assert (decision.rule, decision.member_code, decision.branch_id) == (RULE_NO_MEMBER_AVAILABLE, None, None)
        assert decision.reason == "该区县暂无可接单的成员机构,进入待分派队列"
    with ctx.db.read() as session:
        queue = unassigned_cases(session, county_code=COUNTY)
        assert [c.id for c in queue] == [waiting[i].case_id for i in (1, 2, 0)]
        assert all(c.status == CaseStatus.SUBMITTED and c.member_code is None for c in queue)
        events = session.exec(select(Event).where(Event.action == Action.DISPATCH).order_by(col(Event.seq))).all()
        assert [(e.case_id, e.status_after, e.payload["rule"]) for e in events] == [
            (d.case_id, CaseStatus.SUBMITTED, RULE_NO_MEMBER_AVAILABLE) for d in waiting
        ]
        assert session.exec(select(SmsMessage).where(SmsMessage.template == "assigned")).all() == []

    with ctx.db.write() as session:
        assert redispatch_unassigned(session, ctx) == [], "still nobody: no new decisions piled up"

    configure_county(ctx, available=["chinalife"])
    with ctx.db.write() as session:
        redone = redispatch_unassigned(session, ctx, county_code=COUNTY)

    assert [d.case_id for d in redone] == [c.id for c in queue]
    assert {(d.rule, d.member_code) for d in redone} == {(RULE_WEIGHTED_ROUND_ROBIN, "chinalife")}
    with ctx.db.read() as session:
        assert unassigned_cases(session) == []
        sent = session.exec(select(SmsMessage).where(SmsMessage.template == "assigned")).all()
        assert sorted(m.case_id for m in sent) == sorted(c.id for c in queue)  # type: ignore[type-var]


def test_redispatch_of_one_county_leaves_the_other_counties_waiting(ctx: AppContext, cases: CaseFactory) -> None:
    configure_county(ctx, COUNTY, available=[])
    configure_county(ctx, OTHER_COUNTY, available=[])
    here = cases.submit(county_code=COUNTY)
    there = cases.submit(county_code=OTHER_COUNTY)
    configure_county(ctx, COUNTY, available=["picc"])
    configure_county(ctx, OTHER_COUNTY, available=["picc"])

    with ctx.db.write() as session:
        redone = redispatch_unassigned(session, ctx, county_code=COUNTY)

    assert [d.case_id for d in redone] == [here.case_id]
    with ctx.db.read() as session:
        assert [c.id for c in unassigned_cases(session)] == [there.case_id]


# 4. Concurrency: no lost update of the round-robin state.


@pytest.mark.parametrize("threads", [2, 4])
def test_concurrent_dispatches_end_where_sequential_dispatch_would(
    ctx: AppContext, cases: CaseFactory, threads: int
) -> None:
    configure_county(ctx, weights=UNEQUAL)
    per_thread = 24
    with ctx.db.write() as session:
        batches = [[cases.add(session) for _ in range(per_thread)] for _ in range(threads)]
    ids = [[case.id for case in batch] for batch in batches]

    def dispatch_all(case_ids: list[int | None]) -> None:
        for case_id in case_ids:
            with ctx.db.write() as session:
                case = session.get(Case, case_id)
                assert case is not None
                dispatch_case(session, ctx, case)

    errors = run_threads([lambda batch=batch: dispatch_all(batch) for batch in ids])
    assert errors == []

    sequential = RuleModel(county_branches(ctx))
    for _ in range(threads * per_thread):
        sequential.step()
    assert assigned_counts(ctx) == sequential.counts
    assert stored_state(ctx) == sequential.state
    with ctx.db.read() as session:
        decided = session.exec(select(DispatchDecision.case_id)).all()
        assert sorted(decided) == sorted(case_id for batch in ids for case_id in batch)  # type: ignore[type-var]
        assert verify_chain(session).ok


def test_redispatch_alongside_submissions_neither_deadlocks_nor_dispatches_a_case_twice(
    ctx: AppContext, cases: CaseFactory
) -> None:
    configure_county(ctx, weights=UNEQUAL, available=[])
    waiting = [cases.submit().case_id for _ in range(12)]
    configure_county(ctx, weights=UNEQUAL)
    fresh = 24

    def submit_new() -> None:
        for _ in range(fresh):
            cases.submit()

    def redispatch() -> None:
        for _ in range(4):
            with ctx.db.write() as session:
                redispatch_unassigned(session, ctx, county_code=COUNTY)

    errors = run_threads([submit_new, redispatch, redispatch])
    assert errors == []
    with ctx.db.write() as session:  # whatever the redispatchers had not reached yet
        redispatch_unassigned(session, ctx)

    sequential = RuleModel(county_branches(ctx))
    for _ in range(len(waiting) + fresh):
        sequential.step()
    assert assigned_counts(ctx) == sequential.counts
    with ctx.db.read() as session:
        rules = session.exec(
            select(DispatchDecision.case_id, DispatchDecision.rule).where(
                DispatchDecision.rule == RULE_WEIGHTED_ROUND_ROBIN
            )
        ).all()
        per_case = Counter(case_id for case_id, _ in rules)
        assert set(per_case.values()) == {1} and len(per_case) == len(waiting) + fresh
        assert set(waiting) <= set(per_case)
        assert verify_chain(session).ok


# 5. What the decision, the event and the SMS say.


def test_assigned_case_gets_its_sms_event_and_explained_decision(ctx: AppContext, cases: CaseFactory) -> None:
    configure_county(ctx, weights=UNEQUAL)
    decision = cases.submit()
    branches = county_branches(ctx)
    member = decision.member_code or ""
    name = short_names(ctx)[member]

    with ctx.db.read() as session:
        case = session.get(Case, decision.case_id)
        assert case is not None
        assert (case.status, case.member_code, case.branch_id) == (CaseStatus.ASSIGNED, member, branches[member].id)
        assert case.dispatched_at == ctx.clock.now()
        sms = session.exec(select(SmsMessage).where(SmsMessage.case_id == case.id)).one()
        event = session.exec(select(Event).where(Event.case_id == case.id, Event.action == Action.DISPATCH)).one()
        stored = session.get(DispatchDecision, decision.id)

    assert (sms.template, sms.phone) == ("assigned", case.owner_phone)
    assert sms.params == {"number": case.number, "member": name, "window_phone": branches[member].window_phone}
    assert name in sms.text and branches[member].window_phone in sms.text
    assert (event.status_after, event.member_code) == (CaseStatus.ASSIGNED, member)
    assert event.payload["rule"] == RULE_WEIGHTED_ROUND_ROBIN
    assert event.payload["member_code"] == member and event.payload["reason"] == decision.reason
    assert stored is not None
    share = f"本类车辆权重{branches[member].weight}/{sum(UNEQUAL)}"
    assert stored.reason == f"按权重轮转分派给{name}({share})"
    listed = stored.figures["branches"]
    assert {entry["member_code"]: entry["weight"] for entry in listed.values()} == dict(zip(member_codes(ctx), UNEQUAL))
    assert {entry["member"] for entry in listed.values()} == set(short_names(ctx).values())
    assert stored.figures["total"] == sum(UNEQUAL)


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.ASSIGNED, CaseStatus.CANCELLED])
def test_only_a_submitted_case_can_be_dispatched(ctx: AppContext, cases: CaseFactory, status: CaseStatus) -> None:
    with pytest.raises(Conflict):
        with ctx.db.write() as session:
            case = cases.add(session, status=status, member_code="picc" if status is CaseStatus.ASSIGNED else None)
            dispatch_case(session, ctx, case)
