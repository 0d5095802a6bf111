"""The validators inside pydantic models, as the API schemas declare them."""

from __future__ import annotations

import pydantic
import pytest

from common.validators import ValidationProblem, validate_mobile


class Owner(pydantic.BaseModel):
    """A model as the API schemas will declare it."""

    phone: str

    @pydantic.field_validator("phone")
    @classmethod
    def _phone_is_a_mobile(cls, value: str) -> str:
        return validate_mobile(value)


def test_pydantic_field_validator_normalises_with_validators() -> None:
    assert Owner(phone="+86 138 1234 5678").phone == "13812345678"


def test_pydantic_reports_the_chinese_message() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Owner(phone="12345")
    error = caught.value.errors()[0]
    assert error["loc"] == ("phone",)
    assert "手机号码应为11位" in error["msg"]
    assert isinstance(error["ctx"]["error"], ValidationProblem)
