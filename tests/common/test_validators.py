"""Behaviour of the identifier checks shared by server and desktop."""

from __future__ import annotations

from datetime import date

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.validators import (
    NEW_ENERGY_PLATE,
    ORDINARY_PLATE,
    VIN_TRANSLITERATION,
    ValidationProblem,
    birth_date_of,
    mask_id_number,
    mask_phone,
    resident_id_check_char,
    validate_mobile,
    validate_plate,
    validate_resident_id,
    validate_vin,
    vin_check_digit,
)

# A fixed "today": no test depends on the real date.
TODAY = date(2026, 5, 25)

PROVINCE_CODES = [
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
]
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"


def with_check_char(first17: str) -> str:
    """A complete ID number for the given first 17 digits."""
    return first17 + resident_id_check_char(first17)


def with_check_digit(vin: str) -> str:
    """The VIN with its position-9 check digit filled in."""
    return vin[:8] + vin_check_digit(vin) + vin[9:]


# --- strategies ------------------------------------------------------------------


@st.composite
def valid_resident_ids(draw: st.DrawFn) -> str:
    """Any 17 digits with a valid region and birth date, plus check char."""
    province = draw(st.sampled_from(PROVINCE_CODES))
    region_rest = draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return with_check_char(f"{province}{region_rest}{born:%Y%m%d}{sequence}")


@st.composite
def valid_vins(draw: st.DrawFn) -> str:
    """Any 17 VIN characters with the correct check digit at position 9."""
    return with_check_digit(draw(st.text(VIN_ALPHABET, min_size=17, max_size=17)))


valid_mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(DIGITS, min_size=9, max_size=9),
)


# --- fixtures --------------------------------------------------------------------


@pytest.fixture
def yancheng_id() -> str:
    """A real-looking ID issued in Tinghu district (320902), born 1990-01-01."""
    return with_check_char("32090219900101123")


# --- resident ID -----------------------------------------------------------------


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


# --- VIN ---------------------------------------------------------------------------


def test_known_vin_with_x_check_digit_is_accepted() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert validate_vin("1M8GDM9AXKP042788") == "1M8GDM9AXKP042788"


def test_vin_is_normalised_to_uppercase_without_spaces() -> None:
    assert validate_vin(" 1m8gdm9a xkp 042788 ") == "1M8GDM9AXKP042788"


def test_vin_check_digit_ignores_position_nine() -> None:
    assert vin_check_digit("LSGJA52U_CS123456") == "4"
    assert validate_vin("LSGJA52U4CS123456") == "LSGJA52U4CS123456"


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", "请输入"),
        ("1M8GDM9AXKP04278", "17位"),
        ("1M8GDM9AXKP0427888", "17位"),
        ("1M8GDM9AXKP04278*", "数字和英文字母"),
        ("1M8GDM9A1KP042788", "校验位"),
        ("1M8GDM9AXKPO42788", "I、O、Q"),
    ],
)
def test_malformed_vins_say_what_is_wrong(value: str, hint: str) -> None:
    with pytest.raises(ValidationProblem) as caught:
        validate_vin(value)
    assert hint in caught.value.message
    assert caught.value.field == "vin"


@given(valid_vins())
def test_any_vin_with_its_check_digit_is_accepted(vin: str) -> None:
    assert validate_vin(vin) == vin


@given(valid_vins(), st.data())
def test_any_single_character_change_in_a_vin_is_rejected(vin: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, 16), label="index")
    original = vin[index]
    # Letters that transliterate to the same value (A and J are both 1)
    # are indistinguishable to the checksum by design, so only changes of
    # value can be caught.
    replacement = data.draw(
        st.sampled_from(VIN_ALPHABET).filter(
            lambda ch: VIN_TRANSLITERATION[ch] != VIN_TRANSLITERATION[original] or (index == 8 and ch != original)
        ),
        label="replacement",
    )
    changed = vin[:index] + replacement + vin[index + 1 :]
    with pytest.raises(ValidationProblem):
        validate_vin(changed)


@given(valid_vins(), st.integers(0, 16), st.sampled_from("IOQioq"))
def test_vin_containing_i_o_or_q_is_rejected(vin: str, index: int, letter: str) -> None:
    with pytest.raises(ValidationProblem, match="I、O、Q"):
        validate_vin(vin[:index] + letter + vin[index + 1 :])


# --- plates ------------------------------------------------------------------------


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


# --- mobile ------------------------------------------------------------------------


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


# --- use inside pydantic models ------------------------------------------------------


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
