"""The case, county and member a signal points at, named the way the coordinator reads them."""

from __future__ import annotations

from typing import Any

from common.catalog import Catalog

# Each list shows at most this many rows; its count says how many there are in all.
ROW_LIMIT = 500


def case_ref(
    catalog: Catalog,
    *,
    case_id: int,
    case_number: str,
    county_code: str,
    member_code: str | None,
) -> dict[str, Any]:
    """The `CaseRef` fields, with the county's and the member's Chinese names."""
    return {
        "case_id": case_id,
        "case_number": case_number,
        "county_code": county_code,
        "county_name": catalog.county_names.get(county_code, county_code),
        "member_code": member_code,
        "member_name": catalog.member_names.get(member_code) if member_code else None,
    }
