"""A window's phone: a landline with its area code, normalised, and masked for the audit trail."""

from __future__ import annotations

import pytest

from common.validators import ValidationProblem, mask_landline, validate_landline


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0515-88886666", "0515-88886666"),
        ("051588886666", "0515-88886666"),
        ("(0515)88886666", "0515-88886666"),
        ("0515 8888 6666", "0515-88886666"),
        ("０５１５－８８８８６６６６", "0515-88886666"),  # a full-width keyboard
        ("0515-6902201", "0515-6902201"),  # 7-digit local number
        ("025 8888 6666", "025-88886666"),  # 3-digit area code
        ("010-62345678", "010-62345678"),
        ("0515-88886666-801", "0515-88886666-801"),  # extension
    ],
)
def test_landline_is_normalised_with_a_dash_after_the_area_code(typed: str, expected: str) -> None:
    assert validate_landline(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",  # a mobile: customers need the window's office line
        "88886666",  # no area code
        "0515-0888666",  # local numbers never start with 0
        "0515-888866666",  # 9 digits
        "0515-888866",  # 6 digits
        "1515-88886666",  # area codes start with 0
        "0515-8888666a",
    ],
)
def test_anything_but_a_landline_with_area_code_is_refused_in_chinese(
    typed: str,
) -> None:
    with pytest.raises(ValidationProblem, match="带区号的固定电话"):
        validate_landline(typed)


def test_empty_window_phone_asks_for_one() -> None:
    with pytest.raises(ValidationProblem, match="请输入窗口电话"):
        validate_landline("  ")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("0515-69020101", "0515-****0101"),
        ("010-62345678", "010-****5678"),
        ("0515-88886666-801", "0515-****6666"),
        ("not a phone", "*********"),
    ],
)
def test_masked_landline_keeps_area_code_and_last_four_digits_only(phone: str, masked: str) -> None:
    assert mask_landline(phone) == masked
