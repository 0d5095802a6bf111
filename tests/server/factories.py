"""Test data: valid owners and vehicles, sample files, logged-in clients."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from common.enums import Role
from common.validators import resident_id_check_char, vin_check_digit
from server.context import AppContext
from server.models import SmsMessage, StaffUser
from server.pool import create_user

PASSWORD = "window-pass-2026"


def id_number(region: str = "320902", birth: date = date(1975, 6, 18), sequence: str = "123") -> str:
    """A resident ID number with a correct check character."""
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + resident_id_check_char(first17)


def vin(serial: int = 1, wmi: str = "LBP", vds: str = "KE1800") -> str:
    """A VIN with a correct check digit; `serial` makes it unique."""
    draft = f"{wmi}{vds}0R{serial:06d}"
    check = vin_check_digit(draft)
    return draft[:8] + check + draft[9:]


def application_payload(
    *,
    business_type: str = "new",
    county_code: str = "320902",
    serial: int = 1,
    phone: str = "13912345678",
    **overrides: Any,
) -> dict[str, Any]:
    """A valid online motorcycle application."""
    payload: dict[str, Any] = {
        "business_type": business_type,
        "county_code": county_code,
        "owner": {"name": "王建国", "id_number": id_number(sequence=f"{serial % 1000:03d}"), "phone": phone},
        "vehicle": {
            "vin": vin(serial),
            "brand_model": "雅迪 YD1200DT",
            "displacement_cc": None,
            "power_kw": "1.20",
            "engine_number": f"EM{serial:08d}",
        },
    }
    if business_type == "renewal":
        payload["vehicle"]["plate"] = f"苏J{serial % 100000:05d}"
    payload.update(overrides)
    return payload


def jpeg_bytes(width: int = 1200, height: int = 800, color: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A real JPEG photo-sized image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png_bytes(width: int = 600, height: int = 400) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 240)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF."""
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


def make_staff(
    ctx: AppContext,
    username: str,
    role: Role = Role.CLERK,
    *,
    member_code: str | None = "picc",
    county_code: str | None = "320902",
    display_name: str | None = None,
) -> StaffUser:
    """A staff user with the password PASSWORD."""
    with ctx.db.write() as session:
        return create_user(
            session,
            username=username,
            password=PASSWORD,
            role=role,
            display_name=display_name or username,
            now=ctx.clock.now(),
            member_code=member_code,
            county_code=county_code,
        )


def staff_headers(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log a staff user in; the Authorization header to use."""
    response = client.post("/api/v1/staff/sessions", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def last_sms(ctx: AppContext, phone: str, template: str | None = None) -> SmsMessage:
    """The newest message to `phone` in the outbox (optionally of one template)."""
    with ctx.db.read() as session:
        query = select(SmsMessage).where(SmsMessage.phone == phone)
        if template:
            query = query.where(SmsMessage.template == template)
        message = session.exec(query.order_by(SmsMessage.id.desc())).first()  # type: ignore[union-attr]
    assert message is not None, f"no SMS to {phone}"
    return message


def citizen_headers(client: TestClient, ctx: AppContext, phone: str = "13912345678") -> dict[str, str]:
    """Log a citizen in with the code read from the SMS outbox."""
    response = client.post("/api/v1/citizen/login-codes", json={"phone": phone})
    assert response.status_code == 202, response.text
    code = last_sms(ctx, phone, "login_code").params["code"]
    response = client.post("/api/v1/citizen/sessions", json={"phone": phone, "code": code})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
