"""What the demo fills in: the demo day's cases in every stage, and six months of past cases before it.

The demo is filled once for this module, on the server tests' fixed clock
(Tuesday 2026-03-10, 10:00 in Yancheng), through `fill_demo`.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from common.enums import CaseStatus, Channel, DocumentKind, VehicleCategory
from common.validators import mask_phone
from server.app import build_context
from server.audit.chain import verify_chain
from server.clock import FixedClock, local
from server.context import AppContext
from server.db import Database
from server.demo import CITIZEN_PHONE, DemoLogins, fill_demo
from server.demo_history import INTERMEDIARY_PHONE
from server.models import Branch, Case, DispatchDecision, Document, Event, SmsMessage
from server.settings import Settings
from server.signals.report import collect_signals
from server.stats.report import statistics
from tests.server.conftest import TEST_DATABASE_URL, WORKING_MORNING

# The demo day's cases are filed over the three hours before the clock's time.
DAY_START = WORKING_MORNING - timedelta(hours=3)


@pytest.fixture(scope="module")
def filled(
    tmp_path_factory: pytest.TempPathFactory, schema_template: object
) -> Iterator[tuple[AppContext, DemoLogins]]:
    """A fresh database (as the `database` fixture makes one) with the demo in it, and what the demo printed."""
    home = tmp_path_factory.mktemp("filled")
    if TEST_DATABASE_URL:
        database = Database(TEST_DATABASE_URL)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version")
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        shutil.copyfile(str(schema_template), home / "no1window.db")
        database = Database(f"sqlite:///{home / 'no1window.db'}")
    settings = Settings(_env_file=None, data_dir=home / "data")  # type: ignore[call-arg]
    ctx = build_context(settings, clock=FixedClock(WORKING_MORNING), database=database)
    logins = fill_demo(ctx)
    yield ctx, logins
    database.dispose()


def _split(ctx: AppContext, logins: DemoLogins) -> tuple[list[Case], list[Case]]:
    """The demo day's cases (the ones printed) and the past ones."""
    printed = {c.number for c in logins.cases}
    with ctx.db.read() as session:
        cases = list(session.exec(select(Case).order_by(Case.id)).all())
    return [c for c in cases if c.number in printed], [c for c in cases if c.number not in printed]


def test_the_demo_day_has_a_case_in_every_stage(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, logins = filled
    today, _ = _split(ctx, logins)

    statuses = Counter(c.status for c in today)
    for status in (
        "assigned",
        "reviewing",
        "supplement_requested",
        "escalated",
        "awaiting_payment",
        "paid",
        "completed",
        "rejected",
        "cancelled",
    ):
        assert statuses[status] >= 1, status
    with ctx.db.read() as session:
        awaiting = next(c for c in today if c.status == CaseStatus.AWAITING_PAYMENT.value)
        assert awaiting.payment_link and awaiting.payment_link.startswith("https://") and awaiting.premium
        done = next(c for c in today if c.status == CaseStatus.COMPLETED.value)
        assert done.policy_number and done.policy_document_id and done.paid_at
        policy = session.get(Document, done.policy_document_id)
        assert policy is not None and policy.kind == DocumentKind.E_POLICY.value
        assert policy.content_type == "application/pdf"
    assert next(c for c in today if c.status == CaseStatus.REJECTED.value).closing_reason
    truck = next(c for c in today if c.channel == Channel.COUNTER.value)
    assert truck.category == VehicleCategory.NONOPERATING_TRUCK.value and truck.created_by_user_id
    assert {c.member for c in logins.cases if c.applicant == CITIZEN_PHONE} == {"人保财险"}
    assert all(c.created_at >= DAY_START for c in today)


def test_every_case_past_or_present_went_through_dispatch(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, _ = filled
    with ctx.db.read() as session:
        cases = session.exec(select(Case)).all()
        for case in cases:
            assert session.exec(select(DispatchDecision).where(DispatchDecision.case_id == case.id)).first()
            actions = {e.action for e in session.exec(select(Event).where(Event.case_id == case.id)).all()}
            assert {"create", "upload_document", "submit", "dispatch"} <= actions
            assert session.exec(
                select(SmsMessage).where(SmsMessage.case_id == case.id, SmsMessage.template == "assigned")
            ).first()
        # Routing the demo's cases to their windows left every window of the pool switched on again.
        assert all(b.available for b in session.exec(select(Branch)).all())


def test_the_events_follow_their_times_and_the_chain_verifies(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, _ = filled
    with ctx.db.read() as session:
        events = session.exec(select(Event).order_by(Event.seq)).all()
        times = [e.created_at for e in events]
        report = verify_chain(session)

    assert report.ok and report.checked == len(times) > 1000
    assert times == sorted(times)


def test_the_past_ends_before_the_demo_day_with_one_case_left_open(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, logins = filled
    _, past = _split(ctx, logins)

    assert len(past) >= 80
    assert all(c.created_at < DAY_START for c in past)
    assert max(c.finished_at for c in past if c.finished_at) < DAY_START
    still_open = [c for c in past if CaseStatus(c.status).is_open]
    assert [c.status for c in still_open] == [CaseStatus.REVIEWING.value]  # the one left overdue


def test_the_past_six_months_give_the_statistics_something_to_show(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, _ = filled
    with ctx.db.read() as session:
        stats = statistics(
            session,
            ctx.catalog,
            date_from=date(2025, 9, 1),
            date_to=date(2026, 3, 10),
            calendar=ctx.calendar,
            hours=ctx.hours,
            now=WORKING_MORNING,
        )

    by_month = {m.month: m.count for m in stats.by_month}
    assert all(by_month[month] >= 8 for month in ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02")), by_month
    assert by_month["2026-03"] >= 3
    assert all(row.count > 0 for row in stats.by_category), stats.by_category
    assert sum(row.count > 0 for row in stats.by_member) >= 6
    assert sum(row.count > 0 for row in stats.by_county) >= 6
    assert stats.rejected >= 5 and len(stats.rejections_by_reason) >= 3
    assert stats.ratings.count >= 10 and any(row.count for row in stats.ratings.by_stars if row.stars <= 2)
    # Most cases keep the same-day promise, not all: supplements and late payments take longer.
    assert stats.completion.same_day_rate is not None and 0.5 < stats.completion.same_day_rate < 1


def test_the_signals_page_has_one_of_each_kind(
    filled: tuple[AppContext, DemoLogins],
) -> None:
    ctx, _ = filled
    with ctx.db.read() as session:
        signals = collect_signals(session, ctx.catalog, now=WORKING_MORNING, period_days=30, max_stars=3)

    # Listed first: the demo citizen's phone, with four owners on the demo day, is flagged too.
    intermediary = signals.intermediaries[0]
    assert intermediary.phone_masked == mask_phone(INTERMEDIARY_PHONE)
    assert intermediary.owners == 5 and {a.county_name for a in intermediary.applications} == {"响水县"}
    (late,) = signals.overdue
    assert late.overdue_seconds > 24 * 3600 and late.county_name == "大丰区"
    assert any(r.stars <= 2 and r.comment for r in signals.ratings)
    (complaint,) = signals.complaints
    assert complaint.case_id == late.case_id
    assert local(complaint.created_at).date() < WORKING_MORNING.date()
