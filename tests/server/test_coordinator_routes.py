"""Guard over every coordinator endpoint, present and future: coordinator only, everyone else 404.

The routes are enumerated from the application itself, so a new endpoint
under /api/v1/coordinator is checked without anyone adding it to a list.
Each is called by a clerk and a supervisor with plausible path values and an
empty JSON body: the 404 comes from `get_coordinator`, which FastAPI resolves
before it validates the query and body, so no valid body is needed. The
coordinator's answer to the very same request is never 404, which shows the
request did reach the route (a 422 for the empty body is the expected one).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import func, select

from common.enums import Role
from server.api.deps import get_coordinator
from server.context import AppContext
from server.models import Event, StaffUser
from tests.server.factories import make_staff, staff_headers

PREFIX = "/api/v1/coordinator"


def coordinator_routes(app: FastAPI) -> list[tuple[str, str, Dependant]]:
    """(method, path, dependant) of every route under PREFIX, HEAD left out (it follows GET)."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, path, route.dependant))
    return found


def calls(dependant: Dependant) -> Iterator[object]:
    """Every callable the dependant depends on, however deep."""
    for sub in dependant.dependencies:
        yield sub.call
        yield from calls(sub)


def plausible_path(path: str, user_id: int) -> str:
    """The path with its parameters filled in with values that exist."""
    values = {"county_code": "320902", "member_code": "picc", "user_id": str(user_id)}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"give the path parameter in {path} a plausible value here"
    return path


def event_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.exec(select(func.count()).select_from(Event)).one())


def test_the_routes_are_all_found_and_each_depends_on_get_coordinator(
    app: FastAPI,
) -> None:
    routes = coordinator_routes(app)
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(PREFIX)
        for method in operations
    }

    # The enumeration misses nothing the API documents (and there is something to check).
    assert documented and documented <= {(m, p) for m, p, _ in routes}
    unguarded = [(m, p) for m, p, dependant in routes if get_coordinator not in calls(dependant)]
    assert unguarded == []


def test_no_route_outside_the_coordinator_prefix_depends_on_get_coordinator(
    app: FastAPI,
) -> None:
    # The prefix is the coordinator's namespace: the other tests here cover every such route.
    elsewhere = [
        route.path
        for route in iter_route_contexts(app.routes)
        if getattr(route, "dependant", None) is not None
        and not (route.path or "").startswith(PREFIX)
        and get_coordinator in calls(route.dependant)
    ]
    assert elsewhere == []


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
def test_clerks_and_supervisors_get_404_on_every_coordinator_route(
    ctx: AppContext, app: FastAPI, client: TestClient, role: Role
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
    before = event_count(ctx)

    answers = {
        (method, path): client.request(
            method,
            plausible_path(path, target.id or 0),
            json={} if method in ("POST", "PUT", "PATCH") else None,
            headers=headers,
        ).status_code
        for method, path, _ in coordinator_routes(app)
    }

    assert answers and set(answers.values()) == {404}, answers
    assert event_count(ctx) == before
    with ctx.db.read() as session:
        assert session.get(StaffUser, target.id).active


def test_the_same_requests_reach_the_routes_for_the_coordinator(
    ctx: AppContext, app: FastAPI, client: TestClient
) -> None:
    target = make_staff(ctx, "target_clerk", county_code="320903")
    make_staff(ctx, "city_coord", Role.COORDINATOR, member_code=None, county_code=None)
    headers = staff_headers(client, "city_coord")

    answers = {
        (method, path): client.request(
            method,
            plausible_path(path, target.id or 0),
            json={} if method in ("POST", "PUT", "PATCH") else None,
            headers=headers,
        ).status_code
        for method, path, _ in coordinator_routes(app)
    }

    # 200 where nothing more is needed, 422 where the empty body or a missing date is refused.
    assert answers and all(code in (200, 201, 422) for code in answers.values()), answers
