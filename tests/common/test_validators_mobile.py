"""Behaviour of the mobile number check and mask shared by server and desktop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.validators import ValidationProblem, mask_phone, validate_mobile
from tests.common.identifier_strategies import DIGITS, valid_mobiles


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", "请输入"),
        ("1381234567", "11位"),
        ("138123456789", "11位"),
        ("1381234567a", "只能包含数字"),
        ("12812345678", "格式不正确"),
        ("23812345678", "格式不正确"),
        ("0515-88888888", "11位"),
    ],
)
def test_malformed_mobiles_say_what_is_wrong(value: str, hint: str) -> None:
    with pytest.raises(ValidationProblem) as caught:
        validate_mobile(value)
    assert hint in caught.value.message
    assert caught.value.field == "phone"


@given(
    valid_mobiles,
    st.sampled_from(["{}", "+86{}", "86{}", "+86 {}", "0086{}", "+86-{}"]),
    st.booleans(),
    st.sampled_from([" ", "-"]),
)
def test_valid_mobiles_round_trip_through_formatting_variants(
    number: str, template: str, grouped: bool, separator: str
) -> None:
    body = separator.join([number[:3], number[3:7], number[7:]]) if grouped else number
    assert validate_mobile(template.format(body)) == number


@given(valid_mobiles, st.text(DIGITS, min_size=4, max_size=4))
def test_phone_mask_hides_the_middle_four_digits(number: str, middle: str) -> None:
    twin = number[:3] + middle + number[7:]
    assert mask_phone(number) == mask_phone(twin) == f"{number[:3]}****{number[7:]}"


def test_phone_mask_matches_the_list_format() -> None:
    assert mask_phone("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize("value", ["", "12345", "0515-88888888"])
def test_phone_mask_stars_out_other_numbers_entirely(value: str) -> None:
    assert set(mask_phone(value)) <= {"*"}
