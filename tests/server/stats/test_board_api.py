"""GET /api/v1/coordinator/board over HTTP: the coordinator's alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from common.enums import CaseStatus, Role
from server.context import AppContext
from tests.server.queue.builders import make_case, staff

BOARD = "/api/v1/coordinator/board"


def test_the_coordinator_reads_the_board(ctx: AppContext, client: TestClient) -> None:
    now = ctx.clock.now()
    make_case(ctx, member="cpic", county="320903", due_at=now - timedelta(hours=1))
    waiting = make_case(ctx, member=None, status=CaseStatus.SUBMITTED)
    _, headers = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)

    response = client.get(BOARD, headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unassigned"]["count"] == 1
    assert body["unassigned"]["cases"][0]["number"] == waiting.number
    yandu_cpic = next(r for r in body["rows"] if (r["county_code"], r["member_code"]) == ("320903", "cpic"))
    assert (yandu_cpic["county_name"], yandu_cpic["member_name"]) == (
        "盐都区",
        "太保财险",
    )
    assert (yandu_cpic["open_cases"], yandu_cpic["overdue"]) == (1, 1)
    assert body["today"] == {"completed": 0, "same_day": 0, "rate": None}


@pytest.mark.parametrize(
    ("role", "member", "county"),
    [(Role.CLERK, "picc", "320902"), (Role.SUPERVISOR, "picc", None)],
)
def test_clerks_and_supervisors_do_not_find_the_board(
    ctx: AppContext, client: TestClient, role: Role, member: str, county: str | None
) -> None:
    _, headers = staff(ctx, "someone", role, member=member, county=county)

    response = client.get(BOARD, headers=headers)

    assert response.status_code == 404


def test_the_board_needs_a_login(client: TestClient) -> None:
    assert client.get(BOARD).status_code == 401
