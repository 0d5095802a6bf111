"""Behaviour of the licence plate check shared by server and desktop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.validators import NEW_ENERGY_PLATE, ORDINARY_PLATE, ValidationProblem, validate_plate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("苏J12345", "苏J12345"),
        ("苏J·12345", "苏J12345"),
        ("苏j-a1234", "苏JA1234"),
        ("苏 J 1234挂", "苏J1234挂"),
        ("苏JD12345", "苏JD12345"),
        ("苏J12345F", "苏J12345F"),
        ("苏J．F1234５", "苏JF12345"),
    ],
)
def test_plates_are_accepted_and_normalised(value: str, expected: str) -> None:
    assert validate_plate(value) == expected


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", "请输入"),
        ("JJ12345", "省份简称"),
        ("苏J1234", "7位"),
        ("苏J1234567", "7位"),
        ("苏JO2345", "I和O"),
        ("苏I12345", "I和O"),
        ("苏112345", "格式不正确"),
        ("苏J123456", "格式不正确"),
        ("苏J挂1234", "格式不正确"),
    ],
)
def test_malformed_plates_say_what_is_wrong(value: str, hint: str) -> None:
    with pytest.raises(ValidationProblem) as caught:
        validate_plate(value)
    assert hint in caught.value.message
    assert caught.value.field == "plate"


@given(
    st.one_of(
        st.from_regex(ORDINARY_PLATE, fullmatch=True),
        st.from_regex(NEW_ENERGY_PLATE, fullmatch=True),
    ),
    st.sampled_from(["·", " ", "-", "."]),
)
def test_plates_written_with_a_separator_normalise_to_the_plain_form(plate: str, separator: str) -> None:
    written = plate[:2] + separator + plate[2:].lower()
    assert validate_plate(written) == plate
