"""The intermediary rule flags exactly the phones that applied for the threshold's number of owners in the window."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from common.enums import CaseStatus
from server.context import AppContext
from server.signals.intermediary import flag_intermediaries
from tests.server.signals.builders import add_case

DAY = timedelta(days=1)

TWO = "13800000002"  # 2 owners: under the default threshold
THREE = "13800000003"  # 3 owners: flagged
FOUR = "13800000004"  # 4 owners, one of them twice: flagged with 4
REPEATS = "13800000005"  # 2 owners, 4 applications: repeats count once
OLD = "13800000006"  # 2 owners in the window, 2 more 31 and 35 days ago
DRAFTS = "13800000007"  # 2 submitted, 2 more owners only in drafts
COUNTER = "13800000008"  # 3 owners at the counter, the phone given there
MIXED = "13800000009"  # 2 owners online + 1 at the counter with the same phone
SELF = "13900000000"  # logs in with own phone for an owner whose contact phone is TWO


def flags(ctx: AppContext, *, threshold: int = 3, window_days: int = 30) -> tuple[dict[str, int], int]:
    """Masked phone → owners, and the total the service reports."""
    with ctx.db.read() as session:
        found, total = flag_intermediaries(
            session,
            ctx.catalog,
            threshold=threshold,
            window_days=window_days,
            now=ctx.clock.now(),
        )
    return {f.phone_masked: f.owners for f in found}, total


@pytest.fixture
def known_set(ctx: AppContext) -> None:
    """Phones with 2, 3 and 4 owners, repeats, old applications, drafts and counter intakes."""
    now = ctx.clock.now()
    owner = iter(range(1, 1000))

    def online(phone: str, *, ago: timedelta = DAY, who: int | None = None, **kw: object) -> int:
        who = who if who is not None else next(owner)
        add_case(ctx, owner=who, applicant_phone=phone, submitted_at=now - ago, **kw)  # type: ignore[arg-type]
        return who

    for _ in range(2):
        online(TWO)
    for _ in range(3):
        online(THREE, ago=3 * DAY)
    repeated = online(FOUR)
    for _ in range(3):
        online(FOUR, ago=2 * DAY)
    online(FOUR, who=repeated, ago=5 * DAY, status=CaseStatus.REJECTED)
    first, second = online(REPEATS), online(REPEATS)
    online(REPEATS, who=first, ago=2 * DAY)
    online(REPEATS, who=second, ago=3 * DAY, status=CaseStatus.CANCELLED)
    online(OLD, ago=29 * DAY)
    online(OLD, ago=30 * DAY)  # exactly at the window's start: inside
    online(OLD, ago=31 * DAY)
    online(OLD, ago=35 * DAY)
    online(DRAFTS)
    online(DRAFTS)
    for _ in range(2):
        add_case(
            ctx,
            owner=next(owner),
            applicant_phone=DRAFTS,
            submitted_at=None,
            status=CaseStatus.DRAFT,
        )
    for _ in range(3):
        add_case(ctx, owner=next(owner), owner_phone=COUNTER, submitted_at=now - DAY)
    online(MIXED)
    online(MIXED)
    add_case(ctx, owner=next(owner), owner_phone=MIXED, submitted_at=now - 4 * DAY)
    # An online applicant's own login phone decides, not the contact phone typed in for the owner.
    add_case(
        ctx,
        owner=next(owner),
        applicant_phone=SELF,
        owner_phone=TWO,
        submitted_at=now - DAY,
    )


@pytest.mark.usefixtures("known_set")
def test_the_default_rule_flags_exactly_the_phones_with_three_owners_or_more(
    ctx: AppContext,
) -> None:
    found, total = flags(ctx)

    assert found == {
        "138****0003": 3,
        "138****0004": 4,
        "138****0008": 3,
        "138****0009": 3,
    }
    assert total == 4


@pytest.mark.usefixtures("known_set")
def test_raising_the_threshold_leaves_only_the_phone_with_four_owners(
    ctx: AppContext,
) -> None:
    assert flags(ctx, threshold=4) == ({"138****0004": 4}, 1)
    assert flags(ctx, threshold=5) == ({}, 0)


@pytest.mark.usefixtures("known_set")
def test_lowering_the_threshold_flags_the_phones_with_two_owners_too(
    ctx: AppContext,
) -> None:
    found, _ = flags(ctx, threshold=2)

    assert found == {
        "138****0002": 2,
        "138****0003": 3,
        "138****0004": 4,
        "138****0005": 2,
        "138****0006": 2,
        "138****0007": 2,
        "138****0008": 3,
        "138****0009": 3,
    }


@pytest.mark.usefixtures("known_set")
def test_widening_the_window_brings_in_older_applications(ctx: AppContext) -> None:
    assert flags(ctx, window_days=36)[0]["138****0006"] == 4
    assert "138****0006" not in flags(ctx, window_days=30)[0]
    # Only yesterday's applications in a 1-day window (and the old ones drop out).
    assert flags(ctx, window_days=1) == ({"138****0008": 3}, 1)


@pytest.mark.usefixtures("known_set")
def test_a_flag_lists_every_application_of_the_phone_in_the_window_oldest_first(
    ctx: AppContext,
) -> None:
    with ctx.db.read() as session:
        found, _ = flag_intermediaries(session, ctx.catalog, threshold=4, window_days=30, now=ctx.clock.now())

    (flag,) = found
    assert flag.phone_masked == "138****0004"
    assert len(flag.applications) == 5
    times = [a.submitted_at for a in flag.applications]
    assert times == sorted(times)
    assert flag.applications[0].status_label == "已退回"
    assert {a.owner_name for a in flag.applications} == {f"车主{n}" for n in (6, 7, 8, 9)}
    assert flag.applications[0].county_name == "亭湖区"


@pytest.mark.usefixtures("known_set")
def test_flags_never_carry_the_full_phone_number(ctx: AppContext) -> None:
    with ctx.db.read() as session:
        found, _ = flag_intermediaries(session, ctx.catalog, threshold=2, window_days=365, now=ctx.clock.now())

    dumped = "".join(flag.model_dump_json() for flag in found)
    for phone in (TWO, THREE, FOUR, REPEATS, OLD, DRAFTS, COUNTER, MIXED):
        assert phone not in dumped


def test_flags_are_ordered_most_owners_first_and_cut_at_the_limit(
    ctx: AppContext,
) -> None:
    now = ctx.clock.now()
    owner = iter(range(1, 1000))
    for phone, owners in (("13600000003", 3), ("13600000005", 5), ("13600000004", 4)):
        for _ in range(owners):
            add_case(ctx, owner=next(owner), applicant_phone=phone, submitted_at=now - DAY)

    with ctx.db.read() as session:
        found, total = flag_intermediaries(session, ctx.catalog, threshold=3, window_days=30, now=now, limit=2)

    assert [(f.phone_masked, f.owners) for f in found] == [
        ("136****0005", 5),
        ("136****0004", 4),
    ]
    assert total == 3


@dataclass(frozen=True)
class Generated:
    applicant_phone: str | None
    owner_phone: str
    owner: int
    submitted_at: datetime | None


def expected_flags(cases: list[Generated], *, now: datetime, threshold: int, window_days: int) -> dict[str, int]:
    """The rule written out plainly, as the oracle for the generated data set."""
    owners: dict[str, set[int]] = defaultdict(set)
    start = now - timedelta(days=window_days)
    for case in cases:
        if case.submitted_at is not None and start <= case.submitted_at <= now:
            owners[case.applicant_phone or case.owner_phone].add(case.owner)
    return {f"{phone[:3]}****{phone[-4:]}": len(o) for phone, o in owners.items() if len(o) >= threshold}


def test_a_generated_data_set_gives_exactly_the_flags_the_rule_describes(
    ctx: AppContext,
) -> None:
    rng = random.Random(20260310)
    now = ctx.clock.now()
    phones = [f"1{rng.choice('3589')}{n:09d}" for n in range(1, 41)]
    cases: list[Generated] = []
    for _ in range(300):
        online = rng.random() < 0.7
        phone = rng.choice(phones)
        drafted = rng.random() < 0.1
        case = Generated(
            applicant_phone=phone if online else None,
            owner_phone=rng.choice(phones) if online else phone,
            owner=rng.randrange(60),
            submitted_at=None if drafted else now - timedelta(hours=rng.randrange(0, 60 * 24)),
        )
        cases.append(case)
        add_case(
            ctx,
            owner=case.owner,
            applicant_phone=case.applicant_phone,
            owner_phone=case.owner_phone,
            submitted_at=case.submitted_at,
            status=CaseStatus.DRAFT if drafted else CaseStatus.ASSIGNED,
        )

    # The default rule flags some phones and not others: the set tells them apart.
    assert 0 < len(expected_flags(cases, now=now, threshold=3, window_days=30)) < len(phones)
    for threshold, window_days in ((3, 30), (2, 7), (4, 45), (5, 60), (3, 1)):
        expected = expected_flags(cases, now=now, threshold=threshold, window_days=window_days)
        assert flags(ctx, threshold=threshold, window_days=window_days) == (
            expected,
            len(expected),
        )
