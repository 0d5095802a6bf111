"""The applicant's say about an application: a rating once it is completed, complaints at any time after submission."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from common.validators import ValidationProblem

MAX_COMMENT = 200
MIN_COMPLAINT, MAX_COMPLAINT = 5, 500


def _comment(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_COMMENT:
        raise ValidationProblem(f"评价内容不能超过{MAX_COMMENT}个字")
    return value


def _complaint_text(value: str) -> str:
    value = value.strip()
    if len(value) < MIN_COMPLAINT:
        raise ValidationProblem(f"请写明投诉的事情(至少{MIN_COMPLAINT}个字)")
    if len(value) > MAX_COMPLAINT:
        raise ValidationProblem(f"投诉内容不能超过{MAX_COMPLAINT}个字")
    return value


class RatingIn(BaseModel):
    """The applicant's rating of a completed application."""

    model_config = ConfigDict(extra="forbid")

    stars: int = Field(ge=1, le=5, description="1至5星")
    comment: Annotated[str, AfterValidator(_comment)] = ""


class RatingOut(BaseModel):
    stars: int
    comment: str | None
    rated_at: datetime


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, AfterValidator(_complaint_text)]


class ComplaintOut(BaseModel):
    id: int
    text: str
    created_at: datetime


class FeedbackOut(BaseModel):
    """What the applicant has already said about the application."""

    rating: RatingOut | None
    complaints: list[ComplaintOut]
