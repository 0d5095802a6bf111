"""Counter intake: a clerk enters a walk-in customer's case of any category; the same checks and dispatch follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import func, select

from common.enums import Role
from server.context import AppContext
from server.models import Case
from tests.server.cases.conftest import (
    COUNTY,
    NEW_DOCUMENTS,
    Caller,
    Citizen,
    documents_of,
    load,
    open_only,
    put_case_in,
)
from tests.server.factories import application_payload, last_sms, pdf_bytes

INTAKE = "/api/v1/staff/intake"
StaffLogin = Callable[..., Caller]


def intake(caller: Caller, *, category: str = "tractor", **payload: Any) -> Any:
    return caller.client.post(
        INTAKE, json={**application_payload(**payload), "category": category}, headers=caller.headers
    )


@pytest.fixture
def clerk(staff_login: StaffLogin) -> Caller:
    """人保财险's clerk at the 亭湖区 window."""
    return staff_login("picc-tinghu", Role.CLERK, member_code="picc", county_code=COUNTY, display_name="李娟")


def test_a_clerk_enters_a_tractor_case_and_it_is_dispatched(clerk: Caller, ctx: AppContext) -> None:
    open_only(ctx, "picc")
    created = intake(clerk, category="tractor", phone="13600003333")
    assert created.status_code == 201, created.text
    detail = created.json()
    assert (detail["status"], detail["channel"], detail["category"]) == ("draft", "counter", "tractor")
    assert detail["category_label"] == "拖拉机" and detail["missing_documents"] == list(NEW_DOCUMENTS)
    case_id = detail["id"]
    case = load(ctx, case_id)
    assert case.created_by_user_id is not None and case.applicant_phone is None

    clerk.upload_all(case_id)
    submitted = clerk.submit(case_id)

    assert submitted.status_code == 200, submitted.text
    view = submitted.json()
    assert view["status"] == "assigned" and view["member_name"] == "人保财险" and view["consent_at"] is not None
    assert [e["action"] for e in view["events"]][-2:] == ["submit", "dispatch"]
    assert {d.uploaded_by_role for d in documents_of(ctx, case_id)} == {"clerk"}
    assert "人保财险" in last_sms(ctx, "13600003333", "assigned").text


def test_the_clerk_sees_which_other_member_took_the_case(clerk: Caller, ctx: AppContext) -> None:
    open_only(ctx, "cpic")
    case_id = intake(clerk, category="operating_truck").json()["id"]
    clerk.upload_all(case_id)

    submitted = clerk.submit(case_id)

    assert submitted.status_code == 200 and submitted.json()["member_name"] == "太保财险"
    # From now on the case belongs to 太保财险's window, out of this clerk's sight.
    assert clerk.upload(case_id, "other").status_code == 404
    assert clerk.submit(case_id).status_code == 404


def test_a_clerk_cannot_enter_a_case_for_another_county(clerk: Caller, ctx: AppContext) -> None:
    response = intake(clerk, county_code="320981")

    assert response.status_code == 403 and "只能受理本区县" in response.json()["detail"]
    assert stored_cases(ctx) == 0


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COORDINATOR])
def test_supervisors_and_the_coordinator_may_enter_a_case_for_any_county(
    staff_login: StaffLogin, ctx: AppContext, role: Role
) -> None:
    caller = staff_login("boss", role, member_code="picc" if role is Role.SUPERVISOR else None, county_code=None)

    response = intake(caller, county_code="320981", category="special")

    assert response.status_code == 201, response.text
    assert response.json()["county_name"] == "东台市"


def test_intake_checks_the_data_like_the_online_form(clerk: Caller) -> None:
    payload = application_payload(business_type="renewal")
    del payload["vehicle"]["plate"]

    response = clerk.client.post(INTAKE, json={**payload, "category": "tractor"}, headers=clerk.headers)
    unknown = clerk.client.post(INTAKE, json={**application_payload(), "category": "bicycle"}, headers=clerk.headers)

    assert response.status_code == 422 and "非新车投保请填写车牌号码" in response.json()["detail"]
    assert unknown.status_code == 422


def test_the_counter_submit_needs_the_customers_signed_consent_and_all_documents(
    clerk: Caller, ctx: AppContext
) -> None:
    case_id = intake(clerk).json()["id"]
    clerk.upload_all(case_id, NEW_DOCUMENTS[:3])
    assert "机动车销售统一发票" in clerk.submit(case_id).json()["detail"]
    clerk.upload(case_id, "purchase_invoice")

    response = clerk.submit(case_id, consent=False)

    assert response.status_code == 422 and "单独同意书" in response.json()["detail"]
    assert load(ctx, case_id).status == "draft"


def test_another_clerks_counter_draft_is_invisible(clerk: Caller, staff_login: StaffLogin) -> None:
    colleague = staff_login("picc-tinghu-2", Role.CLERK, member_code="picc", county_code=COUNTY)
    case_id = intake(clerk).json()["id"]

    assert colleague.upload(case_id, "id_front").status_code == 404
    assert colleague.submit(case_id).status_code == 404


def test_staff_cannot_upload_into_a_citizens_online_draft(
    citizen: Citizen, staff_login: StaffLogin, ctx: AppContext
) -> None:
    coordinator = staff_login("city", Role.COORDINATOR, member_code=None, county_code=None)
    case_id = citizen.create().json()["id"]

    response = coordinator.upload(case_id, "id_front")

    assert response.status_code == 403 and documents_of(ctx) == []


def test_a_clerk_uploads_a_supplement_on_the_customers_behalf(clerk: Caller, ctx: AppContext) -> None:
    open_only(ctx, "picc")
    case_id = intake(clerk).json()["id"]
    clerk.upload_all(case_id)
    clerk.submit(case_id)
    put_case_in(ctx, case_id, status="supplement_requested", supplement_round=1, supplement_kinds=["id_back"])

    response = clerk.upload(case_id, "id_back")

    assert response.status_code == 201 and response.json()["round"] == 1


def test_the_e_policy_pdf_is_uploaded_by_staff_once_paid(clerk: Caller, ctx: AppContext) -> None:
    open_only(ctx, "picc")
    case_id = intake(clerk).json()["id"]
    clerk.upload_all(case_id)
    clerk.submit(case_id)

    too_early = clerk.upload(case_id, "e_policy", pdf_bytes(), name="policy.pdf", declared="application/pdf")
    assert too_early.status_code == 409 and "缴费确认后" in too_early.json()["detail"]

    put_case_in(ctx, case_id, status="paid")
    photo = clerk.upload(case_id, "e_policy")
    policy = clerk.upload(case_id, "e_policy", pdf_bytes(), name="policy.pdf", declared="application/pdf")

    assert photo.status_code == 415 and "PDF" in photo.json()["detail"]
    assert policy.status_code == 201, policy.text
    assert (policy.json()["kind"], policy.json()["content_type"], policy.json()["pages"]) == (
        "e_policy",
        "application/pdf",
        1,
    )


def stored_cases(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(Case)).one()
