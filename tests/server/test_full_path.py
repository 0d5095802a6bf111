"""The whole life of an online application, through HTTP, as the citizen and the clerk see it.

Also: the logs of that whole path hold no ID number, full phone number, SMS
code or token.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from common.consent import load_consent
from server.audit.chain import verify_chain
from server.context import AppContext
from server.models import Branch, Event, SmsMessage
from tests.server.factories import (
    application_payload,
    citizen_headers,
    jpeg_bytes,
    make_staff,
    staff_headers,
)

PHONE = "13912345678"
COUNTY = "320902"


@pytest.fixture
def only_picc_open_in_county(ctx: AppContext) -> None:
    """Make the dispatch outcome known: only 人保财险's window in 亭湖区 takes cases."""
    with ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == COUNTY)).all():
            branch.available = branch.member_code == "picc"
            session.add(branch)


def outbox(ctx: AppContext) -> list[SmsMessage]:
    with ctx.db.read() as session:
        return list(session.exec(select(SmsMessage).order_by(SmsMessage.id)).all())


@pytest.mark.usefixtures("only_picc_open_in_county")
def test_online_application_from_login_to_completed_policy(
    client: TestClient, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    citizen = citizen_headers(client, ctx, PHONE)
    login_code = next(m for m in outbox(ctx) if m.template == "login_code").params["code"]

    # The citizen applies for a new motorcycle and uploads the four required documents.
    payload = application_payload(business_type="new", county_code=COUNTY, phone=PHONE)
    created = client.post("/api/v1/citizen/applications", json=payload, headers={**citizen, "Idempotency-Key": "a-1"})
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    for kind in ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice"):
        uploaded = client.post(
            f"/api/v1/citizen/applications/{case_id}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.jpg", jpeg_bytes(), "image/jpeg")},
            headers=citizen,
        )
        assert uploaded.status_code == 201, uploaded.text

    consent = load_consent()
    submitted = client.post(
        f"/api/v1/citizen/applications/{case_id}/submit",
        json={"consent": True, "consent_version": consent.version},
        headers={**citizen, "Idempotency-Key": "s-1"},
    )
    assert submitted.status_code == 200, submitted.text
    view = submitted.json()
    assert view["status"] == "assigned" and view["status_label"] == "待受理"
    assert view["member_name"] == "人保财险" and view["window_phone"]
    assert view["due_at"] is not None
    assigned_sms = [m for m in outbox(ctx) if m.template == "assigned"]
    assert (
        len(assigned_sms) == 1 and "人保财险" in assigned_sms[0].text and view["window_phone"] in assigned_sms[0].text
    )

    # The 人保财险 clerk of 亭湖区 sees it in the queue and takes it.
    make_staff(ctx, "picc_tinghu", member_code="picc", county_code=COUNTY, display_name="李窗口")
    clerk = staff_headers(client, "picc_tinghu")
    queue = client.get("/api/v1/staff/cases", headers=clerk).json()
    assert [row["id"] for row in queue["items"]] == [case_id]
    assert "*" in queue["items"][0]["owner_id_masked"]

    def act(action: str, **body: object) -> dict:
        version = client.get(f"/api/v1/staff/cases/{case_id}", headers=clerk).json()["version"]
        response = client.post(
            f"/api/v1/staff/cases/{case_id}/{action}", json={"version": version, **body}, headers=clerk
        )
        assert response.status_code == 200, response.text
        return response.json()

    assert act("accept")["status"] == "reviewing"
    assert act("request-supplement", kinds=["other"], message="请补拍车辆侧面照片")["status"] == "supplement_requested"
    assert any(m.template == "supplement_requested" and "其他材料" in m.text for m in outbox(ctx))

    # The citizen sees what is asked for and supplies it.
    mine = client.get(f"/api/v1/citizen/applications/{case_id}", headers=citizen).json()
    assert mine["supplement_kinds"] == ["other"] and mine["supplement_message"] == "请补拍车辆侧面照片"
    extra = client.post(
        f"/api/v1/citizen/applications/{case_id}/documents",
        data={"kind": "other"},
        files={"file": ("side.jpg", jpeg_bytes(color=(90, 90, 90)), "image/jpeg")},
        headers=citizen,
    )
    assert extra.status_code == 201, extra.text
    supplied = client.post(f"/api/v1/citizen/applications/{case_id}/supplement", json={}, headers=citizen)
    assert supplied.status_code == 200, supplied.text
    assert supplied.json()["status"] == "reviewing"

    link = "https://pay.example-insurer.cn/ctpl/9f8e7d"
    assert act("approve", payment_link=link, premium="120.00")["status"] == "awaiting_payment"
    assert any(m.template == "payment_link" and link in m.text and "120" in m.text for m in outbox(ctx))
    mine = client.get(f"/api/v1/citizen/applications/{case_id}", headers=citizen).json()
    assert mine["payment_link"] == link

    assert act("record-payment", reference="PAY-0001")["status"] == "paid"
    policy_link = "https://epolicy.example-insurer.cn/p/PDZA202632090000001"
    done = act("issue-policy", policy_number="PDZA202632090000001", policy_link=policy_link)
    assert done["status"] == "completed" and done["status_label"] == "已办结"
    assert any(m.template == "e_policy" and policy_link in m.text for m in outbox(ctx))
    mine = client.get(f"/api/v1/citizen/applications/{case_id}", headers=citizen).json()
    assert mine["policy_link"] == policy_link and mine["status_label"] == "已办结"

    # Every step is in the audit chain, in order, and the chain is intact.
    with ctx.db.read() as session:
        actions = [
            e.action for e in session.exec(select(Event).where(Event.case_id == case_id).order_by(Event.seq)).all()
        ]
        report = verify_chain(session)
    assert report.ok, report.problem
    for expected in (
        "create",
        "upload_document",
        "submit",
        "dispatch",
        "accept",
        "request_supplement",
        "supplement",
        "approve",
        "record_payment",
        "issue_policy",
    ):
        assert expected in actions
    assert actions.index("submit") < actions.index("dispatch") < actions.index("accept") < actions.index("issue_policy")

    # Nothing secret or identifying reached the logs.
    tokens = [citizen["Authorization"].split()[1], clerk["Authorization"].split()[1]]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the path should have logged something"
    for secret in (payload["owner"]["id_number"], PHONE, login_code, *tokens):
        assert secret not in logged
