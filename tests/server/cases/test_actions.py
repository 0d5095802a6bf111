"""The workflow actions as services (no HTTP): what each one changes, records and texts, and what it refuses."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from common.enums import CallOutcome, CaseStatus, DocumentKind, Role
from server.actor import Actor
from server.cases import action_contact, action_payment, action_reassign, action_review, supplement
from server.cases.scope import load_case
from server.clock import LOCAL_ZONE, FixedClock
from server.context import AppContext
from server.errors import BadInput, Conflict, Forbidden, NotFound, StaleVersion
from server.models import Branch, CallRecord
from tests.server.cases.actions_support import (
    OWNER_PHONE,
    add_document,
    events_of,
    load,
    new_case,
    run,
    sms_count,
    staff,
)
from tests.server.factories import last_sms

S = CaseStatus


@pytest.fixture
def clerk(ctx: AppContext) -> Actor:
    return staff(ctx, "clerk")


@pytest.fixture
def supervisor(ctx: AppContext) -> Actor:
    return staff(ctx, "boss", Role.SUPERVISOR, county_code=None)


@pytest.fixture
def coordinator(ctx: AppContext) -> Actor:
    return staff(ctx, "city", Role.COORDINATOR, member_code=None, county_code=None)


def test_accepting_makes_the_clerk_the_handler_and_starts_review(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    case = run(ctx, action_review.accept, clerk, case_id)

    assert case.status == S.REVIEWING
    assert case.handler_user_id == clerk.user_id
    assert case.version == 2
    [event] = events_of(ctx, case_id)
    assert (event.action, event.status_after, event.actor_user_id) == ("accept", "reviewing", clerk.user_id)


def test_requesting_a_supplement_stops_the_clock_and_texts_what_is_missing(
    ctx: AppContext, clerk: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    case = run(
        ctx,
        supplement.request_supplement,
        clerk,
        case_id,
        kinds=[DocumentKind.ID_BACK, DocumentKind.PURCHASE_INVOICE],
        message="发票照片太模糊",
    )

    assert case.status == S.SUPPLEMENT_REQUESTED
    assert case.supplement_round == 1
    assert case.supplement_kinds == ["id_back", "purchase_invoice"]
    assert case.supplement_message == "发票照片太模糊"
    assert case.sla_paused_at == clock.now()
    sms = last_sms(ctx, OWNER_PHONE, "supplement_requested")
    assert "身份证国徽面、机动车销售统一发票" in sms.text
    assert "发票照片太模糊。请登录" in sms.text
    assert case.number in sms.text
    assert events_of(ctx, case_id)[-1].payload["kinds"] == ["id_back", "purchase_invoice"]


def test_each_supplement_request_opens_a_new_round(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.ID_FRONT])
    run(ctx, supplement.mark_supplement_received, clerk, case_id)

    case = run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.OTHER])

    assert case.supplement_round == 2
    assert case.supplement_kinds == ["other"]
    assert case.supplement_message is None


def test_staff_marking_the_supplement_received_resumes_review_and_the_clock(
    ctx: AppContext, clerk: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.ID_FRONT])
    clock.advance(hours=1)

    case = run(ctx, supplement.mark_supplement_received, clerk, case_id)

    assert case.status == S.REVIEWING
    assert case.sla_paused_at is None
    assert case.sla_paused_seconds == 3600
    payload = events_of(ctx, case_id)[-1].payload
    assert payload["due_before"] == "2026-03-10T17:30:00+08:00"
    assert payload["due_after"] == "2026-03-11T09:30:00+08:00"
    assert payload["paused_working_seconds"] == 3600


def test_the_citizen_route_completes_a_supplement_on_a_case_it_loaded(
    ctx: AppContext, clerk: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.ID_FRONT])
    citizen = Actor(role=Role.CITIZEN, phone=OWNER_PHONE)

    with ctx.db.write() as session:
        case = load_case(session, citizen, case_id, for_update=True)
        supplement.complete_supplement(session, ctx, citizen, case)

    assert load(ctx, case_id).status == S.REVIEWING
    event = events_of(ctx, case_id)[-1]
    assert (event.action, event.actor_role) == ("supplement", "citizen")
    assert OWNER_PHONE not in event.actor_label  # masked in the timeline


def test_a_supplement_cannot_complete_when_none_was_requested(ctx: AppContext) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    citizen = Actor(role=Role.CITIZEN, phone=OWNER_PHONE)

    with ctx.db.write() as session, pytest.raises(Conflict, match="审核中"):
        supplement.complete_supplement(session, ctx, citizen, load_case(session, citizen, case_id))


def test_outstanding_kinds_are_the_requested_ones_not_yet_uploaded_this_round(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.ID_FRONT, DocumentKind.OTHER])
    add_document(ctx, case_id, DocumentKind.ID_FRONT, round=0)  # the first round's does not count
    add_document(ctx, case_id, DocumentKind.OTHER, round=1)

    with ctx.db.read() as session:
        assert supplement.outstanding_kinds(session, load(ctx, case_id)) == [DocumentKind.ID_FRONT]


def test_escalating_gives_two_working_days_from_submission(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.REVIEWING)  # submitted Tue 10:00, due Tue 17:30

    case = run(ctx, action_review.escalate, clerk, case_id, reason="车辆改装,需上级确认")

    assert case.status == S.ESCALATED
    assert case.escalated is True
    assert case.due_at == datetime(2026, 3, 12, 10, 0, tzinfo=LOCAL_ZONE)
    assert events_of(ctx, case_id)[-1].payload["reason"] == "车辆改装,需上级确认"


def test_a_supervisor_lets_an_escalated_case_proceed_keeping_its_deadline(
    ctx: AppContext, clerk: Actor, supervisor: Actor
) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    due = run(ctx, action_review.escalate, clerk, case_id, reason="特殊车辆").due_at

    case = run(ctx, action_review.decide, supervisor, case_id, comment="同意承保")

    assert case.status == S.REVIEWING
    assert case.escalated is True and case.due_at == due
    assert events_of(ctx, case_id)[-1].payload["comment"] == "同意承保"


def test_a_clerk_cannot_decide_an_escalation(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.ESCALATED)

    with pytest.raises(Forbidden, match="窗口经办"):
        run(ctx, action_review.decide, clerk, case_id, comment="同意")
    assert events_of(ctx, case_id) == []


def test_approving_stores_premium_and_link_and_texts_both(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    case = run(
        ctx,
        action_payment.approve,
        clerk,
        case_id,
        payment_link="https://pay.picc.example/p/abc?t=SECRET",
        premium=Decimal("120"),
    )

    assert case.status == S.AWAITING_PAYMENT
    assert case.premium == Decimal("120")
    sms = last_sms(ctx, OWNER_PHONE, "payment_link")
    assert "保费120.00元" in sms.text and "https://pay.picc.example/p/abc?t=SECRET" in sms.text
    payload = events_of(ctx, case_id)[-1].payload
    assert payload["premium"] == "120.00"
    assert "SECRET" not in str(payload)  # the link's token stays out of the change feed


def test_an_offline_case_can_still_be_approved(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.OFFLINE)

    case = run(
        ctx, action_payment.approve, clerk, case_id, payment_link="https://pay.example/x", premium=Decimal("95.50")
    )

    assert case.status == S.AWAITING_PAYMENT


def test_recording_a_payment_defaults_to_now_and_keeps_the_reference(
    ctx: AppContext, clerk: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.AWAITING_PAYMENT)

    case = run(ctx, action_payment.record_payment, clerk, case_id, reference="WX20260310001")

    assert case.status == S.PAID
    assert case.paid_at == clock.now()
    assert case.payment_reference == "WX20260310001"


def test_a_payment_time_in_the_future_is_refused(ctx: AppContext, clerk: Actor, clock: FixedClock) -> None:
    case_id = new_case(ctx, S.AWAITING_PAYMENT)

    with pytest.raises(BadInput, match="缴费时间不能晚于当前时间"):
        run(ctx, action_payment.record_payment, clerk, case_id, paid_at=clock.now() + timedelta(hours=1))
    with pytest.raises(BadInput, match="早于申请提交"):
        run(ctx, action_payment.record_payment, clerk, case_id, paid_at=clock.now() - timedelta(days=3))
    assert load(ctx, case_id).status == S.AWAITING_PAYMENT


def test_issuing_a_policy_with_a_link_completes_the_case_and_texts_the_link(
    ctx: AppContext, clerk: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.PAID)

    case = run(
        ctx,
        action_payment.issue_policy,
        clerk,
        case_id,
        policy_number="PDZA202632090200001",
        policy_link="https://e.picc.example/p/1",
    )

    assert case.status == S.COMPLETED
    assert case.finished_at == clock.now()
    sms = last_sms(ctx, OWNER_PHONE, "e_policy")
    assert "PDZA202632090200001" in sms.text and "https://e.picc.example/p/1" in sms.text


def test_issuing_a_policy_from_an_uploaded_pdf_texts_the_citizens_policy_page(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.PAID)
    document_id = add_document(ctx, case_id, DocumentKind.E_POLICY)

    case = run(ctx, action_payment.issue_policy, clerk, case_id, policy_number="P1", policy_document_id=document_id)

    assert case.policy_document_id == document_id and case.policy_link is None
    expected = f"{ctx.settings.public_base_url}/m/applications/{case_id}/policy"
    assert expected in last_sms(ctx, OWNER_PHONE, "e_policy").text


@pytest.mark.parametrize("kind, on_other_case", [(DocumentKind.ID_FRONT, False), (DocumentKind.E_POLICY, True)])
def test_a_policy_document_must_be_this_cases_e_policy(
    ctx: AppContext, clerk: Actor, kind: DocumentKind, on_other_case: bool
) -> None:
    case_id = new_case(ctx, S.PAID)
    document_id = add_document(ctx, new_case(ctx, S.PAID) if on_other_case else case_id, kind)

    with pytest.raises(BadInput, match="没有这份电子保单"):
        run(ctx, action_payment.issue_policy, clerk, case_id, policy_number="P1", policy_document_id=document_id)
    assert sms_count(ctx) == 0


def test_moving_offline_records_why(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.AWAITING_PAYMENT)

    case = run(ctx, action_review.move_offline, clerk, case_id, reason="客户不会网上缴费,约定到窗口")

    assert case.status == S.OFFLINE
    assert events_of(ctx, case_id)[-1].payload["reason"] == "客户不会网上缴费,约定到窗口"


def test_rejecting_closes_the_case_with_its_reason(ctx: AppContext, clerk: Actor, clock: FixedClock) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    case = run(ctx, action_review.reject, clerk, case_id, reason="车辆已投保")

    assert case.status == S.REJECTED
    assert case.closing_reason == "车辆已投保"
    assert case.finished_at == clock.now()


def test_reassigning_moves_the_case_to_the_other_members_window_in_the_same_county(
    ctx: AppContext, clerk: Actor, coordinator: Actor
) -> None:
    case_id = new_case(ctx, S.REVIEWING, handler_user_id=clerk.user_id)
    due = load(ctx, case_id).due_at

    case = run(ctx, action_reassign.reassign, coordinator, case_id, member_code="cpic", reason="人保窗口今日停办")

    with ctx.db.read() as session:
        branch = session.get(Branch, case.branch_id)
    assert (case.status, case.member_code, case.handler_user_id, case.due_at) == (S.ASSIGNED, "cpic", None, due)
    assert (branch.member_code, branch.county_code) == ("cpic", "320902")
    event = events_of(ctx, case_id)[-1]
    assert (event.member_code, event.previous_member_code) == ("cpic", "picc")
    assert event.payload["reason"] == "人保窗口今日停办"
    assert branch.window_phone in last_sms(ctx, OWNER_PHONE, "assigned").text


def test_reassigning_a_case_awaiting_a_supplement_ends_the_pause(
    ctx: AppContext, clerk: Actor, coordinator: Actor, clock: FixedClock
) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, supplement.request_supplement, clerk, case_id, kinds=[DocumentKind.OTHER])
    clock.advance(hours=2)

    case = run(ctx, action_reassign.reassign, coordinator, case_id, member_code="pingan", reason="客户要求")

    assert case.sla_paused_at is None and case.sla_paused_seconds == 7200
    assert case.due_at == datetime(2026, 3, 11, 10, 30, tzinfo=LOCAL_ZONE)


@pytest.mark.parametrize(
    "member_code, message", [("nosuch", "没有代码为“nosuch”的成员机构"), ("picc", "已由人保财险承办")]
)
def test_reassigning_needs_another_existing_member(
    ctx: AppContext, coordinator: Actor, member_code: str, message: str
) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    with pytest.raises(BadInput, match=message):
        run(ctx, action_reassign.reassign, coordinator, case_id, member_code=member_code, reason="测试")


def test_reassigning_is_the_coordinators(ctx: AppContext, clerk: Actor, supervisor: Actor) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    for actor in (clerk, supervisor):
        with pytest.raises(Forbidden):
            run(ctx, action_reassign.reassign, actor, case_id, member_code="cpic", reason="想换")


def test_a_call_is_kept_with_its_notes_and_changes_no_status(ctx: AppContext, clerk: Actor, clock: FixedClock) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    started = clock.now() - timedelta(minutes=3)

    case = run(
        ctx,
        action_contact.log_call,
        clerk,
        case_id,
        outcome=CallOutcome.CONNECTED,
        started_at=started,
        duration_seconds=95,
        notes="客户说明天下午来窗口",
    )

    assert case.status == S.REVIEWING and case.version == 2
    with ctx.db.read() as session:
        [call] = session.exec(select(CallRecord).where(CallRecord.case_id == case_id)).all()
    assert (call.outcome, call.started_at, call.duration_seconds, call.user_id) == (
        "connected",
        started,
        95,
        clerk.user_id,
    )
    event = events_of(ctx, case_id)[-1]
    assert (event.action, event.status_after, event.payload["call_id"]) == ("call", "reviewing", call.id)
    assert "明天下午" not in str(event.payload)  # notes stay on the call record


def test_a_call_starting_in_the_future_is_refused(ctx: AppContext, clerk: Actor, clock: FixedClock) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    with pytest.raises(BadInput, match="通话开始时间"):
        run(
            ctx,
            action_contact.log_call,
            clerk,
            case_id,
            outcome=CallOutcome.NO_ANSWER,
            started_at=clock.now() + timedelta(hours=1),
            duration_seconds=0,
        )


def test_a_note_is_an_event_only(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.COMPLETED)

    case = run(ctx, action_contact.add_note, clerk, case_id, text="客户来电询问保单邮寄")

    assert case.status == S.COMPLETED
    [event] = events_of(ctx, case_id)
    assert (event.action, event.payload["text"]) == ("note", "客户来电询问保单邮寄")


def test_a_stale_version_is_refused_and_changes_nothing(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    run(ctx, action_contact.add_note, clerk, case_id, text="第一条")

    with pytest.raises(StaleVersion, match="该申请已被他人更新,请刷新后再操作"):
        run(
            ctx,
            action_payment.approve,
            clerk,
            case_id,
            version=1,
            payment_link="https://p.example/x",
            premium=Decimal("1"),
        )
    assert load(ctx, case_id).status == S.REVIEWING
    assert len(events_of(ctx, case_id)) == 1
    assert sms_count(ctx) == 0


def test_an_action_not_allowed_in_the_status_is_a_conflict_naming_the_status(ctx: AppContext, clerk: Actor) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    with pytest.raises(Conflict, match="当前状态为“待受理”,不能执行“确认缴费”"):
        run(ctx, action_payment.record_payment, clerk, case_id)
    assert events_of(ctx, case_id) == []


def test_cases_outside_the_scope_are_not_found(ctx: AppContext, clerk: Actor) -> None:
    other_member = new_case(ctx, S.ASSIGNED, member_code="cpic")
    other_county = new_case(ctx, S.ASSIGNED, county_code="320903")

    for case_id in (other_member, other_county):
        with pytest.raises(NotFound):
            run(ctx, action_review.accept, clerk, case_id)


def test_a_supervisor_acts_in_every_county_of_their_member(ctx: AppContext, supervisor: Actor) -> None:
    case_id = new_case(ctx, S.ASSIGNED, county_code="320981")

    assert run(ctx, action_review.accept, supervisor, case_id).status == S.REVIEWING
    with pytest.raises(NotFound):
        run(ctx, action_review.accept, supervisor, new_case(ctx, S.ASSIGNED, member_code="cpic"))
