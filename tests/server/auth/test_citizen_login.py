"""Citizens log in with their phone number and an SMS code, within limits that keep SMS costs and abuse down."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import select

from server.auth.citizen_login import request_login_code
from server.clock import LOCAL_ZONE, FixedClock
from server.context import AppContext
from server.errors import TooManyRequests
from server.models import LoginCode
from tests.server.factories import citizen_headers, last_sms, make_staff, staff_headers

PHONE = "13912345678"
CODES = "/api/v1/citizen/login-codes"
SESSIONS = "/api/v1/citizen/sessions"
CURRENT = "/api/v1/citizen/sessions/current"


def ask_code(client: TestClient, phone: str = PHONE) -> Response:
    return client.post(CODES, json={"phone": phone})


def sent_code(ctx: AppContext, phone: str = PHONE) -> str:
    """The code of the newest login SMS, as the citizen reads it on the phone."""
    return last_sms(ctx, phone, "login_code").params["code"]


def log_in(client: TestClient, code: str, phone: str = PHONE) -> Response:
    return client.post(SESSIONS, json={"phone": phone, "code": code})


def wrong(code: str) -> str:
    """A different 6-digit code."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def code(client: TestClient, ctx: AppContext) -> str:
    """A login code freshly sent to PHONE."""
    assert ask_code(client).status_code == 202
    return sent_code(ctx)


# --- the happy path -----------------------------------------------------------------


def test_a_citizen_gets_a_code_by_sms_and_logs_in_with_it(client: TestClient, ctx: AppContext) -> None:
    response = ask_code(client)

    assert response.status_code == 202
    assert response.json() == {"resend_after": 60, "expires_in": 300}
    message = last_sms(ctx, PHONE, "login_code")
    code = message.params["code"]
    assert len(code) == 6 and code.isdigit()
    assert code in message.text

    response = log_in(client, code)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token"]
    assert datetime.fromisoformat(body["expires_at"]) == ctx.clock.now() + timedelta(days=7)


def test_the_phone_number_may_be_typed_with_country_code_and_spaces(client: TestClient, ctx: AppContext) -> None:
    assert ask_code(client, "+86 139 1234 5678").status_code == 202

    assert log_in(client, sent_code(ctx, PHONE), phone="139-1234-5678").status_code == 201


def test_an_invalid_phone_number_is_refused_with_a_message_saying_what_is_wrong(client: TestClient) -> None:
    response = ask_code(client, "1391234567")

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "phone",
        "message": "手机号码应为11位,您输入了10位,请核对后重新输入",
    }


def test_a_code_that_is_not_six_digits_is_refused_before_it_counts_as_a_try(client: TestClient, code: str) -> None:
    response = log_in(client, "12345")

    assert response.status_code == 422
    assert "验证码应为6位数字" in response.json()["detail"]
    assert log_in(client, code).status_code == 201


