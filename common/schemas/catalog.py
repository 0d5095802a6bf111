"""What the public catalog endpoint returns."""

from __future__ import annotations

from pydantic import BaseModel


class Option(BaseModel):
    code: str
    name: str


class DocumentKindOut(Option):
    hint: str = ""


class BusinessTypeOut(Option):
    hint: str
    required_documents: list[str]


class CatalogOut(BaseModel):
    city: str
    supervision_phone: str
    counties: list[Option]
    members: list[Option]
    vehicle_categories: list[Option]
    online_categories: list[str]
    business_types: list[BusinessTypeOut]
    document_kinds: list[DocumentKindOut]
    statuses: list[Option]
    call_outcomes: list[Option]
    consent_version: str
    consent_title: str
    consent_text: str


class HealthOut(BaseModel):
    status: str
    database: str
    document_store: str
    calendar: dict[str, object]
