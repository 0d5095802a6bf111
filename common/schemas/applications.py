"""Request bodies of the application services: submit (with the separate consent), cancel.

Creating a case reuses `common.schemas.cases.ApplicationCreate` / `IntakeCreate`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SubmitIn(BaseModel):
    """Submitting an application, with the applicant's separate consent (PIPL art. 29).

    Both fields default to "not given" so that a missing consent is answered
    with the consent message itself rather than a generic "missing field".
    At the counter the clerk records the customer's signed consent here.
    """

    model_config = ConfigDict(extra="forbid")

    consent: bool = Field(default=False, description="是否同意处理身份证件照片及身份证号码")
    consent_version: str | None = Field(default=None, max_length=20, description="所同意的同意书版本")


class CancelIn(BaseModel):
    """Cancelling an application; `version` guards against acting on a stale page."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, description="页面上显示的申请版本号")
