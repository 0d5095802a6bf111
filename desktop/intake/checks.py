"""Checking the intake form as the server will: the same validators, the same schema, the same words.

Fields are named by the paths the server uses in a 422 (`owner.phone`,
`vehicle.vin`, …), so a problem found here and one the server reports land
on the same field. Pure Python: testable without widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from common.enums import BusinessType, DocumentKind
from common.schemas.cases import IntakeCreate
from common.validators import ValidationProblem, validate_mobile, validate_plate, validate_resident_id, validate_vin

NAME = "owner.name"
ID_NUMBER = "owner.id_number"
PHONE = "owner.phone"
PLATE = "vehicle.plate"
VIN = "vehicle.vin"
ENGINE = "vehicle.engine_number"
BRAND = "vehicle.brand_model"
DISPLACEMENT = "vehicle.displacement_cc"
POWER = "vehicle.power_kw"
FIELDS = (NAME, ID_NUMBER, PHONE, PLATE, VIN, ENGINE, BRAND, DISPLACEMENT, POWER)

# The schema's own wording where it has one (common/schemas/cases.py), plain words for the length limits.
NAME_PROBLEM = "请填写车主姓名(2至30个字)"
NEW_WITH_PLATE = "新车投保的车辆尚未上牌,请不要填写车牌号码;已上牌请选择“非新车投保”"
RENEWAL_WITHOUT_PLATE = "非新车投保请填写车牌号码"


def check_field(path: str, text: str, business_type: BusinessType, *, today: date) -> str | None:
    """The problem with one field's text, or None; what the clerk sees when leaving the field."""
    text = text.strip()
    try:
        if path == NAME and not 2 <= len(text) <= 30:
            return NAME_PROBLEM
        if path == ID_NUMBER:
            validate_resident_id(text, today=today)
        elif path == PHONE:
            validate_mobile(text)
        elif path == VIN:
            validate_vin(text)
        elif path == PLATE:
            if business_type is BusinessType.NEW:
                return NEW_WITH_PLATE if text else None
            if not text:
                return RENEWAL_WITHOUT_PLATE
            validate_plate(text)
        elif path == BRAND and not text:
            return "请填写品牌型号"
        elif path == BRAND and len(text) > 60:
            return "品牌型号不能超过60个字"
        elif path == ENGINE and len(text) > 40:
            return "发动机号不能超过40个字符"
        elif path == DISPLACEMENT and text:
            if not text.isdigit() or not 0 <= int(text) <= 20000:
                return "排量应为0至20000之间的整数(毫升)"
        elif path == POWER and text:
            try:
                power = Decimal(text)
            except InvalidOperation:
                return "功率应为数字(千瓦)"
            if not 0 <= power <= 1000:
                return "功率应在0至1000千瓦之间"
    except ValidationProblem as problem:
        return problem.message
    return None


def build_payload(
    values: Mapping[str, str], *, category: str, business_type: BusinessType, county_code: str
) -> dict[str, Any]:
    """The body of POST /staff/intake from the form's texts (empty optional fields left out)."""

    def optional(path: str) -> str | None:
        text = values.get(path, "").strip()
        return text or None

    vehicle: dict[str, Any] = {
        "plate": optional(PLATE) if business_type is BusinessType.RENEWAL else None,
        "vin": values.get(VIN, "").strip(),
        "engine_number": optional(ENGINE),
        "brand_model": values.get(BRAND, "").strip(),
        "displacement_cc": int(values[DISPLACEMENT]) if optional(DISPLACEMENT) else None,
        "power_kw": optional(POWER),
    }
    return {
        "category": category,
        "business_type": business_type.value,
        "county_code": county_code,
        "owner": {
            "name": values.get(NAME, "").strip(),
            "id_number": values.get(ID_NUMBER, "").strip(),
            "phone": values.get(PHONE, "").strip(),
        },
        "vehicle": vehicle,
    }


def check_form(
    values: Mapping[str, str], *, category: str, business_type: BusinessType, county_code: str, today: date
) -> dict[str, str]:
    """Every problem of the form, by field path ("" for one that belongs to no single field)."""
    problems = {}
    for path in FIELDS:
        problem = check_field(path, values.get(path, ""), business_type, today=today)
        if problem:
            problems[path] = problem
    if problems:
        return problems
    payload = build_payload(values, category=category, business_type=business_type, county_code=county_code)
    try:
        IntakeCreate.model_validate(payload)
    except ValidationError as error:
        for item in error.errors():
            path = ".".join(str(p) for p in item.get("loc", ()))
            cause = item.get("ctx", {}).get("error")
            if isinstance(cause, ValidationProblem) and cause.field and "." in cause.field:
                path = cause.field
            problems.setdefault(path, str(cause) if cause else "填写内容不正确")
    return problems


# A refusal the server's services make (not its schema) names no field in the client's error, but its text
# comes from common.validators, whose messages all start with the field's name.
_MESSAGE_FIELDS = (
    ("身份证号码", ID_NUMBER),
    ("手机号码", PHONE),
    ("车架号", VIN),
    ("号牌号码", PLATE),
    ("车牌号码", PLATE),
    ("非新车投保请填写车牌", PLATE),
    ("新车投保的车辆尚未上牌", PLATE),
    ("请填写车主姓名", NAME),
)


def field_of_message(message: str) -> str | None:
    """The field a refusal is about, judged by the validators' wording; None when it names none."""
    return next((path for prefix, path in _MESSAGE_FIELDS if message.startswith(prefix)), None)


def missing_documents_text(missing: list[str]) -> str:
    """The server's own words for a submission without all required documents."""
    names = "、".join(DocumentKind(kind).label for kind in missing)
    return f"还缺少以下材料,请上传后再提交:{names}"
