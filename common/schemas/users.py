"""Schemas of staff account management (账号管理): the coordinator lists, creates, resets and deactivates accounts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
)

from common.enums import STAFF_ROLES, Role
from common.schemas.auth import StaffUserOut
from common.validators import ValidationProblem

# The same rule as the server console's `user add`: plain ASCII, so it is easy to type at any counter PC.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,40}")
PASSWORD_MIN_LENGTH = 8
# Capped so a huge body cannot make the server hash megabytes per request (as at login).
PASSWORD_MAX_LENGTH = 128
DISPLAY_NAME_MAX_LENGTH = 40


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _optional_code(label: str, max_length: int) -> BeforeValidator:
    def check(value: object) -> object:
        # A chooser left on "(无)" may send "" rather than null: both mean "none".
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, str) and len(value) > max_length:
            raise ValidationProblem(f"没有这个{label}")
        return value

    return BeforeValidator(check)


def _username(value: str) -> str:
    if not USERNAME_PATTERN.fullmatch(value):
        raise ValidationProblem("用户名应为3至40位英文字母、数字或 _ . - 符号", field="username")
    return value


def _display_name(value: str) -> str:
    if not value:
        raise ValidationProblem("请填写姓名", field="display_name")
    if len(value) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationProblem(f"姓名不能超过{DISPLAY_NAME_MAX_LENGTH}个字", field="display_name")
    return value


def _password(value: str) -> str:
    # Never stripped or otherwise changed: the password is exactly what was typed.
    if len(value) < PASSWORD_MIN_LENGTH:
        raise ValidationProblem(f"密码至少需要{PASSWORD_MIN_LENGTH}位", field="password")
    if len(value) > PASSWORD_MAX_LENGTH:
        raise ValidationProblem(f"密码不能超过{PASSWORD_MAX_LENGTH}位", field="password")
    if not value.strip():
        raise ValidationProblem("密码不能全是空格", field="password")
    return value


def _staff_role(value: Role) -> Role:
    if value not in STAFF_ROLES:
        raise ValidationProblem("只能创建窗口经办、上级审批或市级协调员账号", field="role")
    return value


Username = Annotated[str, BeforeValidator(_stripped), AfterValidator(_username)]
DisplayName = Annotated[str, BeforeValidator(_stripped), AfterValidator(_display_name)]
Password = Annotated[str, AfterValidator(_password)]
StaffRole = Annotated[Role, AfterValidator(_staff_role)]
MemberCode = Annotated[str | None, _optional_code("成员机构", 20)]
CountyCode = Annotated[str | None, _optional_code("区县", 6)]


def scope_problem(role: Role, member_code: str | None, county_code: str | None) -> str | None:
    """What is wrong with the member and county given for `role`, in Chinese; None when they fit.

    A clerk serves one member's window in one county, a supervisor all of
    one member's counties, a coordinator the whole city. Shared by the
    request schema and the desktop's dialog, so both say the same.
    """
    if role is Role.CLERK and not (member_code and county_code):
        return "窗口经办人员必须指定所属机构和区县"
    if role is Role.SUPERVISOR and not member_code:
        return "上级审批人员必须指定所属机构"
    if role is Role.SUPERVISOR and county_code:
        return "上级审批人员负责本机构所有区县,不要指定区县"
    if role is Role.COORDINATOR and (member_code or county_code):
        return "市级协调员不属于任何机构或区县,不要指定机构和区县"
    return None


class StaffAccountOut(StaffUserOut):
    """A staff account as the coordinator's list shows it. The password hash never leaves the server."""

    active: bool
    locked_until: datetime | None
    created_at: datetime


class StaffAccountCreate(BaseModel):
    """A new clerk, supervisor or coordinator, with the initial password the coordinator hands over."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: DisplayName
    role: StaffRole
    member_code: MemberCode = None
    county_code: CountyCode = None
    password: Password

    @model_validator(mode="after")
    def _scope_fits_role(self) -> StaffAccountCreate:
        problem = scope_problem(self.role, self.member_code, self.county_code)
        if problem:
            raise ValidationProblem(problem)
        return self


class PasswordReset(BaseModel):
    """A new password for an account (the old one stops working, and so do its open sessions)."""

    model_config = ConfigDict(extra="forbid")

    password: Password
