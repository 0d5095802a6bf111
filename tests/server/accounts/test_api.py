"""The coordinator's account endpoints over HTTP: create, list, reset a password, deactivate, and the record."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from common.enums import Role
from server.context import AppContext
from server.models import StaffUser
from tests.server.accounts.support import (
    CLERK_BODY,
    FEED,
    ME,
    NEW_PASSWORD,
    USERS,
    add_coordinator,
    log_in,
    stored_counts,
)
from tests.server.factories import PASSWORD, make_staff, staff_headers
from tests.server.queue.builders import make_case


@pytest.fixture
def coordinator(ctx: AppContext, client: TestClient) -> dict[str, str]:
    """The Authorization header of the city coordinator (the only one)."""
    add_coordinator(ctx)
    return staff_headers(client, "city_coord")


def user_id(ctx: AppContext, username: str) -> int:
    with ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    assert user.id is not None
    return user.id


# --- create -----------------------------------------------------------------------------------


def test_a_created_clerk_logs_in_and_sees_their_own_window_only(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    mine = make_case(ctx, member="picc", county="320902")
    make_case(ctx, member="picc", county="320903")
    make_case(ctx, member="cpic", county="320902")

    created = client.post(USERS, json=CLERK_BODY, headers=coordinator)

    assert created.status_code == 201, created.text
    body = created.json()
    assert {
        k: body[k]
        for k in (
            "username",
            "display_name",
            "role_label",
            "member_name",
            "county_name",
            "active",
        )
    } == {
        "username": "picc_tinghu2",
        "display_name": "王小明",
        "role_label": "窗口经办",
        "member_name": "人保财险",
        "county_name": "亭湖区",
        "active": True,
    }
    assert not any("password" in key for key in body)
    login = log_in(client, "picc_tinghu2", "initial-pass-1")
    assert login.status_code == 201, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    queue = client.get("/api/v1/staff/cases", headers=headers)
    assert queue.status_code == 200, queue.text
    assert [row["id"] for row in queue.json()["items"]] == [mine.id]


def test_a_supervisor_is_created_for_a_member(ctx: AppContext, client: TestClient, coordinator: dict[str, str]) -> None:
    body = {
        **CLERK_BODY,
        "username": "picc_boss",
        "role": "supervisor",
        "county_code": None,
    }

    created = client.post(USERS, json=body, headers=coordinator)

    assert created.status_code == 201, created.text
    assert (created.json()["role_label"], created.json()["county_code"]) == (
        "上级审批",
        None,
    )
    me = client.get(ME, headers=staff_headers(client, "picc_boss", "initial-pass-1"))
    assert (me.json()["role"], me.json()["member_code"]) == ("supervisor", "picc")


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"county_code": None}, 422, "窗口经办人员必须指定所属机构和区县"),
        ({"member_code": ""}, 422, "窗口经办人员必须指定所属机构和区县"),
        ({"role": "supervisor"}, 422, "上级审批人员负责本机构所有区县,不要指定区县"),
        (
            {"role": "coordinator"},
            422,
            "市级协调员不属于任何机构或区县,不要指定机构和区县",
        ),
        ({"role": "citizen"}, 422, "只能创建窗口经办、上级审批或市级协调员账号"),
        ({"member_code": "nosuch"}, 422, "没有代码为“nosuch”的成员机构"),
        ({"county_code": "999999"}, 422, "没有代码为“999999”的区县"),
        ({"password": "short12"}, 422, "密码至少需要8位"),
        ({"password": "x" * 129}, 422, "密码不能超过128位"),
        ({"username": "王小明"}, 422, "用户名应为3至40位英文字母、数字或 _ . - 符号"),
        ({"display_name": "  "}, 422, "请填写姓名"),
        ({"username": "city_coord"}, 409, "用户名“city_coord”已存在"),
    ],
)
def test_bad_accounts_are_refused_in_chinese_and_nothing_is_stored(
    ctx: AppContext,
    client: TestClient,
    coordinator: dict[str, str],
    changes: dict[str, Any],
    status: int,
    message: str,
) -> None:
    before = stored_counts(ctx)

    response = client.post(USERS, json={**CLERK_BODY, **changes}, headers=coordinator)

    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert stored_counts(ctx) == before
    # A refusal never echoes the password it was sent.
    assert str(changes.get("password", CLERK_BODY["password"])) not in response.text


# --- list -------------------------------------------------------------------------------------


def test_the_list_filters_and_never_carries_a_password_hash(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    make_staff(ctx, "picc_tinghu", member_code="picc", county_code="320902")
    make_staff(ctx, "cpic_tinghu", member_code="cpic", county_code="320902")
    make_staff(ctx, "picc_yandu", member_code="picc", county_code="320903")

    def names(**params: Any) -> list[str]:
        response = client.get(USERS, params=params, headers=coordinator)
        assert response.status_code == 200, response.text
        assert all("password_hash" not in row for row in response.json())
        return [row["username"] for row in response.json()]

    assert names() == ["city_coord", "cpic_tinghu", "picc_tinghu", "picc_yandu"]
    assert names(member="picc") == ["picc_tinghu", "picc_yandu"]
    assert names(county="320902", member="picc") == ["picc_tinghu"]
    assert names(role="coordinator") == ["city_coord"]
    assert names(active="false") == []
    assert client.get(USERS, params={"county": "abc"}, headers=coordinator).status_code == 422


# --- reset password ---------------------------------------------------------------------------


def test_after_a_reset_only_the_new_password_works_and_the_old_session_is_over(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    clerk = make_staff(ctx, "picc_tinghu")
    old_session = staff_headers(client, "picc_tinghu")

    reset = client.post(
        f"{USERS}/{clerk.id}/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )

    assert reset.status_code == 200, reset.text
    assert client.get(ME, headers=old_session).status_code == 401
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 401
    assert log_in(client, "picc_tinghu", NEW_PASSWORD).status_code == 201


def test_a_reset_unlocks_a_locked_account(ctx: AppContext, client: TestClient, coordinator: dict[str, str]) -> None:
    make_staff(ctx, "picc_tinghu")
    for _ in range(ctx.settings.staff_max_failed_logins):
        log_in(client, "picc_tinghu", "wrong-password")
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 423
    listed = client.get(USERS, params={"member": "picc"}, headers=coordinator).json()
    assert listed[0]["locked_until"] is not None

    reset = client.post(
        f"{USERS}/{user_id(ctx, 'picc_tinghu')}/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )

    assert reset.json()["locked_until"] is None
    assert log_in(client, "picc_tinghu", NEW_PASSWORD).status_code == 201


def test_a_short_new_password_is_refused_and_the_old_one_still_works(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    clerk = make_staff(ctx, "picc_tinghu")

    reset = client.post(
        f"{USERS}/{clerk.id}/reset-password",
        json={"password": "short"},
        headers=coordinator,
    )

    assert reset.status_code == 422
    assert "密码至少需要8位" in reset.json()["detail"]
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 201


# --- deactivate -------------------------------------------------------------------------------


def test_a_deactivated_clerk_cannot_log_in_and_their_session_ends(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    clerk = make_staff(ctx, "picc_tinghu")
    session = staff_headers(client, "picc_tinghu")

    response = client.post(f"{USERS}/{clerk.id}/deactivate", headers=coordinator)

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert client.get(ME, headers=session).status_code == 401
    assert log_in(client, "picc_tinghu", PASSWORD).status_code == 401
    again = client.post(
        f"{USERS}/{clerk.id}/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )
    assert again.status_code == 409


def test_the_only_coordinator_cannot_deactivate_themself(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    me = client.get(ME, headers=coordinator).json()

    response = client.post(f"{USERS}/{me['id']}/deactivate", headers=coordinator)

    assert response.status_code == 409
    assert response.json()["detail"] == "您是唯一在用的市级协调员,不能停用自己的账号。请先新增另一名协调员。"
    assert client.get(ME, headers=coordinator).status_code == 200


def test_with_a_second_coordinator_one_may_deactivate_the_other_but_not_the_last(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    body = {
        **CLERK_BODY,
        "username": "city_coord2",
        "role": "coordinator",
        "member_code": None,
        "county_code": None,
    }
    second = client.post(USERS, json=body, headers=coordinator).json()
    second_headers = staff_headers(client, "city_coord2", "initial-pass-1")
    first_id = client.get(ME, headers=coordinator).json()["id"]

    gone = client.post(f"{USERS}/{first_id}/deactivate", headers=second_headers)
    assert gone.status_code == 200, gone.text
    assert client.get(ME, headers=coordinator).status_code == 401

    last = client.post(f"{USERS}/{second['id']}/deactivate", headers=second_headers)
    assert last.status_code == 409
    assert "唯一在用的市级协调员" in last.json()["detail"]


def test_an_unknown_account_is_404(client: TestClient, coordinator: dict[str, str]) -> None:
    assert client.post(f"{USERS}/9999/deactivate", headers=coordinator).status_code == 404
    reset = client.post(
        f"{USERS}/9999/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )
    assert reset.status_code == 404


# --- the record -------------------------------------------------------------------------------


def test_each_change_is_one_event_in_the_feed_without_any_password(
    ctx: AppContext,
    client: TestClient,
    coordinator: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    created = client.post(USERS, json=CLERK_BODY, headers=coordinator).json()
    client.post(
        f"{USERS}/{created['id']}/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )
    client.post(f"{USERS}/{created['id']}/deactivate", headers=coordinator)

    feed = client.get(FEED, params={"after": 0}, headers=coordinator).json()

    changes = [(e["action"], e["action_label"], e["payload"]["username"]) for e in feed["events"]]
    assert [(a, u) for a, _, u in changes] == [
        ("add_user", "picc_tinghu2"),
        ("reset_password", "picc_tinghu2"),
        ("deactivate_user", "picc_tinghu2"),
    ]
    assert all(e["case_id"] is None and e["actor_label"] == "市协调员(市级协调员)" for e in feed["events"])
    text = repr(feed) + caplog.text
    assert CLERK_BODY["password"] not in text and NEW_PASSWORD not in text
    assert "/api/v1/coordinator/users" in caplog.text  # the access log did run, with the path only


def test_only_the_coordinator_hears_of_account_changes_in_the_feed(
    ctx: AppContext, client: TestClient, coordinator: dict[str, str]
) -> None:
    # The window's clerk and the member's supervisor learn nothing of a colleague's account.
    make_staff(ctx, "picc_tinghu")
    make_staff(ctx, "picc_boss", Role.SUPERVISOR, county_code=None)
    created = client.post(USERS, json=CLERK_BODY, headers=coordinator).json()
    client.post(
        f"{USERS}/{created['id']}/reset-password",
        json={"password": NEW_PASSWORD},
        headers=coordinator,
    )
    client.post(f"{USERS}/{created['id']}/deactivate", headers=coordinator)

    def heard(headers: dict[str, str]) -> list[dict[str, Any]]:
        response = client.get(FEED, params={"after": 0}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["events"]

    assert heard(staff_headers(client, "picc_tinghu")) == []
    assert heard(staff_headers(client, "picc_boss")) == []
    coordinator_heard = heard(coordinator)
    assert [e["action"] for e in coordinator_heard] == [
        "add_user",
        "reset_password",
        "deactivate_user",
    ]
    # The coordinator's record still says which window the account belongs to.
    assert {(e["payload"]["member_code"], e["payload"]["county_code"]) for e in coordinator_heard} == {
        ("picc", "320902")
    }
