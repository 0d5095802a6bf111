"""Request bodies of the staff workflow actions (POST /api/v1/staff/cases/{id}/<action>).

Every body carries `version`: the case version the clerk was looking at, so
two people acting on the same case cannot overwrite each other unknowingly.
Inputs are checked here, at the edge, with Chinese messages; rules that need
the database or the clock (is this document on the case? is this time in
the past?) are checked by the server's services.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from common.enums import CallOutcome, DocumentKind
from common.validators import ValidationProblem

# The most a single compulsory policy can plausibly cost (heavy trucks stay far below);
# anything above is a typo such as a missing decimal point.
MAX_PREMIUM = Decimal("100000.00")
MAX_LINK_LENGTH = 500
MAX_CALL_SECONDS = 2 * 3600

# Kinds a customer can be asked to bring; the e-policy is the insurer's own document.
REQUESTABLE_KINDS = tuple(k for k in DocumentKind if k is not DocumentKind.E_POLICY)


def _text(label: str, max_length: int, *, required: bool = True) -> AfterValidator:
    """Strip surrounding blanks; refuse an empty (when required) or too long text, naming the field."""

    def check(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValidationProblem(f"请填写{label}")
        if len(value) > max_length:
            raise ValidationProblem(f"{label}不能超过{max_length}个字")
        return value

    return AfterValidator(check)


def _https_link(label: str) -> AfterValidator:
    """A complete https:// link: customers open it from an SMS, so nothing unencrypted or relative."""

    def check(value: str) -> str:
        value = value.strip()
        if len(value) > MAX_LINK_LENGTH:
            raise ValidationProblem(f"{label}不能超过{MAX_LINK_LENGTH}个字符")
        if any(ch.isspace() for ch in value):
            raise ValidationProblem(f"{label}不能包含空格")
        parts = urlsplit(value)
        if parts.scheme.lower() != "https":
            raise ValidationProblem(f"{label}必须以 https:// 开头")
        if not parts.hostname or parts.username or parts.password:
            raise ValidationProblem(f"{label}格式不正确,请粘贴完整的网址")
        return value

    return AfterValidator(check)


def _premium(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValidationProblem("保费必须大于0元")
    if value > MAX_PREMIUM:
        raise ValidationProblem(f"保费不能超过{MAX_PREMIUM}元,请检查是否输错")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationProblem("保费最多保留两位小数(元、角、分)")
    return value.quantize(Decimal("0.01"))


def _aware(label: str) -> AfterValidator:
    """Times must say their zone: counter PCs and the server must agree on the instant."""

    def check(value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationProblem(f"{label}必须带时区(例如 2026-03-10T10:00:00+08:00)")
        return value

    return AfterValidator(check)


def _requestable_kinds(kinds: list[DocumentKind]) -> list[DocumentKind]:
    if DocumentKind.E_POLICY in kinds:
        raise ValidationProblem("电子保单由保险公司出具,不能要求客户补充")
    if len(set(kinds)) != len(kinds):
        raise ValidationProblem("补充材料种类有重复")
    return kinds


class VersionedIn(BaseModel):
    """The body of an action that needs nothing but the version the clerk saw (accept, supplement)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="操作者看到的申请版本号;已被他人更新时返回409")


class RequestSupplementIn(VersionedIn):
    kinds: Annotated[
        list[DocumentKind], Field(min_length=1, max_length=len(REQUESTABLE_KINDS)), AfterValidator(_requestable_kinds)
    ]
    message: Annotated[str, _text("补充说明", 200, required=False)] = ""


class EscalateIn(VersionedIn):
    reason: Annotated[str, _text("提交上级审批的原因", 500)]


class DecideIn(VersionedIn):
    comment: Annotated[str, _text("审批意见", 500)]


class ApproveIn(VersionedIn):
    payment_link: Annotated[str, _https_link("缴费链接")]
    premium: Annotated[Decimal, AfterValidator(_premium)] = Field(description="保费(元),最多两位小数")


class RecordPaymentIn(VersionedIn):
    reference: Annotated[str, _text("缴费流水号", 60, required=False)] | None = None
    paid_at: Annotated[datetime, _aware("缴费时间")] | None = Field(default=None, description="缺省为当前时间")


class IssuePolicyIn(VersionedIn):
    """The e-policy: either a link from the insurer's system or a PDF already uploaded to the case."""

    policy_number: Annotated[str, _text("保单号", 40)]
    policy_link: Annotated[str, _https_link("电子保单链接")] | None = None
    policy_document_id: int | None = Field(default=None, ge=1, description="已上传的电子保单文件(种类 e_policy)")

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "IssuePolicyIn":
        if (self.policy_link is None) == (self.policy_document_id is None):
            raise ValidationProblem("请填写电子保单链接,或选择已上传的电子保单文件(二选一)")
        return self


class MoveOfflineIn(VersionedIn):
    reason: Annotated[str, _text("转线下办理的原因", 500)]


class RejectIn(VersionedIn):
    reason: Annotated[str, _text("退回原因", 500)]


class ReassignIn(VersionedIn):
    member_code: str = Field(min_length=1, max_length=20, pattern=r"^[a-z0-9_]+$")
    reason: Annotated[str, _text("改派原因", 500)]


class CallIn(VersionedIn):
    outcome: CallOutcome
    started_at: Annotated[datetime, _aware("通话开始时间")]
    duration_seconds: int = Field(ge=0, le=MAX_CALL_SECONDS)
    notes: Annotated[str, _text("通话记录", 1000, required=False)] = ""


class NoteIn(VersionedIn):
    text: Annotated[str, _text("备注", 1000)]
