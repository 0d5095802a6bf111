"""The applicant reads why a case was rejected, through the clerk's own action."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from common.enums import Role
from tests.server.cases.conftest import COUNTY, Caller, Citizen


@pytest.mark.usefixtures("only_picc_open")
def test_citizen_sees_the_reason_a_clerk_gave_for_rejecting(
    citizen: Citizen, staff_login: Callable[..., Caller]
) -> None:
    case_id = citizen.draft()
    citizen.upload_all(case_id)
    assert citizen.submit(case_id).status_code == 200
    clerk = staff_login("picc_clerk", Role.CLERK, member_code="picc", county_code=COUNTY)
    version = clerk.client.get(f"/api/v1/staff/cases/{case_id}", headers=clerk.headers).json()["version"]
    rejected = clerk.client.post(
        f"/api/v1/staff/cases/{case_id}/reject",
        json={"version": version, "reason": "车辆已在其他机构投保,无需重复投保"},
        headers=clerk.headers,
    )
    assert rejected.status_code == 200, rejected.text

    mine = citizen.client.get(f"{citizen.base}/{case_id}", headers=citizen.headers).json()
    assert mine["status_label"] == "已退回"
    assert mine["closing_reason"] == "车辆已在其他机构投保,无需重复投保"
