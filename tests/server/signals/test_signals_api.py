"""The signals endpoints over HTTP: coordinator only, rule validation, masked phones, nothing leaked to logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from common.enums import Action, CaseStatus, Role
from server.context import AppContext
from server.models import Event, SignalRule
from tests.server.queue.builders import staff
from tests.server.signals.builders import add_case, add_complaint

DAY = timedelta(days=1)
PHONE = "13812341234"
SIGNALS = "/api/v1/coordinator/signals"
RULE = "/api/v1/coordinator/signals/rule"
ENDPOINTS = [
    ("GET", SIGNALS, None),
    ("GET", RULE, None),
    ("PUT", RULE, {"threshold": 2, "window_days": 7}),
]


@pytest.fixture
def coordinator(ctx: AppContext) -> dict[str, str]:
    return staff(ctx, "city", Role.COORDINATOR, member=None, county=None)[1]


@pytest.fixture
def seeded(ctx: AppContext) -> None:
    """One phone with 3 owners (2 of them this week), one long-overdue case, a low rating and a complaint."""
    now = ctx.clock.now()
    for owner, ago in ((1, 1), (2, 2), (3, 20)):
        add_case(ctx, owner=owner, applicant_phone=PHONE, submitted_at=now - ago * DAY)
    add_case(
        ctx,
        owner=9,
        applicant_phone="13900009999",
        submitted_at=now - 4 * DAY,
        due_at=now - 2 * DAY,
    )
    rated = add_case(
        ctx,
        owner=10,
        submitted_at=now - 6 * DAY,
        status=CaseStatus.COMPLETED,
        rating=2,
        rated_at=now - 3 * DAY,
    )
    add_complaint(ctx, rated, "窗口人员态度不好", at=now - DAY)


def rule_state(ctx: AppContext) -> tuple[int, int]:
    """(stored rule rows, set_signal_rule events)."""
    with ctx.db.read() as session:
        rows = len(session.exec(select(SignalRule)).all())
        events = len(session.exec(select(Event).where(Event.action == Action.SET_SIGNAL_RULE.value)).all())
    return rows, events


@pytest.mark.usefixtures("seeded")
def test_the_coordinator_gets_the_four_lists_with_their_counts(client: TestClient, coordinator: dict[str, str]) -> None:
    response = client.get(SIGNALS, headers=coordinator)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"] == {
        "intermediaries": 1,
        "overdue": 1,
        "ratings": 1,
        "complaints": 1,
    }
    assert body["rule"] == {
        "threshold": 3,
        "window_days": 30,
        "is_default": True,
        "updated_at": None,
        "updated_by": None,
    }
    (flag,) = body["intermediaries"]
    assert (flag["phone_masked"], flag["owners"], len(flag["applications"])) == (
        "138****1234",
        3,
        3,
    )
    assert body["overdue"][0]["overdue_seconds"] == 2 * 86400
    assert body["ratings"][0]["stars"] == 2
    assert body["complaints"][0]["text"] == "窗口人员态度不好"
    assert PHONE not in response.text and "13900009999" not in response.text


@pytest.mark.usefixtures("seeded")
def test_the_period_narrows_ratings_and_complaints_and_max_stars_filters_ratings(
    client: TestClient, coordinator: dict[str, str]
) -> None:
    week = client.get(SIGNALS, params={"days": 2}, headers=coordinator).json()
    assert (week["counts"]["ratings"], week["counts"]["complaints"]) == (0, 1)
    assert client.get(SIGNALS, params={"max_stars": 1}, headers=coordinator).json()["counts"]["ratings"] == 0
    assert client.get(SIGNALS, params={"days": 0}, headers=coordinator).status_code == 422


@pytest.mark.usefixtures("seeded")
def test_changing_the_rule_changes_the_flags_and_writes_one_event(
    client: TestClient, ctx: AppContext, coordinator: dict[str, str]
) -> None:
    narrowed = client.put(RULE, json={"threshold": 3, "window_days": 7}, headers=coordinator)

    assert narrowed.status_code == 200, narrowed.text
    assert (narrowed.json()["window_days"], narrowed.json()["is_default"]) == (7, False)
    assert client.get(SIGNALS, headers=coordinator).json()["intermediaries"] == []
    assert rule_state(ctx) == (1, 1)

    assert client.put(RULE, json={"threshold": 2, "window_days": 7}, headers=coordinator).status_code == 200
    body = client.get(SIGNALS, headers=coordinator).json()
    assert [(f["phone_masked"], f["owners"]) for f in body["intermediaries"]] == [("138****1234", 2)]
    assert body["rule"]["threshold"] == 2
    assert client.get(RULE, headers=coordinator).json()["threshold"] == 2
    assert rule_state(ctx) == (1, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"threshold": 1, "window_days": 30}, "threshold"),
        ({"threshold": 51, "window_days": 30}, "threshold"),
        ({"threshold": 3, "window_days": 0}, "window_days"),
        ({"threshold": 3, "window_days": 366}, "window_days"),
        ({"threshold": "三", "window_days": 30}, "threshold"),
        ({"window_days": 30}, "threshold"),
        ({"threshold": 3, "window_days": 30, "phone": "x"}, "phone"),
    ],
)
def test_a_rule_out_of_bounds_is_refused_clearly_and_nothing_is_stored(
    client: TestClient,
    ctx: AppContext,
    coordinator: dict[str, str],
    body: dict[str, object],
    field: str,
) -> None:
    response = client.put(RULE, json=body, headers=coordinator)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert rule_state(ctx) == (0, 0)


def test_the_bounds_message_names_the_allowed_range(client: TestClient, coordinator: dict[str, str]) -> None:
    response = client.put(RULE, json={"threshold": 51, "window_days": 400}, headers=coordinator)

    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages == {
        "threshold": "车主人数阈值应在2至50之间",
        "window_days": "统计天数应在1至365天之间",
    }


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_clerks_and_supervisors_get_404_on_every_signals_endpoint(
    client: TestClient,
    ctx: AppContext,
    role: Role,
    method: str,
    path: str,
    body: dict[str, int] | None,
) -> None:
    county = "320902" if role is Role.CLERK else None
    headers = staff(ctx, f"{role.value}_user", role, member="picc", county=county)[1]

    response = client.request(method, path, json=body, headers=headers)

    assert response.status_code == 404
    assert rule_state(ctx) == (0, 0)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_without_a_login_every_signals_endpoint_is_401(
    client: TestClient, method: str, path: str, body: dict[str, int] | None
) -> None:
    assert client.request(method, path, json=body).status_code == 401


@pytest.mark.usefixtures("seeded")
def test_no_full_phone_number_reaches_the_log(
    client: TestClient, coordinator: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.get(SIGNALS, headers=coordinator)
        client.put(RULE, json={"threshold": 2, "window_days": 10}, headers=coordinator)
        client.get(SIGNALS, headers=coordinator)

    assert caplog.records  # the access log did run
    assert all(PHONE not in record.getMessage() for record in caplog.records)


def test_a_rule_change_reaches_the_coordinators_feed_and_no_clerks(
    client: TestClient, ctx: AppContext, coordinator: dict[str, str]
) -> None:
    clerk = staff(ctx, "clerk_feed", Role.CLERK, member="picc", county="320902")[1]
    client.put(RULE, json={"threshold": 4, "window_days": 14}, headers=coordinator)

    seen = client.get("/api/v1/staff/events", params={"after": 0}, headers=coordinator).json()["events"]
    clerk_seen = client.get("/api/v1/staff/events", params={"after": 0}, headers=clerk).json()["events"]

    (event,) = [e for e in seen if e["action"] == Action.SET_SIGNAL_RULE.value]
    assert event["payload"] == {
        "before": {"threshold": 3, "window_days": 30},
        "after": {"threshold": 4, "window_days": 14},
    }
    assert event["case_id"] is None
    assert not [e for e in clerk_seen if e["action"] == Action.SET_SIGNAL_RULE.value]
