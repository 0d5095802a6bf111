"""ApiClient against the real server over HTTP: login, typed errors, idempotent retries, files, aborting a long poll."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from common.schemas.cases import CaseDetail, QueuePage
from desktop.api.client import (
    Aborted,
    ApiClient,
    NotFound,
    Refused,
    RequestAbort,
    ServerUnreachable,
    SessionExpired,
    StaleVersion,
    new_idempotency_key,
    normalize_server_url,
)
from tests.desktop.conftest import TINGHU, CitizenApplicant, LiveServer, StaffAccount
from tests.server.factories import application_payload, jpeg_bytes


def logged_in(api: ApiClient, account: StaffAccount) -> ApiClient:
    api.login(account.username, account.password)
    return api


def test_login_returns_the_user_and_keeps_the_token(api: ApiClient, clerk: StaffAccount) -> None:
    session = api.login(clerk.username, clerk.password)
    assert session.user.display_name == "李窗口"
    assert session.user.role_label == "窗口经办"
    assert session.user.member_name == "人保财险" and session.user.county_name == "亭湖区"
    assert api.token == session.token
    assert api.me().username == clerk.username


def test_wrong_password_is_refused_with_the_servers_message_not_an_expired_session(
    api: ApiClient, clerk: StaffAccount
) -> None:
    with pytest.raises(Refused) as refused:
        api.login(clerk.username, "not-the-password")
    assert refused.value.status == 401
    assert refused.value.message == "用户名或密码不正确"
    assert api.token is None


def test_a_revoked_token_is_a_session_expiry(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    stolen = api.token
    api.logout()
    api.token = stolen
    with pytest.raises(SessionExpired) as expired:
        api.get_json("/staff/cases")
    assert expired.value.message  # the server's Chinese message, shown as it is


def test_a_case_out_of_scope_is_not_found(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    with pytest.raises(NotFound):
        api.get_json("/staff/cases/424242")


def test_bad_input_carries_the_field_problems(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    payload = application_payload(county_code=TINGHU) | {"category": "motorcycle"}
    payload["owner"] = {**payload["owner"], "phone": "12345"}
    with pytest.raises(Refused) as refused:
        api.post_json("/staff/intake", payload, idempotency_key=new_idempotency_key())
    assert refused.value.status == 422
    assert [p.field for p in refused.value.errors] == ["owner.phone"]


def test_a_repeated_action_with_one_idempotency_key_is_applied_once(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    payload = application_payload(county_code=TINGHU) | {"category": "tractor"}
    key = new_idempotency_key()  # one click of "保存"
    first = CaseDetail.model_validate(api.post_json("/staff/intake", payload, idempotency_key=key))
    again = CaseDetail.model_validate(api.post_json("/staff/intake", payload, idempotency_key=key))  # the retry
    assert again.id == first.id


def test_an_action_sent_twice_is_a_stale_version_the_second_time(
    api: ApiClient, clerk: StaffAccount, citizen: CitizenApplicant
) -> None:
    case_id = citizen.submit_application()["id"]
    logged_in(api, clerk)
    version = api.get_json(f"/staff/cases/{case_id}")["version"]
    accepted = api.post_json(f"/staff/cases/{case_id}/accept", {"version": version}, idempotency_key="accept-1")
    assert accepted["status"] == "reviewing"
    with pytest.raises(StaleVersion):  # the UI reads this as "already done": refresh, no error wall
        api.post_json(f"/staff/cases/{case_id}/accept", {"version": version}, idempotency_key="accept-1")


def test_upload_and_download_report_progress(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    payload = application_payload(county_code=TINGHU) | {"category": "special"}
    case_id = api.post_json("/staff/intake", payload, idempotency_key=new_idempotency_key())["id"]
    photo = jpeg_bytes(1600, 1200)
    sent: list[tuple[int, int]] = []
    document = api.upload(
        f"/staff/cases/{case_id}/documents",
        {"kind": "id_front"},
        photo,
        "身份证 正面.jpg",
        progress=lambda done, total: sent.append((done, total)),
    )
    assert document["kind"] == "id_front"
    assert sent[-1][0] == sent[-1][1] and len(sent) > 2
    received: list[tuple[int, int]] = []
    content = api.download(f"/staff/documents/{document['id']}/content", progress=lambda d, t: received.append((d, t)))
    assert content[:2] == b"\xff\xd8"  # a JPEG (re-encoded by the server, so not byte-equal)
    assert received[-1][0] == len(content)


def test_queue_page_parses(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    page = QueuePage.model_validate(
        api.get_json("/staff/cases", {"status": ["assigned", "reviewing"], "page_size": 200})
    )
    assert page.items == [] and page.total == 0


def test_a_stopped_server_is_unreachable(live_server: LiveServer, api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    live_server.stop()
    with pytest.raises(ServerUnreachable) as unreachable:
        api.get_json("/staff/me")
    assert unreachable.value.message == "无法连接服务器,请检查网络"
    live_server.start()
    assert api.me().username == clerk.username  # same port, same session: carries on


def test_a_long_poll_can_be_cut_short_from_another_thread(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    head = api.get_json("/staff/events")["last_seq"]
    sent = threading.Event()

    class SignallingAbort(RequestAbort):
        def trace(self, event: str, info: Any) -> None:
            super().trace(event, info)
            if event == "http11.send_request_body.complete":
                sent.set()  # the poll is now parked on the server

    abort = SignallingAbort()
    outcome: list[BaseException | object] = []

    def poll() -> None:
        try:
            outcome.append(api.get_json("/staff/events", {"after": head, "wait": 25}, timeout=40, abort=abort))
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=poll)
    started = time.monotonic()
    thread.start()
    assert sent.wait(10)
    abort.abort()
    thread.join(10)
    assert not thread.is_alive()
    assert isinstance(outcome[0], Aborted)
    assert time.monotonic() - started < 10  # not the 25 s of the poll


def test_server_clock_comes_from_the_date_header(api: ApiClient, clerk: StaffAccount) -> None:
    logged_in(api, clerk)
    assert abs(api.server_now().timestamp() - time.time()) < 5


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10.0.0.5:8000", "http://10.0.0.5:8000"),
        ("https://no1window.example.cn/", "https://no1window.example.cn"),
        ("https://no1window.example.cn/api/v1", "https://no1window.example.cn"),
    ],
)
def test_server_address_is_normalised(typed: str, expected: str) -> None:
    assert normalize_server_url(typed) == expected


@pytest.mark.parametrize("typed", ["", "ftp://example.cn", "http://", "http://[::1", "no1 window"])
def test_bad_server_address_is_refused_in_chinese(typed: str) -> None:
    with pytest.raises(ValueError, match="服务器地址"):
        normalize_server_url(typed)
