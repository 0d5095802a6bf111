"""Schemas of logging in: citizens by phone and SMS code, staff by username and password."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from common.schemas.cases import Mobile
from common.validators import ValidationProblem

LOGIN_CODE_LENGTH = 6


def _login_code(value: str) -> str:
    # Phone keyboards may type full-width digits or add spaces; fold both before checking.
    code = "".join(ch for ch in unicodedata.normalize("NFKC", value) if not ch.isspace())
    if len(code) != LOGIN_CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise ValidationProblem(f"验证码应为{LOGIN_CODE_LENGTH}位数字,请核对短信后重新输入", field="code")
    return code


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


LoginCodeText = Annotated[str, AfterValidator(_login_code)]


class LoginCodeRequest(BaseModel):
    """Ask for an SMS login code."""

    model_config = ConfigDict(extra="forbid")

    phone: Mobile


class LoginCodeSent(BaseModel):
    """The code is on its way: when another may be requested, how long this one lasts (seconds)."""

    resend_after: int
    expires_in: int


class CitizenLoginRequest(BaseModel):
    """Log in with the phone number and the code it received."""

    model_config = ConfigDict(extra="forbid")

    phone: Mobile
    code: LoginCodeText


class CitizenSessionOut(BaseModel):
    """A citizen's bearer token and when it stops working."""

    token: str
    expires_at: datetime


class StaffLoginRequest(BaseModel):
    """Log in to the desktop app."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=40)]
    # Capped so a huge body cannot make the server hash megabytes per request.
    password: Annotated[str, Field(min_length=1, max_length=128)]


class StaffUserOut(BaseModel):
    """A staff user as the desktop app shows them; names are resolved for display."""

    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    member_code: str | None
    member_name: str | None
    county_code: str | None
    county_name: str | None


class StaffSessionOut(BaseModel):
    """A staff user's bearer token, its expiry and who they are."""

    token: str
    expires_at: datetime
    user: StaffUserOut
