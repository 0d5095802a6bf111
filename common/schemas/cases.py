"""Schemas of cases: what clients send to create one, and how a case is shown.

Field validators use the checks of `common.validators`, so a bad ID number or
VIN is refused at the edge with the same Chinese message everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from common.enums import BusinessType, VehicleCategory
from common.validators import ValidationProblem, validate_mobile, validate_plate, validate_resident_id, validate_vin

# The birth-date-not-in-the-future part of the ID check needs the server's
# clock; the service repeats the check with it. The schema checks the rest.
_NO_DATE_LIMIT = date(9999, 12, 31)


def _id_number(value: str) -> str:
    return validate_resident_id(value, today=_NO_DATE_LIMIT)


def _person_name(value: str) -> str:
    value = value.strip()
    if not 2 <= len(value) <= 30:
        raise ValidationProblem("请填写车主姓名(2至30个字)", field="name")
    return value


IdNumber = Annotated[str, AfterValidator(_id_number)]
Mobile = Annotated[str, AfterValidator(validate_mobile)]
Vin = Annotated[str, AfterValidator(validate_vin)]
Plate = Annotated[str, AfterValidator(validate_plate)]
PersonName = Annotated[str, AfterValidator(_person_name)]


class OwnerIn(BaseModel):
    """The vehicle owner, who is the policyholder."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName
    id_number: IdNumber
    phone: Mobile


class VehicleIn(BaseModel):
    """The vehicle: a new one has no plate yet; a registered one must give it."""

    model_config = ConfigDict(extra="forbid")

    plate: Plate | None = None
    vin: Vin
    engine_number: str | None = Field(default=None, max_length=40)
    brand_model: str = Field(min_length=1, max_length=60)
    displacement_cc: int | None = Field(default=None, ge=0, le=20000)
    power_kw: Decimal | None = Field(default=None, ge=0, le=1000)


class ApplicationCreate(BaseModel):
    """A citizen's application (motorcycles only online)."""

    model_config = ConfigDict(extra="forbid")

    business_type: BusinessType
    county_code: str = Field(min_length=6, max_length=6)
    owner: OwnerIn
    vehicle: VehicleIn

    @model_validator(mode="after")
    def _plate_matches_business_type(self) -> "ApplicationCreate":
        if self.business_type is BusinessType.RENEWAL and not self.vehicle.plate:
            raise ValidationProblem("非新车投保请填写车牌号码", field="vehicle.plate")
        if self.business_type is BusinessType.NEW and self.vehicle.plate:
            raise ValidationProblem(
                "新车投保的车辆尚未上牌,请不要填写车牌号码;已上牌请选择“非新车投保”", field="vehicle.plate"
            )
        return self


class IntakeCreate(ApplicationCreate):
    """A walk-in customer's case entered at the counter: any of the 6 categories."""

    category: VehicleCategory


class DocumentOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    round: int
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    created_at: datetime


class EventOut(BaseModel):
    """An event of a case's timeline or of the staff change feed.

    `county_code` is the county the event concerns, so a client can tell
    whether it touches what it shows without asking again: for a case event,
    the case's county (it never changes after the case is created); for a
    window's settings (SET_BRANCH), that window's county. None for changes
    that belong to no county (a warning rule, a staff account: the account's
    codes stay in its payload). The server fills it from the event's stored
    county, which also scopes the feed; payloads are left as recorded.
    """

    seq: int
    case_id: int | None
    case_number: str | None = None
    county_code: str | None = None
    action: str
    action_label: str
    status_after: str | None
    actor_label: str
    payload: dict[str, object]
    created_at: datetime


class CallOut(BaseModel):
    id: int
    outcome: str
    outcome_label: str
    started_at: datetime
    duration_seconds: int
    notes: str
    user_label: str


class CaseSummary(BaseModel):
    """A row of the staff queue. The ID number is always masked here."""

    id: int
    number: str
    version: int
    channel: str
    category: str
    category_label: str
    business_type: str
    business_type_label: str
    county_code: str
    county_name: str
    status: str
    status_label: str
    owner_name: str
    owner_id_masked: str
    plate: str | None
    vin: str
    member_code: str | None
    member_name: str | None
    submitted_at: datetime | None
    due_at: datetime | None
    sla_paused: bool
    overdue: bool


class CaseDetail(CaseSummary):
    """Everything a clerk needs on one case (ID number still masked: revealing is a separate call)."""

    owner_phone: str
    engine_number: str | None
    brand_model: str | None
    displacement_cc: int | None
    power_kw: Decimal | None
    window_phone: str | None
    handler_name: str | None
    escalated: bool
    consent_version: str | None
    consent_at: datetime | None
    supplement_round: int
    supplement_kinds: list[str]
    supplement_message: str | None
    premium: Decimal | None
    payment_link: str | None
    paid_at: datetime | None
    policy_number: str | None
    policy_link: str | None
    closing_reason: str | None
    required_documents: list[str]
    missing_documents: list[str]
    documents: list[DocumentOut]
    events: list[EventOut]
    calls: list[CallOut]
    allowed_actions: list[str]
    dispatch_reason: str | None


class QueuePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class Progress(BaseModel):
    """One step of a citizen's progress timeline."""

    action: str
    label: str
    status_after: str | None
    at: datetime


class ApplicationOut(BaseModel):
    """A citizen's own application with its progress (their own data, ID masked all the same)."""

    id: int
    number: str
    version: int
    category: str
    business_type: str
    business_type_label: str
    county_code: str
    county_name: str
    status: str
    status_label: str
    owner_name: str
    owner_id_masked: str
    owner_phone: str
    plate: str | None
    vin: str
    brand_model: str | None
    member_name: str | None
    window_phone: str | None
    submitted_at: datetime | None
    due_at: datetime | None
    required_documents: list[str]
    missing_documents: list[str]
    documents: list[DocumentOut]
    supplement_kinds: list[str]
    supplement_message: str | None
    premium: Decimal | None
    payment_link: str | None
    policy_number: str | None
    policy_link: str | None
    closing_reason: str | None = None
    can_cancel: bool
    progress: list[Progress]
