"""Rating and complaints through HTTP: when they are allowed, what they record, what they refuse."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from server.cases.feedback import payment_qr_svg
from server.context import AppContext
from server.models import Case, Complaint, Event
from tests.server.citizen.flow import (
    OTHER_PHONE,
    PAYMENT_LINK,
    approve,
    citizen,
    clerk,
    complete,
    only_picc_open,
    submitted_case,
)
from tests.server.factories import application_payload

BASE = "/api/v1/citizen/applications"


@pytest.fixture(autouse=True)
def _picc_only(ctx: AppContext) -> None:
    only_picc_open(ctx)


def events(ctx: AppContext, case_id: int, action: str) -> list[Event]:
    with ctx.db.read() as session:
        return list(session.exec(select(Event).where(Event.case_id == case_id, Event.action == action)).all())


def test_rating_only_after_completion_and_only_once(client: TestClient, ctx: AppContext) -> None:
    me = citizen(client, ctx)
    case_id = submitted_case(client, me)
    early = client.post(f"{BASE}/{case_id}/rating", json={"stars": 5}, headers=me)
    assert early.status_code == 409 and early.json()["code"] == "not_completed"
    assert "办结后才能评价" in early.json()["detail"]

    staff = clerk(client, ctx)
    approve(client, staff, case_id)
    complete(client, staff, case_id)

    rated = client.post(f"{BASE}/{case_id}/rating", json={"stars": 4, "comment": "  办得很快  "}, headers=me)
    assert rated.status_code == 201, rated.text
    assert rated.json()["stars"] == 4 and rated.json()["comment"] == "办得很快"
    again = client.post(f"{BASE}/{case_id}/rating", json={"stars": 1}, headers=me)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"

    feedback = client.get(f"{BASE}/{case_id}/feedback", headers=me).json()
    assert feedback["rating"]["stars"] == 4 and feedback["complaints"] == []
    (event,) = events(ctx, case_id, "rate")
    assert event.payload["stars"] == 4 and event.payload["has_comment"] is True
    assert "办得很快" not in str(event.payload)  # free text stays out of the audit payload
    with ctx.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.rating == 4 and case.rated_at is not None
    # The clerk's detail shows the event with its label (the enum knows the action).
    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=staff).json()
    assert any(e["action"] == "rate" and e["action_label"] == "申请人评价" for e in detail["events"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"stars": 0}, "数值太小"),
        ({"stars": 6}, "数值太大"),
        ({"stars": 3, "comment": "好" * 201}, "评价内容不能超过200个字"),
        ({}, "请填写此项"),
    ],
)
def test_rating_refuses_bad_input_in_chinese(client: TestClient, ctx: AppContext, body: dict, message: str) -> None:
    me = citizen(client, ctx)
    case_id = submitted_case(client, me)
    response = client.post(f"{BASE}/{case_id}/rating", json=body, headers=me)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_complaint_recorded_with_an_event_and_listed(
    client: TestClient, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    me = citizen(client, ctx)
    draft = client.post(BASE, json=application_payload(serial=9), headers=me).json()["id"]
    refused = client.post(f"{BASE}/{draft}/complaints", json={"text": "窗口一直不接电话"}, headers=me)
    assert refused.status_code == 409 and refused.json()["code"] == "not_submitted"

    case_id = submitted_case(client, me)
    text = "窗口电话一直没人接,请尽快处理"
    filed = client.post(f"{BASE}/{case_id}/complaints", json={"text": f"  {text} "}, headers=me)
    assert filed.status_code == 201, filed.text
    assert filed.json()["text"] == text
    with ctx.db.read() as session:
        (complaint,) = session.exec(select(Complaint)).all()
    assert complaint.case_id == case_id and complaint.member_code == "picc" and complaint.county_code == "320902"
    (event,) = events(ctx, case_id, "complain")
    assert event.payload["complaint_id"] == complaint.id
    assert [c["text"] for c in client.get(f"{BASE}/{case_id}/feedback", headers=me).json()["complaints"]] == [text]
    assert text not in caplog.text

    too_short = client.post(f"{BASE}/{case_id}/complaints", json={"text": "差"}, headers=me)
    assert too_short.status_code == 422 and "至少5个字" in too_short.json()["detail"]


def test_complaints_are_capped_per_day(client: TestClient, ctx: AppContext) -> None:
    me = citizen(client, ctx)
    case_id = submitted_case(client, me)
    for n in range(5):
        assert (
            client.post(f"{BASE}/{case_id}/complaints", json={"text": f"第{n + 1}次投诉内容"}, headers=me).status_code
            == 201
        )
    sixth = client.post(f"{BASE}/{case_id}/complaints", json={"text": "第6次投诉内容"}, headers=me)
    assert sixth.status_code == 429 and sixth.headers["Retry-After"]
    assert "监督电话" in sixth.json()["detail"]


def test_someone_elses_case_is_not_found(client: TestClient, ctx: AppContext) -> None:
    me = citizen(client, ctx)
    case_id = submitted_case(client, me)
    stranger = citizen(client, ctx, OTHER_PHONE)
    for method, path, body in (
        ("post", "rating", {"stars": 5}),
        ("post", "complaints", {"text": "这是别人的申请"}),
        ("get", "feedback", None),
        ("get", "payment-qr.svg", None),
    ):
        response = client.request(method, f"{BASE}/{case_id}/{path}", json=body, headers=stranger)
        assert response.status_code == 404, path
    assert client.get(f"{BASE}/{case_id}/feedback").status_code == 401


def test_payment_qr_is_an_svg_of_the_link_while_awaiting_payment(client: TestClient, ctx: AppContext) -> None:
    me = citizen(client, ctx)
    case_id = submitted_case(client, me)
    assert client.get(f"{BASE}/{case_id}/payment-qr.svg", headers=me).status_code == 404
    staff = clerk(client, ctx)
    approve(client, staff, case_id)
    response = client.get(f"{BASE}/{case_id}/payment-qr.svg", headers=me)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "private, no-store"
    assert response.text.lstrip().startswith("<svg") and "<script" not in response.text
    assert response.content == payment_qr_svg(PAYMENT_LINK)
    assert client.get(f"{BASE}/{case_id}", headers=me).json()["payment_link"] == PAYMENT_LINK
    complete(client, staff, case_id)
    assert client.get(f"{BASE}/{case_id}/payment-qr.svg", headers=me).status_code == 404
