"""Ratings, complaints and cases more than a day overdue, as the coordinator's lists show them."""

from __future__ import annotations

from datetime import timedelta

from common.enums import CaseStatus
from server.context import AppContext
from server.signals.feedback import complaints, ratings
from server.signals.overdue import long_overdue
from tests.server.signals.builders import add_case, add_complaint

DAY = timedelta(days=1)


def test_low_ratings_of_the_period_are_listed_lowest_first_then_newest_first(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()
    for owner, (stars, ago) in enumerate([(5, 1), (3, 2), (1, 5), (2, 1), (1, 2), (4, 3), (1, 40)], start=1):
        add_case(
            ctx,
            owner=owner,
            submitted_at=now - (ago + 2) * DAY,
            status=CaseStatus.COMPLETED,
            member="cpic",
            county="320981",
            rating=stars,
            rating_comment=f"评价{owner}",
            rated_at=now - ago * DAY,
        )

    with ctx.db.read() as session:
        low, low_total = ratings(session, ctx.catalog, since=now - 30 * DAY, now=now, max_stars=3)
        every, every_total = ratings(session, ctx.catalog, since=now - 30 * DAY, now=now, max_stars=5)

    assert [(r.stars, r.comment) for r in low] == [
        (1, "评价5"),
        (1, "评价3"),
        (2, "评价4"),
        (3, "评价2"),
    ]
    assert low_total == 4
    assert [r.stars for r in every] == [
        1,
        1,
        2,
        3,
        4,
        5,
    ]  # the 40-day-old one is outside the period
    assert every_total == 6
    assert (low[0].county_name, low[0].member_name) == ("东台市", "太保财险")


def test_complaints_of_the_period_are_listed_newest_first_under_the_member_written_against(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()
    case = add_case(ctx, owner=1, submitted_at=now - 10 * DAY, member="picc")
    other = add_case(ctx, owner=2, submitted_at=now - 10 * DAY, member="cpic")
    add_complaint(ctx, case, "窗口电话一直打不通", at=now - 3 * DAY)
    add_complaint(ctx, other, "办理太慢了,等了两天", at=now - DAY)
    add_complaint(ctx, case, "改派前的投诉", at=now - 2 * DAY, member="pingan")
    add_complaint(ctx, case, "很久以前的投诉", at=now - 31 * DAY)

    with ctx.db.read() as session:
        listed, total = complaints(session, ctx.catalog, since=now - 30 * DAY, now=now)

    assert [(c.text, c.member_code, c.case_number) for c in listed] == [
        ("办理太慢了,等了两天", "cpic", other.number),
        ("改派前的投诉", "pingan", case.number),
        ("窗口电话一直打不通", "picc", case.number),
    ]
    assert total == 3
    assert listed[0].member_name == "太保财险"


def test_only_open_running_cases_more_than_a_day_past_the_deadline_are_listed(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()
    second = timedelta(seconds=1)

    def case(owner: int, due_ago: timedelta, **kw: object) -> str:
        made = add_case(ctx, owner=owner, submitted_at=now - 5 * DAY, due_at=now - due_ago, **kw)  # type: ignore[arg-type]
        return made.number

    barely = case(1, DAY + second)
    long_ago = case(2, 3 * DAY, status=CaseStatus.ESCALATED, county="320981")
    case(3, DAY)  # exactly a day: not more than a day
    case(4, 23 * timedelta(hours=1))
    case(5, 3 * DAY, paused_at=now - 4 * DAY, status=CaseStatus.SUPPLEMENT_REQUESTED)
    case(6, 3 * DAY, status=CaseStatus.COMPLETED)
    case(7, 3 * DAY, status=CaseStatus.REJECTED)

    with ctx.db.read() as session:
        listed, total = long_overdue(session, ctx.catalog, now=now)

    assert [o.case_number for o in listed] == [long_ago, barely]
    assert total == 2
    assert [o.overdue_seconds for o in listed] == [3 * 86400, 86401]
    assert (listed[0].status_label, listed[0].county_name, listed[0].member_name) == (
        "待上级审批",
        "东台市",
        "人保财险",
    )


def test_the_overdue_list_is_cut_at_the_limit_but_counts_every_case(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()
    for owner in range(1, 6):
        add_case(
            ctx,
            owner=owner,
            submitted_at=now - 9 * DAY,
            due_at=now - owner * DAY - timedelta(hours=1),
        )

    with ctx.db.read() as session:
        listed, total = long_overdue(session, ctx.catalog, now=now, limit=2)

    assert [o.overdue_seconds // 3600 for o in listed] == [5 * 24 + 1, 4 * 24 + 1]
    assert total == 5
