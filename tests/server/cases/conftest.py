"""Fixtures for the application tests: logged-in citizens and clerks, a known dispatch outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from common.consent import load_consent
from common.enums import Role
from server.context import AppContext
from server.models import Branch, Case, Document
from tests.server.factories import application_payload, citizen_headers, jpeg_bytes, make_staff, staff_headers

PHONE = "13912345678"
OTHER_PHONE = "13800001111"
COUNTY = "320902"
NEW_DOCUMENTS = ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice")
RENEWAL_DOCUMENTS = ("id_front", "id_back", "vehicle_license")
CONSENT_VERSION = load_consent().version


@dataclass
class Caller:
    """A logged-in user of the HTTP API (citizen or staff) with the calls the tests repeat."""

    client: TestClient
    headers: dict[str, str]
    base: str  # "/api/v1/citizen/applications" or "/api/v1/staff/cases"

    def upload(
        self,
        case_id: int,
        kind: str,
        content: bytes | None = None,
        *,
        name: str = "photo.jpg",
        declared: str = "image/jpeg",
    ) -> httpx.Response:
        return self.client.post(
            f"{self.base}/{case_id}/documents",
            data={"kind": kind},
            files={"file": (name, jpeg_bytes() if content is None else content, declared)},
            headers=self.headers,
        )

    def upload_all(self, case_id: int, kinds: tuple[str, ...] = NEW_DOCUMENTS) -> None:
        for kind in kinds:
            response = self.upload(case_id, kind)
            assert response.status_code == 201, response.text

    def submit(
        self, case_id: int, *, consent: bool = True, version: str | None = CONSENT_VERSION, key: str | None = None
    ) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return self.client.post(
            f"{self.base}/{case_id}/submit", json={"consent": consent, "consent_version": version}, headers=headers
        )


@dataclass
class Citizen(Caller):
    def create(self, *, key: str | None = None, **payload: Any) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return self.client.post(self.base, json=application_payload(**payload), headers=headers)

    def draft(self, **payload: Any) -> int:
        """A created draft with every required document uploaded."""
        response = self.create(**payload)
        assert response.status_code == 201, response.text
        kinds = RENEWAL_DOCUMENTS if payload.get("business_type") == "renewal" else NEW_DOCUMENTS
        self.upload_all(response.json()["id"], kinds)
        return response.json()["id"]


def citizen_api_for(client: TestClient, ctx: AppContext, phone: str) -> Citizen:
    return Citizen(client, citizen_headers(client, ctx, phone), "/api/v1/citizen/applications")


@pytest.fixture
def citizen(client: TestClient, ctx: AppContext) -> Citizen:
    """The applicant, logged in with phone PHONE."""
    return citizen_api_for(client, ctx, PHONE)


@pytest.fixture
def other_citizen(client: TestClient, ctx: AppContext) -> Citizen:
    """Somebody else, logged in with another phone."""
    return citizen_api_for(client, ctx, OTHER_PHONE)


@pytest.fixture
def staff_login(client: TestClient, ctx: AppContext) -> Callable[..., Caller]:
    """Make a staff user and log them in: staff_login("clerk1", Role.CLERK, member_code="picc", county_code=COUNTY)."""

    def login(username: str, role: Role = Role.CLERK, **where: Any) -> Caller:
        make_staff(ctx, username, role, **where)
        return Caller(client, staff_headers(client, username), "/api/v1/staff/cases")

    return login


def open_only(ctx: AppContext, member_code: str, county_code: str = COUNTY) -> None:
    """Make dispatch predictable: only `member_code`'s window in the county takes cases."""
    with ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == county_code)).all():
            branch.available = branch.member_code == member_code
            session.add(branch)


@pytest.fixture
def only_picc_open(ctx: AppContext) -> None:
    open_only(ctx, "picc")


def load(ctx: AppContext, case_id: int) -> Case:
    with ctx.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def put_case_in(ctx: AppContext, case_id: int, **fields: Any) -> None:
    """Move a case to a state the test needs (the staff actions are tested with their own feature)."""
    with ctx.db.write() as session:
        case = session.get(Case, case_id)
        assert case is not None
        for name, value in fields.items():
            setattr(case, name, value)
        session.add(case)


def documents_of(ctx: AppContext, case_id: int | None = None) -> list[Document]:
    with ctx.db.read() as session:
        query = select(Document) if case_id is None else select(Document).where(Document.case_id == case_id)
        return list(session.exec(query.order_by(Document.id)).all())


def stored_files(ctx: AppContext) -> list[str]:
    """Every file in the document store."""
    root = ctx.store.root  # type: ignore[attr-defined]
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
