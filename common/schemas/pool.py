"""The coordinator's pool settings (分派设置): each member's window in a county, changes to it, their history.

A window is a member's branch in one county: where that county's cases go
when the member is chosen. The coordinator switches it on or off
(``available``), sets its dispatch ``weight`` (its share of the county's new
cases is ``weight / sum of the available weights``) and its phone, which
the customer's "assigned" SMS names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
)

from common.validators import ValidationProblem, validate_landline

# Sane bounds: 1 is the least share a window can have while on (0 would be "off", which is
# the availability switch's job); 100 already gives one member 100 times another's share.
MIN_WEIGHT = 1
MAX_WEIGHT = 100

WindowField = Literal["available", "weight", "window_phone"]
FIELD_LABELS: dict[str, str] = {
    "available": "接单状态",
    "weight": "分派权重",
    "window_phone": "窗口电话",
}
AVAILABLE_LABELS: dict[bool, str] = {True: "接单", False: "暂停接单"}


def _weight(value: object) -> int:
    # Strictly a JSON integer: "3", 3.0 and true are typing slips, not weights.
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_WEIGHT <= value <= MAX_WEIGHT:
        raise ValidationProblem(f"分派权重应为{MIN_WEIGHT}到{MAX_WEIGHT}之间的整数", field="weight")
    return value


def _switch(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationProblem("接单状态应为是或否(true/false)", field="available")
    return value


Weight = Annotated[int, BeforeValidator(_weight)]
Switch = Annotated[bool, BeforeValidator(_switch)]
WindowPhone = Annotated[str, AfterValidator(validate_landline)]


class PoolWindow(BaseModel):
    """One member's window in the county as the coordinator sees it, with who last changed it and when."""

    branch_id: int
    member_code: str
    member: str
    county_code: str
    window_phone: str
    available: bool
    weight: int
    changed_by: str | None = None
    changed_at: datetime | None = None


class PoolCounty(BaseModel):
    """A county's windows in member order, and how many of its cases wait for a window (no member available)."""

    county_code: str
    county: str
    windows: list[PoolWindow]
    unassigned: int


class WindowChangeIn(BaseModel):
    """What the coordinator changes on one window; fields left out (or null) stay as they are.

    Values, not increments: sending the same change twice leaves the same
    settings, so a retry after a lost answer is harmless.
    """

    model_config = ConfigDict(extra="forbid")

    available: Switch | None = None
    weight: Weight | None = None
    window_phone: WindowPhone | None = None

    @model_validator(mode="after")
    def _something(self) -> WindowChangeIn:
        if self.available is None and self.weight is None and self.window_phone is None:
            raise ValidationProblem("请至少修改一项:接单状态、分派权重或窗口电话")
        return self


class FieldChange(BaseModel):
    """One setting before and after a change, as display text (a phone masked: 0515-****6666)."""

    field: WindowField
    label: str
    before: str
    after: str


class WindowChangeOut(BaseModel):
    """The window after a change; what changed (empty when the request matched the settings already);
    and the numbers of the waiting cases dispatched at once because the window became available."""

    window: PoolWindow
    changes: list[FieldChange]
    dispatched: list[str]


class PoolChangeRow(BaseModel):
    """One recorded change to a county's windows, newest first in the history."""

    seq: int
    created_at: datetime
    actor_label: str
    member_code: str
    member: str
    changes: list[FieldChange]
