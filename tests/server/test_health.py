"""The health endpoint reports the database, the document store and the calendar."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from server.clock import LOCAL_ZONE, FixedClock


def test_health_reports_database_store_and_confirmed_calendar(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["document_store"] == "ok"
    assert 2026 in body["calendar"]["confirmed_years"]
    assert body["calendar"]["current_year_confirmed"] is True


def test_health_warns_when_the_year_has_no_confirmed_schedule(client: TestClient, clock: FixedClock) -> None:
    clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=LOCAL_ZONE))
    calendar = client.get("/api/v1/health").json()["calendar"]
    assert calendar["current_year_confirmed"] is False
    assert "2027" in calendar["warning"]


def test_catalog_lists_counties_members_and_required_documents(client: TestClient) -> None:
    body = client.get("/api/v1/catalog").json()
    assert len(body["counties"]) == 9 and len(body["members"]) == 8
    new = next(b for b in body["business_types"] if b["code"] == "new")
    assert new["required_documents"] == ["id_front", "id_back", "certificate_of_conformity", "purchase_invoice"]
    assert body["online_categories"] == ["motorcycle"]
    assert body["consent_version"] and "身份证" in body["consent_text"]
