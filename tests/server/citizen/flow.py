"""Driving an online application through its life over HTTP, for the citizen tests and the e2e tests.

Works with any httpx client: FastAPI's TestClient or an httpx.Client against a
real server. The clerk's steps go through the staff API exactly as the
desktop app sends them.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import select

from common.consent import load_consent
from server.context import AppContext
from server.models import Branch, SmsMessage, StaffUser
from tests.server.factories import PASSWORD, application_payload, jpeg_bytes, make_staff

PHONE = "13912345678"
OTHER_PHONE = "13800001111"
COUNTY = "320902"
CLERK = "picc-tinghu"
PAYMENT_LINK = "https://pay.example.com/ctpl/abc123"
POLICY_LINK = "https://policy.example.com/e/PDAA2026320900000001"
NEW_DOCUMENTS = ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice")


def only_picc_open(ctx: AppContext, county_code: str = COUNTY) -> None:
    """Make dispatch predictable: only 人保财险's window in the county takes cases."""
    with ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == county_code)).all():
            branch.available = branch.member_code == "picc"
            session.add(branch)


def login_code(ctx: AppContext, phone: str) -> str:
    """The newest login code sent to `phone`, read from the SMS outbox."""
    with ctx.db.read() as session:
        message = session.exec(
            select(SmsMessage)
            .where(SmsMessage.phone == phone, SmsMessage.template == "login_code")
            .order_by(SmsMessage.id.desc())  # type: ignore[union-attr]
        ).first()
    assert message is not None, "no login code in the outbox"
    return str(message.params["code"])


def citizen(client: httpx.Client, ctx: AppContext, phone: str = PHONE) -> dict[str, str]:
    """Log a citizen in; the Authorization header."""
    assert client.post("/api/v1/citizen/login-codes", json={"phone": phone}).status_code == 202
    response = client.post("/api/v1/citizen/sessions", json={"phone": phone, "code": login_code(ctx, phone)})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def clerk(client: httpx.Client, ctx: AppContext, username: str = CLERK) -> dict[str, str]:
    """人保财险's clerk in 亭湖区 (created on first use), logged in."""
    with ctx.db.read() as session:
        exists = session.exec(select(StaffUser).where(StaffUser.username == username)).first() is not None
    if not exists:
        make_staff(ctx, username, member_code="picc", county_code=COUNTY, display_name="窗口小王")
    response = client.post("/api/v1/staff/sessions", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def staff_act(client: httpx.Client, headers: dict[str, str], case_id: int, action: str, **body: Any) -> dict[str, Any]:
    """One clerk action on the case at its current version; the fresh detail."""
    version = client.get(f"/api/v1/staff/cases/{case_id}", headers=headers).json()["version"]
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/{action}", json={"version": version, **body}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def submitted_case(client: httpx.Client, headers: dict[str, str], *, serial: int = 1, phone: str = PHONE) -> int:
    """A new-vehicle application with its four documents, submitted; its id."""
    payload = application_payload(business_type="new", county_code=COUNTY, serial=serial, phone=phone)
    created = client.post("/api/v1/citizen/applications", json=payload, headers=headers)
    assert created.status_code == 201, created.text
    case_id = int(created.json()["id"])
    for kind in NEW_DOCUMENTS:
        uploaded = client.post(
            f"/api/v1/citizen/applications/{case_id}/documents",
            data={"kind": kind},
            files={"file": ("photo.jpg", jpeg_bytes(640, 400), "image/jpeg")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
    consent = load_consent()
    submitted = client.post(
        f"/api/v1/citizen/applications/{case_id}/submit",
        json={"consent": True, "consent_version": consent.version},
        headers=headers,
    )
    assert submitted.status_code == 200, submitted.text
    return case_id


def approve(client: httpx.Client, staff: dict[str, str], case_id: int) -> None:
    """Accept (when still assigned) and send the payment link."""
    status = client.get(f"/api/v1/staff/cases/{case_id}", headers=staff).json()["status"]
    if status == "assigned":
        staff_act(client, staff, case_id, "accept")
    staff_act(client, staff, case_id, "approve", payment_link=PAYMENT_LINK, premium="120.00")


def complete(client: httpx.Client, staff: dict[str, str], case_id: int) -> None:
    """From awaiting payment to the e-policy."""
    staff_act(client, staff, case_id, "record-payment", reference="WX20260310001")
    staff_act(client, staff, case_id, "issue-policy", policy_number="PDAA2026320900000001", policy_link=POLICY_LINK)
