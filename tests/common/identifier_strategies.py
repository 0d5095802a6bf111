"""Valid identifiers for the validator tests: a fixed today, check-character builders, Hypothesis strategies."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from common.validators import resident_id_check_char, vin_check_digit

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
