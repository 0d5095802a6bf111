"""The staff action endpoints: the whole chain over HTTP, and each refusal with its status code."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.enums import CaseStatus, Role
from server.actor import Actor
from server.audit.chain import verify_chain
from server.clock import FixedClock
from server.context import AppContext
from tests.server.cases.actions_support import OWNER_PHONE, bearer, events_of, load, new_case, staff
from tests.server.factories import last_sms

S = CaseStatus


@pytest.fixture
def clerk(ctx: AppContext) -> Actor:
    return staff(ctx, "clerk")


@pytest.fixture
def as_clerk(ctx: AppContext, clerk: Actor) -> dict[str, str]:
    return bearer(ctx, clerk)


def act(client: TestClient, headers: dict[str, str], case_id: int, action: str, **body: Any) -> Any:
    return client.post(f"/api/v1/staff/cases/{case_id}/{action}", json=body, headers=headers)


def test_a_clerk_takes_a_case_from_assigned_to_completed(
    ctx: AppContext, client: TestClient, clock: FixedClock, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.ASSIGNED)
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("accept", {}, "reviewing"),
        (
            "request-supplement",
            {"kinds": ["purchase_invoice"], "message": "请上传发票原件照片"},
            "supplement_requested",
        ),
        ("supplement", {}, "reviewing"),
        ("approve", {"payment_link": "https://pay.picc.example/c/8f2k", "premium": "120.00"}, "awaiting_payment"),
        ("record-payment", {"reference": "WX0001"}, "paid"),
        (
            "issue-policy",
            {"policy_number": "PDZA2026000001", "policy_link": "https://e.picc.example/p/8f2k"},
            "completed",
        ),
    ]

    for version, (action, body, status) in enumerate(steps, start=1):
        clock.advance(minutes=10)
        response = act(client, as_clerk, case_id, action, version=version, **body)
        assert response.status_code == 200, (action, response.text)
        detail = response.json()
        assert (detail["status"], detail["version"]) == (status, version + 1)
        if action == "request-supplement":
            assert "机动车销售统一发票" in last_sms(ctx, OWNER_PHONE, "supplement_requested").text
        if action == "approve":
            sms = last_sms(ctx, OWNER_PHONE, "payment_link").text
            assert "120.00元" in sms and "https://pay.picc.example/c/8f2k" in sms

    assert "PDZA2026000001" in last_sms(ctx, OWNER_PHONE, "e_policy").text
    assert [e.action for e in events_of(ctx, case_id)] == [
        "accept",
        "request_supplement",
        "supplement",
        "approve",
        "record_payment",
        "issue_policy",
    ]
    assert [e["action"] for e in detail["events"]] == [e.action for e in events_of(ctx, case_id)]
    assert detail["allowed_actions"] == ["call", "note"]
    with ctx.db.read() as session:
        assert verify_chain(session).ok


def test_every_action_answers_with_the_case_detail(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(client, as_clerk, case_id, "notes", version=1, text="客户下午来电")

    assert response.status_code == 201
    detail = response.json()
    assert detail["id"] == case_id and detail["status"] == "reviewing"
    assert detail["owner_id_masked"].count("*") == 8
    assert detail["events"][-1]["payload"]["text"] == "客户下午来电"


def test_a_call_is_logged(ctx: AppContext, client: TestClient, as_clerk: dict[str, str]) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(
        client,
        as_clerk,
        case_id,
        "calls",
        version=1,
        outcome="no_answer",
        started_at="2026-03-10T09:55:00+08:00",
        duration_seconds=30,
    )

    assert response.status_code == 201, response.text
    [call] = response.json()["calls"]
    assert (call["outcome_label"], call["duration_seconds"], call["user_label"]) == ("未接", 30, "clerk")


def test_a_stale_version_is_409_asking_to_refresh(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.ASSIGNED)
    assert act(client, as_clerk, case_id, "accept", version=1).status_code == 200

    response = act(client, as_clerk, case_id, "reject", version=1, reason="重复申请")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["detail"] == "该申请已被他人更新,请刷新后再操作"
    assert response.json()["current_version"] == 2


def test_an_action_the_status_does_not_allow_is_409_with_the_workflow_message(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    response = act(client, as_clerk, case_id, "approve", version=1, payment_link="https://p.example/x", premium="99")

    assert response.status_code == 409
    assert response.json()["detail"] == "该申请当前状态为“待受理”,不能执行“审核通过,发送缴费链接”"


def test_a_clerk_deciding_an_escalation_is_403(ctx: AppContext, client: TestClient, as_clerk: dict[str, str]) -> None:
    case_id = new_case(ctx, S.ESCALATED)

    response = act(client, as_clerk, case_id, "decide", version=1, comment="同意")

    assert response.status_code == 403
    assert "窗口经办" in response.json()["detail"]


def test_the_supervisor_of_the_cases_member_decides_it(ctx: AppContext, client: TestClient) -> None:
    case_id = new_case(ctx, S.ESCALATED, county_code="320921")
    boss = bearer(ctx, staff(ctx, "boss", Role.SUPERVISOR, county_code=None))

    response = act(client, boss, case_id, "decide", version=1, comment="同意承保")

    assert response.status_code == 200
    assert response.json()["status"] == "reviewing"


def test_another_members_case_is_404(ctx: AppContext, client: TestClient, as_clerk: dict[str, str]) -> None:
    case_id = new_case(ctx, S.ASSIGNED, member_code="cpic")

    response = act(client, as_clerk, case_id, "accept", version=1)

    assert response.status_code == 404
    assert load(ctx, case_id).status == S.ASSIGNED


def test_a_clerk_sees_only_their_county_but_a_supervisor_all_of_their_members(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.ASSIGNED, county_code="320903")
    boss = bearer(ctx, staff(ctx, "boss", Role.SUPERVISOR, county_code=None))

    assert act(client, as_clerk, case_id, "accept", version=1).status_code == 404
    assert act(client, boss, case_id, "accept", version=1).status_code == 200


def test_a_payment_link_must_be_https(ctx: AppContext, client: TestClient, as_clerk: dict[str, str]) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(client, as_clerk, case_id, "approve", version=1, payment_link="http://pay.example/x", premium="120")

    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "payment_link", "message": "缴费链接必须以 https:// 开头"}


@pytest.mark.parametrize(
    "premium, message",
    [
        ("0", "保费必须大于0元"),
        ("12.345", "保费最多保留两位小数(元、角、分)"),
        ("1000000", "保费不能超过100000.00元,请检查是否输错"),
    ],
)
def test_a_premium_must_be_positive_in_fen_and_sane(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str], premium: str, message: str
) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(client, as_clerk, case_id, "approve", version=1, payment_link="https://p.example/x", premium=premium)

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_rejecting_needs_a_reason(ctx: AppContext, client: TestClient, as_clerk: dict[str, str], body: dict) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(client, as_clerk, case_id, "reject", version=1, **body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert load(ctx, case_id).status == S.REVIEWING


def test_a_policy_needs_exactly_one_of_link_and_document(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.PAID)

    response = act(
        client,
        as_clerk,
        case_id,
        "issue-policy",
        version=1,
        policy_number="P1",
        policy_link="https://e.example/p",
        policy_document_id=3,
    )

    assert response.status_code == 422
    assert "二选一" in response.json()["detail"]


def test_a_call_time_without_a_zone_is_refused(ctx: AppContext, client: TestClient, as_clerk: dict[str, str]) -> None:
    case_id = new_case(ctx, S.REVIEWING)

    response = act(
        client,
        as_clerk,
        case_id,
        "calls",
        version=1,
        outcome="connected",
        started_at="2026-03-10T09:55:00",
        duration_seconds=5,
    )

    assert response.status_code == 422
    assert "时区" in response.json()["detail"]


def test_reassigning_is_403_for_a_clerk_and_done_by_the_coordinator(
    ctx: AppContext, client: TestClient, as_clerk: dict[str, str]
) -> None:
    case_id = new_case(ctx, S.REVIEWING)
    coordinator = bearer(ctx, staff(ctx, "city", Role.COORDINATOR, member_code=None, county_code=None))

    refused = act(client, as_clerk, case_id, "reassign", version=1, member_code="cpic", reason="忙不过来")
    done = act(client, coordinator, case_id, "reassign", version=1, member_code="cpic", reason="人保窗口停办")

    assert refused.status_code == 403
    assert done.status_code == 200
    assert (done.json()["member_code"], done.json()["status"]) == ("cpic", "assigned")
    # The old member's clerk no longer sees the case.
    assert act(client, as_clerk, case_id, "notes", version=2, text="还在吗").status_code == 404


def test_reassigning_to_an_unknown_member_is_422(ctx: AppContext, client: TestClient) -> None:
    case_id = new_case(ctx, S.ASSIGNED)
    coordinator = bearer(ctx, staff(ctx, "city", Role.COORDINATOR, member_code=None, county_code=None))

    response = act(client, coordinator, case_id, "reassign", version=1, member_code="acme", reason="测试")

    assert response.status_code == 422


def test_actions_need_a_staff_login(ctx: AppContext, client: TestClient) -> None:
    case_id = new_case(ctx, S.ASSIGNED)

    assert act(client, {}, case_id, "accept", version=1).status_code == 401
