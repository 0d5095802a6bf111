"""Queue rows for model tests: valid `CaseSummary` objects without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from common.enums import BusinessType, CaseStatus, VehicleCategory
from common.schemas.cases import CaseSummary

# Tuesday 2026-03-10, 10:00 in Yancheng (02:00 UTC): an ordinary working morning.
MORNING = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

_OWNERS = ("王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")
_COUNTIES = (("320902", "亭湖区"), ("320903", "盐都区"), ("320981", "东台市"))


class ManualClock:
    """A model's `now`: stands still until a test moves it."""

    def __init__(self, at: datetime = MORNING) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def summary(
    case_id: int,
    *,
    status: CaseStatus = CaseStatus.ASSIGNED,
    due_in: timedelta | None = timedelta(hours=6),
    now: datetime = MORNING,
    **overrides: Any,
) -> CaseSummary:
    """Case `case_id`, due `due_in` after `now` (None: no deadline)."""
    county_code, county_name = _COUNTIES[case_id % len(_COUNTIES)]
    fields: dict[str, Any] = {
        "id": case_id,
        "number": f"YC20260310-{case_id:04d}",
        "version": 1,
        "channel": "online",
        "category": VehicleCategory.MOTORCYCLE.value,
        "category_label": VehicleCategory.MOTORCYCLE.label,
        "business_type": BusinessType.RENEWAL.value,
        "business_type_label": BusinessType.RENEWAL.label,
        "county_code": county_code,
        "county_name": county_name,
        "status": status.value,
        "status_label": status.label,
        "owner_name": _OWNERS[case_id % len(_OWNERS)],
        "owner_id_masked": "320902********123X",
        "plate": f"苏J{case_id:05d}",
        "vin": f"LBPKE1800R{case_id:07d}",
        "member_code": "picc",
        "member_name": "人保财险",
        "submitted_at": now - timedelta(hours=1),
        "due_at": now + due_in if due_in is not None else None,
        "sla_paused": status is CaseStatus.SUPPLEMENT_REQUESTED,
        "overdue": False,
    }
    fields.update(overrides)
    return CaseSummary(**fields)
