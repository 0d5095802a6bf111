"""The domain catalog: counties, pool members, vehicle categories, business types, documents.

Loaded once from `resources/domain.json` (a copy of the product's domain facts)
into typed, immutable objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from common.enums import BusinessType, DocumentKind
from common.resources import resources_dir


@dataclass(frozen=True)
class County:
    code: str
    name: str


@dataclass(frozen=True)
class PoolMember:
    code: str
    short: str
    name: str


@dataclass(frozen=True)
class DocumentKindInfo:
    kind: DocumentKind
    name: str
    hint: str


@dataclass(frozen=True)
class Catalog:
    """Immutable domain facts; see `load_catalog`."""

    city_name: str
    supervision_phone: str
    counties: tuple[County, ...]
    members: tuple[PoolMember, ...]
    required_documents: dict[BusinessType, tuple[DocumentKind, ...]]
    document_kinds: tuple[DocumentKindInfo, ...]
    business_type_hints: dict[BusinessType, str]

    @cached_property
    def county_names(self) -> dict[str, str]:
        """County code → name."""
        return {c.code: c.name for c in self.counties}

    @cached_property
    def member_names(self) -> dict[str, str]:
        """Member code → short name (人保财险, …)."""
        return {m.code: m.short for m in self.members}

    def required_for(self, business_type: BusinessType) -> tuple[DocumentKind, ...]:
        """Documents required for a business type: the same list at every member ("三同样")."""
        return self.required_documents[business_type]


def load_catalog(path: Path | None = None) -> Catalog:
    """Read the catalog from `resources/domain.json` (or `path`)."""
    raw = json.loads((path or resources_dir() / "domain.json").read_text(encoding="utf-8"))
    return Catalog(
        city_name=raw["city"]["name"],
        supervision_phone=raw["city"]["supervision_phone"],
        counties=tuple(County(c["code"], c["name"]) for c in raw["counties"]),
        members=tuple(PoolMember(m["code"], m["short"], m["name"]) for m in raw["pool_members"]),
        required_documents={
            BusinessType(b["code"]): tuple(DocumentKind(k) for k in b["required_documents"])
            for b in raw["business_types"]
        },
        document_kinds=tuple(
            DocumentKindInfo(DocumentKind(d["code"]), d["name"], d["hint"]) for d in raw["document_kinds"]
        ),
        business_type_hints={BusinessType(b["code"]): b["hint"] for b in raw["business_types"]},
    )
