"""Pool settings over HTTP: coordinator only, Chinese refusals that change nothing, history of who changed what."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from common.enums import Role
from server.context import AppContext
from server.models import Event
from tests.server.dispatch.conftest import (
    COUNTY,
    CaseFactory,
    configure_county,
    county_branches,
)
from tests.server.factories import make_staff, staff_headers

POOL = f"/api/v1/coordinator/pool/{COUNTY}"


@pytest.fixture
def coordinator(client: TestClient, ctx: AppContext) -> dict[str, str]:
    make_staff(
        ctx,
        "city_coord",
        Role.COORDINATOR,
        member_code=None,
        county_code=None,
        display_name="王协调",
    )
    return staff_headers(client, "city_coord")


def events(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def test_coordinator_sees_the_county_windows_in_member_order(client: TestClient, coordinator: dict[str, str]) -> None:
    response = client.get(POOL, headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["county_code"], body["county"], body["unassigned"]) == (
        COUNTY,
        "亭湖区",
        0,
    )
    assert [w["member"] for w in body["windows"]][:3] == [
        "人保财险",
        "太保财险",
        "平安产险",
    ]
    first = body["windows"][0]
    assert (first["available"], first["weight"], first["changed_by"]) == (True, 1, None)
    assert first["window_phone"].startswith("0515-")


def test_change_through_the_api_is_applied_recorded_and_listed_in_the_history(
    client: TestClient, ctx: AppContext, coordinator: dict[str, str]
) -> None:
    response = client.patch(f"{POOL}/pingan", json={"weight": 5, "available": False}, headers=coordinator)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["window"]["weight"],
        body["window"]["available"],
        body["dispatched"],
    ) == (5, False, [])
    assert body["window"]["changed_by"] == "王协调(市级协调员)"
    assert [(c["label"], c["before"], c["after"]) for c in body["changes"]] == [
        ("接单状态", "接单", "暂停接单"),
        ("分派权重", "1", "5"),
    ]
    branch = county_branches(ctx)["pingan"]
    assert (branch.weight, branch.available) == (5, False)

    history = client.get(f"{POOL}/history", headers=coordinator)
    assert history.status_code == 200
    [row] = history.json()
    assert (row["member"], row["actor_label"], len(row["changes"])) == (
        "平安产险",
        "王协调(市级协调员)",
        2,
    )


def test_switching_a_window_back_on_dispatches_the_waiting_cases_in_the_answer(
    client: TestClient, ctx: AppContext, cases: CaseFactory, coordinator: dict[str, str]
) -> None:
    configure_county(ctx, available=[])
    waiting = [cases.submit() for _ in range(2)]
    assert client.get(POOL, headers=coordinator).json()["unassigned"] == 2

    response = client.patch(f"{POOL}/dajia", json={"available": True}, headers=coordinator)

    assert response.status_code == 200, response.text
    assert len(response.json()["dispatched"]) == len(waiting)
    assert client.get(POOL, headers=coordinator).json()["unassigned"] == 0


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (f"{POOL}/picc", {"weight": 0}, 422, "分派权重应为1到100之间的整数"),
        (f"{POOL}/picc", {"weight": 1000}, 422, "分派权重应为1到100之间的整数"),
        (f"{POOL}/picc", {"weight": "3"}, 422, "分派权重应为1到100之间的整数"),
        (f"{POOL}/picc", {"weight": True}, 422, "分派权重应为1到100之间的整数"),
        (f"{POOL}/picc", {"available": "yes"}, 422, "接单状态应为是或否"),
        (
            f"{POOL}/picc",
            {"window_phone": "12345"},
            422,
            "窗口电话应为带区号的固定电话",
        ),
        (f"{POOL}/picc", {}, 422, "请至少修改一项"),
        (f"{POOL}/picc", {"weight": 2, "colour": "red"}, 422, "不认识的字段"),
        (f"{POOL}/nobody", {"weight": 2}, 404, "没有代码为“nobody”的成员机构"),
        (
            "/api/v1/coordinator/pool/999999/picc",
            {"weight": 2},
            404,
            "没有代码为“999999”的区县",
        ),
    ],
)
def test_bad_change_is_refused_with_a_chinese_message_and_changes_nothing(
    client: TestClient,
    ctx: AppContext,
    coordinator: dict[str, str],
    path: str,
    body: dict[str, Any],
    status: int,
    message: str,
) -> None:
    before = events(ctx)
    response = client.patch(path, json=body, headers=coordinator)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert events(ctx) == before
    assert {(b.weight, b.available) for b in county_branches(ctx).values()} == {(1, True)}


def test_unknown_county_has_no_windows_and_no_history(client: TestClient, coordinator: dict[str, str]) -> None:
    for path in (
        "/api/v1/coordinator/pool/999999",
        "/api/v1/coordinator/pool/999999/history",
    ):
        response = client.get(path, headers=coordinator)
        assert response.status_code == 404
        assert response.json()["detail"] == "没有代码为“999999”的区县"


@pytest.mark.parametrize(
    ("role", "member_code", "county_code"),
    [(Role.CLERK, "picc", COUNTY), (Role.SUPERVISOR, "picc", None)],
)
def test_clerk_and_supervisor_get_404_on_every_pool_endpoint(
    client: TestClient,
    ctx: AppContext,
    role: Role,
    member_code: str,
    county_code: str | None,
) -> None:
    make_staff(ctx, "not_coord", role, member_code=member_code, county_code=county_code)
    headers = staff_headers(client, "not_coord")
    before = events(ctx)
    calls = [
        client.get(POOL, headers=headers),
        client.get(f"{POOL}/history", headers=headers),
        client.patch(f"{POOL}/picc", json={"available": False}, headers=headers),
        client.patch(f"{POOL}/picc", json={"weight": 0}, headers=headers),  # even an invalid body: 404 first
    ]
    assert [r.status_code for r in calls] == [404, 404, 404, 404]
    assert all(r.json()["detail"] == "没有找到该页面" for r in calls)
    assert events(ctx) == before
    assert county_branches(ctx)["picc"].available is True


def test_without_login_the_pool_endpoints_ask_for_one(client: TestClient) -> None:
    assert client.get(POOL).status_code == 401
    assert client.patch(f"{POOL}/picc", json={"available": False}).status_code == 401
