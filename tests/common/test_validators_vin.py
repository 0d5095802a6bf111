"""Behaviour of the VIN check shared by server and desktop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.validators import VIN_TRANSLITERATION, ValidationProblem, validate_vin, vin_check_digit
from tests.common.identifier_strategies import VIN_ALPHABET, valid_vins


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
