"""A citizen's application online: create, submit with consent, dispatch, follow, supplement, cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import func, select

from common.enums import Action, Role
from common.schemas.cases import ApplicationCreate
from server.actor import Actor
from server.cases import applications
from server.clock import LOCAL_ZONE, FixedClock
from server.context import AppContext
from server.models import Case, Event, IdempotencyRecord, SmsMessage
from tests.server.cases.conftest import CONSENT_VERSION, PHONE, Citizen, load, open_only, put_case_in
from tests.server.factories import application_payload, id_number, last_sms


def count(ctx: AppContext, model: type, *where: object) -> int:
    with ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def events_of(ctx: AppContext, case_id: int) -> list[str]:
    with ctx.db.read() as session:
        return list(session.exec(select(Event.action).where(Event.case_id == case_id).order_by(Event.seq)).all())


# --- creating a draft ---------------------------------------------------------------


def test_a_new_application_is_a_motorcycle_draft_numbered_for_the_local_day(citizen: Citizen, ctx: AppContext) -> None:
    first = citizen.create(phone="13700002222")
    second = citizen.create(serial=2)

    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "draft" and body["status_label"] == "草稿"
    assert body["number"] == "YC20260310-0001" and second.json()["number"] == "YC20260310-0002"
    assert body["category"] == "motorcycle" and body["business_type_label"] == "新车投保"
    assert body["owner_id_masked"].startswith("320902********")
    assert body["missing_documents"] == ["id_front", "id_back", "certificate_of_conformity", "purchase_invoice"]
    case = load(ctx, body["id"])
    assert (case.channel, case.applicant_phone, case.owner_phone) == ("online", PHONE, "13700002222")
    assert events_of(ctx, case.id or 0) == [Action.CREATE.value]


def test_the_number_follows_the_local_date_not_utc(citizen: Citizen, clock: FixedClock) -> None:
    # 2026-03-11 01:00 in Yancheng is still 2026-03-10 in UTC.
    clock.set(datetime(2026, 3, 11, 1, 0, tzinfo=LOCAL_ZONE))
    assert citizen.create().json()["number"] == "YC20260311-0001"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["owner"].update(id_number=p["owner"]["id_number"][:-1] + "0"), "身份证号码校验位不正确"),
        (lambda p: p["vehicle"].update(vin="LBPKE18000R00000A"), "车架号"),
        (lambda p: p.update(county_code="110101"), "所选区县不在盐城市范围内"),
        (lambda p: p["owner"].update(id_number=id_number(birth=date(2026, 12, 1))), "出生日期晚于今天"),
    ],
    ids=["id-check-char", "vin", "unknown-county", "born-after-today"],
)
def test_bad_owner_or_vehicle_data_is_refused_with_a_chinese_message(
    citizen: Citizen,
    ctx: AppContext,
    change,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    payload = application_payload()
    change(payload)
    response = citizen.client.post(citizen.base, json=payload, headers=citizen.headers)

    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert count(ctx, Case) == 0


def test_a_registered_vehicle_needs_its_plate(citizen: Citizen) -> None:
    payload = application_payload(business_type="renewal")
    del payload["vehicle"]["plate"]
    response = citizen.client.post(citizen.base, json=payload, headers=citizen.headers)

    assert response.status_code == 422
    assert "非新车投保请填写车牌号码" in response.json()["detail"]


def test_a_retried_create_with_the_same_key_gives_the_same_case(citizen: Citizen, ctx: AppContext) -> None:
    first = citizen.create(key="create-1")
    again = citizen.create(key="create-1")
    other = citizen.create(key="create-2", serial=2)

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["number"] == first.json()["number"]
    assert other.json()["id"] != first.json()["id"]
    assert count(ctx, Case) == 2 and count(ctx, IdempotencyRecord) == 2


def test_the_same_key_of_another_phone_is_another_request(
    citizen: Citizen, other_citizen: Citizen, ctx: AppContext
) -> None:
    mine = citizen.create(key="k")
    theirs = other_citizen.create(key="k")

    assert theirs.status_code == 201 and theirs.json()["id"] != mine.json()["id"]


def test_losing_the_race_for_a_key_returns_the_winners_case(
    citizen: Citizen, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = citizen.create(key="race").json()["id"]
    # As if the winner committed between this request's look-up and its insert (PostgreSQL).
    looked_up: list[int | None] = []
    real = applications.idempotent_case_id

    def too_early(*args: Any, **kwargs: Any) -> int | None:
        found = None if not looked_up else real(*args, **kwargs)
        looked_up.append(found)
        return found

    monkeypatch.setattr(applications, "idempotent_case_id", too_early)
    with ctx.db.write() as session:
        case, created = applications.create_application(
            session,
            ctx,
            Actor(role=Role.CITIZEN, phone=PHONE),
            ApplicationCreate.model_validate(application_payload()),
            idempotency_key="race",
        )

    assert not created and case.id == winner
    assert count(ctx, Case) == 1 and count(ctx, Event, Event.action == Action.CREATE.value) == 1
    # The loser's case number was given back with its savepoint.
    assert citizen.create(serial=2).json()["number"] == "YC20260310-0002"


# --- submitting ---------------------------------------------------------------------


@pytest.mark.usefixtures("only_picc_open")
def test_a_complete_application_is_submitted_and_dispatched_at_once(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()

    response = citizen.submit(case_id)

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == "assigned" and view["member_name"] == "人保财险" and view["window_phone"]
    assert view["missing_documents"] == []
    # Submitted on a working Tuesday at 10:00: due the same day at closing time.
    assert datetime.fromisoformat(view["due_at"]) == datetime(2026, 3, 10, 17, 30, tzinfo=LOCAL_ZONE)
    assert [p["action"] for p in view["progress"]] == ["submit", "dispatch"]
    case = load(ctx, case_id)
    assert case.consent_version == CONSENT_VERSION and case.consent_at == case.submitted_at == ctx.clock.now()
    sms = last_sms(ctx, case.owner_phone, "assigned")
    assert case.number in sms.text and "人保财险" in sms.text and view["window_phone"] in sms.text
    assert citizen.client.get(f"{citizen.base}/{case_id}", headers=citizen.headers).json()["status"] == "assigned"


def test_with_no_window_open_the_case_waits_submitted(citizen: Citizen, ctx: AppContext) -> None:
    open_only(ctx, "nobody")
    case_id = citizen.draft()

    view = citizen.submit(case_id).json()

    assert view["status"] == "submitted" and view["member_name"] is None
    assert count(ctx, SmsMessage, SmsMessage.template == "assigned") == 0


def test_a_missing_document_is_named_and_nothing_is_submitted(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    citizen.upload_all(case_id, ("id_front", "id_back", "certificate_of_conformity"))

    response = citizen.submit(case_id)

    assert response.status_code == 422
    assert "机动车销售统一发票" in response.json()["detail"]
    assert response.json()["missing"] == ["purchase_invoice"]
    assert load(ctx, case_id).status == "draft"


@pytest.mark.parametrize(
    ("consent", "version", "message"),
    [
        (False, CONSENT_VERSION, "请阅读并勾选同意《个人敏感信息处理单独同意书》"),
        (True, None, "已更新,请重新阅读并同意最新版本"),
        (True, "2020-01", "已更新,请重新阅读并同意最新版本"),
    ],
    ids=["not-given", "no-version", "old-version"],
)
def test_submitting_needs_the_separate_consent_to_the_current_text(
    citizen: Citizen, ctx: AppContext, consent: bool, version: str | None, message: str
) -> None:
    case_id = citizen.draft()

    response = citizen.submit(case_id, consent=consent, version=version)

    assert response.status_code == 422
    assert message in response.json()["detail"]
    case = load(ctx, case_id)
    assert case.status == "draft" and case.consent_version is None and case.consent_at is None


def test_a_submit_without_a_body_asks_for_the_consent(citizen: Citizen) -> None:
    case_id = citizen.draft()
    response = citizen.client.post(f"{citizen.base}/{case_id}/submit", headers=citizen.headers)

    assert response.status_code == 422 and "单独同意书" in response.json()["detail"]


@pytest.mark.usefixtures("only_picc_open")
def test_submitting_twice_is_refused_as_a_duplicate(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()
    assert citizen.submit(case_id).status_code == 200

    again = citizen.submit(case_id)

    assert again.status_code == 409
    assert again.json()["detail"] == "该申请已提交,请勿重复提交"
    assert events_of(ctx, case_id).count(Action.SUBMIT.value) == 1


@pytest.mark.usefixtures("only_picc_open")
def test_a_retried_submit_with_the_same_key_returns_the_same_case(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()

    first = citizen.submit(case_id, key="submit-1")
    again = citizen.submit(case_id, key="submit-1")

    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == case_id and again.json()["status"] == "assigned"
    assert events_of(ctx, case_id).count(Action.SUBMIT.value) == 1
    assert count(ctx, SmsMessage, SmsMessage.template == "assigned") == 1


def test_an_id_number_born_after_today_is_caught_again_at_submit(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()
    # Stored before the check existed, say: submit re-checks with the clock's local date.
    put_case_in(ctx, case_id, owner_id_number=id_number(birth=date(2026, 12, 1)))

    response = citizen.submit(case_id)

    assert response.status_code == 422 and "出生日期晚于今天" in response.json()["detail"]


# --- scope --------------------------------------------------------------------------


def test_another_phones_application_does_not_exist_for_me(
    citizen: Citizen, other_citizen: Citizen, ctx: AppContext
) -> None:
    case_id = citizen.draft()
    document_id = citizen.client.get(f"{citizen.base}/{case_id}", headers=citizen.headers).json()["documents"][0]["id"]
    base, headers = other_citizen.base, other_citizen.headers

    assert other_citizen.client.get(f"{base}/{case_id}", headers=headers).status_code == 404
    assert other_citizen.upload(case_id, "other").status_code == 404
    assert other_citizen.submit(case_id).status_code == 404
    assert other_citizen.client.post(f"{base}/{case_id}/cancel", headers=headers).status_code == 404
    assert (
        other_citizen.client.get(f"{base}/{case_id}/documents/{document_id}/content", headers=headers).status_code
        == 404
    )
    assert other_citizen.client.get(base, headers=headers).json() == []
    assert load(ctx, case_id).status == "draft"


def test_my_list_shows_my_applications_newest_first(
    citizen: Citizen, other_citizen: Citizen, clock: FixedClock
) -> None:
    older = citizen.create().json()["id"]
    clock.advance(minutes=5)
    newer = citizen.create(serial=2).json()["id"]
    other_citizen.create(serial=3)

    listed = citizen.client.get(citizen.base, headers=citizen.headers).json()

    assert [a["id"] for a in listed] == [newer, older]


def test_requests_without_a_login_are_refused(citizen: Citizen) -> None:
    assert citizen.client.get(citizen.base).status_code == 401


# --- supplement and cancel ------------------------------------------------------------


@pytest.mark.usefixtures("only_picc_open")
def test_a_supplement_goes_back_to_review_once_the_asked_documents_are_uploaded(
    citizen: Citizen, ctx: AppContext
) -> None:
    case_id = citizen.draft()
    citizen.submit(case_id)
    put_case_in(
        ctx,
        case_id,
        status="supplement_requested",
        supplement_round=1,
        supplement_kinds=["id_front", "other"],
        supplement_message="身份证反光看不清",
        sla_paused_at=ctx.clock.now(),
    )
    citizen.upload(case_id, "id_front")

    early = citizen.client.post(f"{citizen.base}/{case_id}/supplement", headers=citizen.headers)
    assert (
        early.status_code == 422
        and "其他材料" in early.json()["detail"]
        and "身份证人像面" not in early.json()["detail"]
    )

    assert citizen.upload(case_id, "other").json()["round"] == 1
    done = citizen.client.post(f"{citizen.base}/{case_id}/supplement", headers=citizen.headers)

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "reviewing" and done.json()["supplement_kinds"] == []
    assert load(ctx, case_id).sla_paused_at is None


def test_a_supplement_without_a_request_is_refused(citizen: Citizen) -> None:
    case_id = citizen.draft()
    response = citizen.client.post(f"{citizen.base}/{case_id}/supplement", headers=citizen.headers)

    assert response.status_code == 409 and "不需要补充材料" in response.json()["detail"]


@pytest.mark.usefixtures("only_picc_open")
def test_an_application_can_be_cancelled_before_payment(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()
    version = citizen.submit(case_id).json()["version"]

    response = citizen.client.post(
        f"{citizen.base}/{case_id}/cancel", json={"version": version}, headers=citizen.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["can_cancel"] is False
    assert events_of(ctx, case_id)[-1] == Action.CANCEL.value
    assert citizen.submit(case_id).status_code == 409


def test_a_paid_application_cannot_be_cancelled_online(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()
    put_case_in(ctx, case_id, status="paid")

    response = citizen.client.post(f"{citizen.base}/{case_id}/cancel", headers=citizen.headers)

    assert response.status_code == 409 and "已缴费" in response.json()["detail"]
    assert load(ctx, case_id).status == "paid"


def test_cancelling_from_a_stale_page_is_refused(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    citizen.upload(case_id, "id_front")  # moves the version on

    response = citizen.client.post(f"{citizen.base}/{case_id}/cancel", json={"version": 1}, headers=citizen.headers)

    assert response.status_code == 409 and "刷新" in response.json()["detail"]
    assert load(ctx, case_id).status == "draft"
