"""Public domain facts: counties, members, categories, documents, the consent text."""

from __future__ import annotations

from fastapi import APIRouter

from common.consent import load_consent
from common.enums import CallOutcome, CaseStatus, VehicleCategory
from common.schemas.catalog import BusinessTypeOut, CatalogOut, DocumentKindOut, Option
from server.api.deps import ContextDep

router = APIRouter(tags=["catalog"])


@router.get("/catalog", response_model=CatalogOut)
def get_catalog(ctx: ContextDep) -> CatalogOut:
    """Everything a client needs to build its forms."""
    cat, consent = ctx.catalog, load_consent()
    return CatalogOut(
        city=cat.city_name,
        supervision_phone=cat.supervision_phone,
        counties=[Option(code=c.code, name=c.name) for c in cat.counties],
        members=[Option(code=m.code, name=m.short) for m in cat.members],
        vehicle_categories=[Option(code=v.value, name=v.label) for v in VehicleCategory],
        online_categories=[v.value for v in VehicleCategory if v.online],
        business_types=[
            BusinessTypeOut(
                code=b.value, name=b.label, hint=cat.business_type_hints[b], required_documents=[k.value for k in kinds]
            )
            for b, kinds in cat.required_documents.items()
        ],
        document_kinds=[DocumentKindOut(code=d.kind.value, name=d.name, hint=d.hint) for d in cat.document_kinds],
        statuses=[Option(code=s.value, name=s.label) for s in CaseStatus],
        call_outcomes=[Option(code=o.value, name=o.label) for o in CallOutcome],
        consent_version=consent.version,
        consent_title=consent.title,
        consent_text=consent.text,
    )