def test_logging_out_ends_the_token(client: TestClient, ctx: AppContext) -> None:
    headers = citizen_headers(client, ctx, PHONE)

    assert client.delete(CURRENT, headers=headers).status_code == 204

    response = client.delete(CURRENT, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "登录已过期,请重新登录"


def test_a_citizen_token_is_refused_on_staff_endpoints(client: TestClient, ctx: AppContext) -> None:
    headers = citizen_headers(client, ctx, PHONE)

    assert client.get("/api/v1/staff/me", headers=headers).status_code == 401


def test_a_staff_token_is_refused_on_citizen_endpoints(client: TestClient, ctx: AppContext) -> None:
    make_staff(ctx, "clerk1")

    assert client.delete(CURRENT, headers=staff_headers(client, "clerk1")).status_code == 401


# --- wrong, expired, used and missing codes ---------------------------------------------


def test_a_wrong_code_says_how_many_tries_are_left_and_the_right_one_still_works(client: TestClient, code: str) -> None:
    response = log_in(client, wrong(code))

    assert response.status_code == 400
    assert response.json()["detail"] == "验证码不正确,还可尝试4次"
    assert log_in(client, code).status_code == 201


def test_after_five_wrong_tries_even_the_right_code_is_refused(client: TestClient, code: str) -> None:
    details = [log_in(client, wrong(code)).json()["detail"] for _ in range(5)]

    assert details == [
        "验证码不正确,还可尝试4次",
        "验证码不正确,还可尝试3次",
        "验证码不正确,还可尝试2次",
        "验证码不正确,还可尝试1次",
        "验证码错误次数过多,请重新获取",
    ]
    response = log_in(client, code)
    assert response.status_code == 400
    assert response.json()["detail"] == "验证码错误次数过多,请重新获取"


def test_a_code_still_works_just_before_five_minutes(client: TestClient, clock: FixedClock, code: str) -> None:
    clock.advance(seconds=299)

    assert log_in(client, code).status_code == 201


def test_a_code_expires_after_five_minutes(client: TestClient, clock: FixedClock, code: str) -> None:
    clock.advance(seconds=301)

    response = log_in(client, code)

    assert response.status_code == 400
    assert response.json()["detail"] == "验证码已过期,请重新获取"


def test_a_code_logs_in_only_once(client: TestClient, code: str) -> None:
    assert log_in(client, code).status_code == 201

    response = log_in(client, code)

    assert response.status_code == 400
    assert response.json()["detail"] == "验证码已使用,请重新获取"


def test_logging_in_without_asking_for_a_code_is_refused(client: TestClient) -> None:
    response = log_in(client, "123456")

    assert response.status_code == 400
    assert response.json()["detail"] == "请先获取短信验证码"


def test_a_code_for_another_phone_does_not_log_in(client: TestClient, ctx: AppContext, code: str) -> None:
    assert ask_code(client, "13800000001").status_code == 202

    response = log_in(client, code, phone="13800000001")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("验证码不正确")


def test_a_new_code_replaces_the_previous_one(
    client: TestClient, ctx: AppContext, clock: FixedClock, code: str
) -> None:
    clock.advance(seconds=60)
    assert ask_code(client).status_code == 202
    newer = sent_code(ctx)
    if newer == code:  # one chance in a million; the test is about two different codes
        pytest.skip("the two random codes happened to be equal")

    assert log_in(client, code).status_code == 400
    assert log_in(client, newer).status_code == 201


# --- sending limits -----------------------------------------------------------------


def test_a_new_code_can_be_asked_for_only_after_sixty_seconds(client: TestClient, clock: FixedClock, code: str) -> None:
    clock.advance(seconds=20)

    response = ask_code(client)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    assert response.json()["detail"] == "验证码已发送,请40秒后再重新获取"

    clock.advance(seconds=40)
    assert ask_code(client).status_code == 202


def test_a_phone_gets_at_most_ten_codes_per_local_day(client: TestClient, ctx: AppContext, clock: FixedClock) -> None:
    for _ in range(10):
        assert ask_code(client).status_code == 202
        clock.advance(seconds=61)

    response = ask_code(client)

    assert response.status_code == 429
    assert response.json()["detail"] == "今日获取验证码次数已达上限,请明天再试"
    assert int(response.headers["Retry-After"]) > 0

    # A minute before Yancheng's midnight the day is not over yet …
    clock.set(datetime(2026, 3, 10, 23, 59, tzinfo=LOCAL_ZONE))
    assert ask_code(client).status_code == 429
    # … and at local midnight, which is 16:00 UTC (the UTC day is still the same), it is.
    clock.set(datetime(2026, 3, 11, 0, 0, tzinfo=LOCAL_ZONE))
    assert clock.now().hour == 16
    assert ask_code(client).status_code == 202


def test_one_client_address_gets_a_limited_number_of_codes_per_rolling_hour(
    client: TestClient, ctx: AppContext, clock: FixedClock
) -> None:
    limit = ctx.settings.sms_hourly_limit_per_client
    for i in range(limit):
        assert ask_code(client, f"139{i:08d}").status_code == 202
    clock.advance(minutes=30)

    response = ask_code(client, "13800000001")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(30 * 60)
    assert response.json()["detail"] == "当前网络获取验证码过于频繁,请30分钟后再试"

    clock.advance(minutes=30)
    assert ask_code(client, "13800000001").status_code == 202


def test_the_limit_of_one_client_address_does_not_hold_back_another(ctx: AppContext) -> None:
    now = ctx.clock.now()
    limit = ctx.settings.sms_hourly_limit_per_client
    send = dict(now=now, settings=ctx.settings, sms=ctx.sms)
    with ctx.db.write() as session:
        for i in range(limit):
            request_login_code(session, phone=f"139{i:08d}", client_address="198.51.100.1", **send)
    with ctx.db.write() as session, pytest.raises(TooManyRequests):
        request_login_code(session, phone="13800000001", client_address="198.51.100.1", **send)

    with ctx.db.write() as session:
        sent = request_login_code(session, phone="13800000001", client_address="203.0.113.7", **send)

    assert sent.expires_in == ctx.settings.sms_code_ttl_seconds


# --- secrecy ------------------------------------------------------------------------


def test_the_code_is_stored_only_as_a_keyed_hash(ctx: AppContext, code: str) -> None:
    with ctx.db.read() as session:
        rows = session.exec(select(LoginCode)).all()

    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0].model_dump().values())
    assert code not in stored
    # Not a plain hash either, which anyone could reverse by trying all million codes.
    for plain in (code, f"{PHONE}:{code}"):
        assert hashlib.sha256(plain.encode()).hexdigest() != rows[0].code_hash


def test_logs_hold_neither_the_full_phone_number_nor_the_code_nor_the_token(
    client: TestClient, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert ask_code(client).status_code == 202
    code = sent_code(ctx)
    assert log_in(client, wrong(code)).status_code == 400
    token = log_in(client, code).json()["token"]

    assert "139****5678" in caplog.text
    for secret in (PHONE, code, token):
        assert secret not in caplog.text
