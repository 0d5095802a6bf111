"""Behaviour of the resident ID checks (GB 11643) shared by server and desktop."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.validators import (
    ValidationProblem,
    birth_date_of,
    mask_id_number,
    resident_id_check_char,
    validate_resident_id,
)
from tests.common.identifier_strategies import DIGITS, TODAY, valid_resident_ids, with_check_char


@pytest.fixture
def yancheng_id() -> str:
    """A real-looking ID issued in Tinghu district (320902), born 1990-01-01."""
    return with_check_char("32090219900101123")


def test_standard_example_id_number_is_accepted() -> None:
    # The worked example printed in GB 11643-1999.
    assert validate_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert validate_resident_id(" 110105 19491231 002x ", today=TODAY) == "11010519491231002X"


def test_full_width_digits_from_phone_keyboards_are_accepted(yancheng_id: str) -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in yancheng_id)
    assert validate_resident_id(full_width, today=TODAY) == yancheng_id


def test_check_char_of_known_numbers() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("32090219900101123") == "6"


def test_check_char_helper_refuses_non_digits() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("3209021990010112X")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", "请输入"),
        ("32090219900101123", "18位"),
        ("3209021990010112366", "18位"),
        ("3209021990O101123X", "前17位"),
        ("32090219900101123Y", "最后一位"),
    ],
)
def test_malformed_id_numbers_say_what_is_wrong(value: str, hint: str) -> None:
    with pytest.raises(ValidationProblem) as caught:
        validate_resident_id(value, today=TODAY)
    assert hint in caught.value.message
    assert caught.value.field == "id_number"


def test_wrong_check_char_is_rejected(yancheng_id: str) -> None:
    wrong = yancheng_id[:17] + ("0" if yancheng_id[17] != "0" else "1")
    with pytest.raises(ValidationProblem, match="校验位"):
        validate_resident_id(wrong, today=TODAY)


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "38", "47", "72", "83", "99"])
def test_unknown_province_code_is_rejected(province: str) -> None:
    number = with_check_char(f"{province}090219900101123")
    with pytest.raises(ValidationProblem, match="地区代码"):
        validate_resident_id(number, today=TODAY)


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20230229"])
def test_impossible_birth_date_is_rejected(birth: str) -> None:
    number = with_check_char(f"320902{birth}123")
    with pytest.raises(ValidationProblem, match="出生日期"):
        validate_resident_id(number, today=TODAY)


def test_leap_day_birth_date_is_accepted() -> None:
    number = with_check_char("32090220000229123")
    assert validate_resident_id(number, today=TODAY) == number


def test_birth_before_1900_is_rejected() -> None:
    # GB 11643's second example: valid checksum, born 1880.
    assert resident_id_check_char("44052418800101001") == "4"
    with pytest.raises(ValidationProblem, match="1900"):
        validate_resident_id("440524188001010014", today=TODAY)


def test_birth_after_today_is_rejected_and_today_itself_is_fine() -> None:
    born_today = with_check_char(f"320902{TODAY:%Y%m%d}123")
    born_tomorrow = with_check_char("32090220260526123")
    assert validate_resident_id(born_today, today=TODAY) == born_today
    with pytest.raises(ValidationProblem, match="晚于今天"):
        validate_resident_id(born_tomorrow, today=TODAY)
    # The same number is fine once that day has come.
    assert validate_resident_id(born_tomorrow, today=date(2026, 5, 26)) == born_tomorrow


def test_birth_date_of_reads_characters_7_to_14(yancheng_id: str) -> None:
    assert birth_date_of(yancheng_id) == date(1990, 1, 1)


def test_birth_date_of_refuses_an_impossible_date() -> None:
    with pytest.raises(ValidationProblem, match="出生日期"):
        birth_date_of("320902199002301236")


@given(valid_resident_ids())
def test_any_well_formed_id_number_is_accepted(number: str) -> None:
    assert validate_resident_id(number, today=TODAY) == number


@given(valid_resident_ids(), st.data())
def test_any_single_character_change_in_an_id_number_is_rejected(number: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, 17), label="index")
    replacement = data.draw(
        st.sampled_from(DIGITS + "X").filter(lambda ch: ch != number[index]),
        label="replacement",
    )
    changed = number[:index] + replacement + number[index + 1 :]
    with pytest.raises(ValidationProblem):
        validate_resident_id(changed, today=TODAY)


@given(valid_resident_ids(), valid_resident_ids())
def test_id_mask_shows_only_region_and_last_four(first: str, second: str) -> None:
    # Two numbers that share region and tail must mask identically,
    # whatever their birth dates and sequence numbers.
    twin = first[:6] + second[6:14] + first[14:]
    assert mask_id_number(first) == mask_id_number(twin)
    assert mask_id_number(first) == f"{first[:6]}********{first[14:]}"


def test_id_mask_matches_the_list_format() -> None:
    assert mask_id_number("32090219900101123x") == "320902********123X"


@pytest.mark.parametrize("value", ["", "3209021990", "3209021990010112345678"])
def test_id_mask_stars_out_malformed_values_entirely(value: str) -> None:
    assert set(mask_id_number(value)) <= {"*"}
