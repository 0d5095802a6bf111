"""The server's own access log: one line per request, the path without its query string."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.context import AppContext
from tests.server.factories import make_staff, staff_headers


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "no1window.access"]


def test_a_request_is_logged_with_status_and_without_its_query(
    client: TestClient, ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    make_staff(ctx, "clerk1")
    headers = staff_headers(client, "clerk1")
    caplog.set_level(logging.INFO, logger="no1window.access")
    response = client.get("/api/v1/staff/cases", params={"q": "王小明"}, headers=headers)
    assert response.status_code == 200
    lines = access_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith("GET /api/v1/staff/cases 200 ")
    assert "王小明" not in caplog.text and "q=" not in caplog.text


def test_refusals_are_logged_with_their_status(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="no1window.access")
    assert client.get("/api/v1/staff/cases").status_code == 401
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert [line.rsplit(" ", 1)[0] for line in access_lines(caplog)] == [
        "GET /api/v1/staff/cases 401",
        "GET /api/v1/no-such-thing 404",
    ]


def test_a_crash_is_logged_as_500(app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/api/v1/test-crash")
    def crash() -> None:
        raise RuntimeError("boom")

    caplog.set_level(logging.INFO, logger="no1window.access")
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/test-crash").status_code == 500
    assert [line.rsplit(" ", 1)[0] for line in access_lines(caplog)] == ["GET /api/v1/test-crash 500"]
