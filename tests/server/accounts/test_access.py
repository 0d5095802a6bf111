"""Only the city coordinator reaches the account endpoints: clerks and supervisors get 404, strangers 401."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.enums import Role
from server.context import AppContext
from tests.server.accounts.test_api import (
    CLERK_BODY,
    NEW_PASSWORD,
    USERS,
    log_in,
    stored_counts,
)
from tests.server.factories import PASSWORD, make_staff, staff_headers

ENDPOINTS = [
    ("GET", USERS, None),
    ("POST", USERS, CLERK_BODY),
    ("POST", USERS + "/{id}/reset-password", {"password": NEW_PASSWORD}),
    ("POST", USERS + "/{id}/deactivate", None),
]


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_clerks_and_supervisors_get_404_on_every_account_endpoint(
    ctx: AppContext,
    client: TestClient,
    role: Role,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    target = make_staff(ctx, "target_clerk", county_code="320903")
    make_staff(
        ctx,
        "insider",
        role,
        member_code="picc",
        county_code="320902" if role is Role.CLERK else None,
    )
    headers = staff_headers(client, "insider")
    before = stored_counts(ctx)

    response = client.request(method, path.format(id=target.id), json=body, headers=headers)

    assert response.status_code == 404, response.text
    assert stored_counts(ctx) == before
    assert log_in(client, "target_clerk", PASSWORD).status_code == 201


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_without_a_login_every_account_endpoint_is_401(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    assert client.request(method, path.format(id=1), json=body).status_code == 401
