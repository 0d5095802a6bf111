"""The SLA clock through the actions: stopped while a supplement is awaited, escalated deadlines, overdue.

Every time is Yancheng local time; the calendar is the State Council's 2026
schedule (Spring Festival off 15–23 Feb, Saturday 14 Feb worked).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from common.enums import CaseStatus, DocumentKind, Role
from server.actor import Actor
from server.cases import action_review, supplement
from server.cases.presenters import is_overdue
from server.clock import LOCAL_ZONE, FixedClock
from server.context import AppContext
from server.models import Case
from tests.server.cases.actions_support import load, new_case, run, staff

S = CaseStatus


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_ZONE)


@pytest.fixture
def clerk(ctx: AppContext) -> Actor:
    return staff(ctx, "clerk")


def pause(ctx: AppContext, clock: FixedClock, clerk: Actor, case_id: int, when: datetime) -> Case:
    clock.set(when)
    return run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.PURCHASE_INVOICE])


def resume(ctx: AppContext, clock: FixedClock, clerk: Actor, case_id: int, when: datetime) -> Case:
    clock.set(when)
    return run(ctx, supplement.mark_supplement_received, clerk, case_id)


def reviewing_case(ctx: AppContext, clock: FixedClock, submitted: datetime) -> int:
    clock.set(submitted)
    return new_case(ctx, S.REVIEWING, submitted_at=submitted)


def test_the_time_left_when_paused_is_given_again_from_the_supplements_arrival(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))  # Tuesday
    assert load(ctx, case_id).due_at == at(3, 10, 17, 30)

    pause(ctx, clock, clerk, case_id, at(3, 10, 11))  # 6.5 working hours left
    case = resume(ctx, clock, clerk, case_id, at(3, 11, 9))

    assert case.due_at == at(3, 11, 15, 30)
    assert case.sla_paused_seconds == (6 * 60 + 30 + 30) * 60  # Tue 11:00–17:30 and Wed 08:30–09:00


def test_a_weekend_in_the_pause_costs_no_working_time(ctx: AppContext, clock: FixedClock, clerk: Actor) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 13, 10))  # Friday, due Fri 17:30

    pause(ctx, clock, clerk, case_id, at(3, 13, 16))  # 1.5 hours left
    case = resume(ctx, clock, clerk, case_id, at(3, 16, 10))  # Monday

    assert case.due_at == at(3, 16, 11, 30)
    assert case.sla_paused_seconds == 3 * 3600  # Fri 16:00–17:30 and Mon 08:30–10:00 only


def test_a_paused_case_is_never_overdue_however_long_the_customer_takes(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    pause(ctx, clock, clerk, case_id, at(3, 10, 11))

    clock.set(at(3, 20, 12))

    assert not is_overdue(load(ctx, case_id), clock.now())


def test_a_case_already_overdue_when_paused_stays_overdue_after_the_supplement(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    pause(ctx, clock, clerk, case_id, at(3, 11, 9))  # past Tue 17:30 already

    case = resume(ctx, clock, clerk, case_id, at(3, 11, 14))

    assert case.due_at == at(3, 10, 17, 30)
    assert is_overdue(case, clock.now())


def test_escalation_allows_at_most_two_working_days_from_submission(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    clock.set(at(3, 10, 15))

    case = run(ctx, action_review.escalate, clerk, case_id, reason="需上级确认")

    assert case.due_at == at(3, 12, 10)  # Thursday 10:00, not counted from the escalation


def test_escalation_skips_the_spring_festival_but_counts_the_worked_saturday(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(2, 13, 10))  # Friday before the holiday
    clock.set(at(2, 13, 11))

    case = run(ctx, action_review.escalate, clerk, case_id, reason="需上级确认")

    # Fri 10:00–17:30 (7.5 h) + Sat 14 Feb worked (9 h) + Tue 24 Feb 08:30–10:00 (1.5 h) = 18 h.
    assert case.due_at == at(2, 24, 10)


def test_escalation_gives_back_the_time_spent_awaiting_supplements(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    pause(ctx, clock, clerk, case_id, at(3, 10, 11))
    resume(ctx, clock, clerk, case_id, at(3, 11, 9))  # 7 working hours stopped
    clock.set(at(3, 11, 10))

    case = run(ctx, action_review.escalate, clerk, case_id, reason="需上级确认")

    assert case.due_at == at(3, 12, 17)  # Thu 10:00 + 7 working hours


def test_escalation_counts_every_supplement_round_including_those_paused_while_overdue(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    pause(ctx, clock, clerk, case_id, at(3, 10, 16))
    resume(ctx, clock, clerk, case_id, at(3, 10, 17))  # 1 h
    pause(ctx, clock, clerk, case_id, at(3, 11, 9))  # overdue by now; the deadline cannot move...
    resume(ctx, clock, clerk, case_id, at(3, 11, 11))  # ...but 2 h the customer took still count
    clock.set(at(3, 11, 11, 30))

    case = run(ctx, action_review.escalate, clerk, case_id, reason="需上级确认")

    assert case.sla_paused_seconds == 3 * 3600
    assert case.due_at == at(3, 12, 13)  # Thu 10:00 + 3 working hours


def test_an_escalated_case_paused_for_a_supplement_keeps_the_rest_of_its_two_days(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    clock.set(at(3, 10, 11))
    run(ctx, action_review.escalate, clerk, case_id, reason="需上级确认")  # due Thu 10:00
    supervisor = staff(ctx, "boss", Role.SUPERVISOR, county_code=None)
    run(ctx, action_review.decide, supervisor, case_id, comment="同意")

    pause(ctx, clock, clerk, case_id, at(3, 11, 10))  # 9 working hours left
    case = resume(ctx, clock, clerk, case_id, at(3, 13, 10))  # Friday

    assert case.due_at == at(3, 16, 10)  # Monday 10:00


def test_overdue_follows_the_stored_deadline_as_the_clock_passes_it(
    ctx: AppContext, clock: FixedClock, clerk: Actor
) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))

    clock.set(at(3, 10, 17, 29))
    assert not is_overdue(load(ctx, case_id), clock.now())
    clock.set(at(3, 10, 17, 31))
    assert is_overdue(load(ctx, case_id), clock.now())

    pause(ctx, clock, clerk, case_id, at(3, 10, 17, 45))
    assert not is_overdue(load(ctx, case_id), clock.now())


def test_a_finished_case_is_never_overdue(ctx: AppContext, clock: FixedClock, clerk: Actor) -> None:
    case_id = reviewing_case(ctx, clock, at(3, 10, 10))
    clock.set(at(3, 12, 10))

    case = run(ctx, action_review.reject, clerk, case_id, reason="客户放弃投保")

    assert not is_overdue(case, clock.now())
