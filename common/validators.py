"""Checks for the identifiers a case carries: resident ID, VIN, plate, mobile; and a window's landline.

Every ``validate_*`` function is pure: it normalises the raw input (what a
citizen types on a phone or a clerk scans at the counter), checks it against
the national standard and returns the normalised value, or raises
:class:`ValidationProblem` with a Chinese message that says what is wrong.

The rule tables are literal constants copied from ``resources/domain.json``
(sections ``resident_id``, ``vin``, ``plates``, ``mobile``): they are national
standards that never change at run time, so reading the file at call time
would add I/O for nothing.

Written by hand rather than with python-stdnum: stdnum's Chinese ID check
reads today's date itself (our tests must pass a fixed date) and rejects
region codes missing from its bundled, year-stamped code list, and it has no
VIN or plate checks; the checksums below are a few lines each.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

__all__ = [
    "ValidationProblem",
    "birth_date_of",
    "mask_id_number",
    "mask_landline",
    "mask_phone",
    "resident_id_check_char",
    "validate_landline",
    "validate_mobile",
    "validate_plate",
    "validate_resident_id",
    "validate_vin",
    "vin_check_digit",
]


class ValidationProblem(ValueError):
    """A value the user typed is not acceptable; ``message`` is for the user.

    Subclasses ``ValueError`` so a pydantic field validator can raise it as
    is and pydantic reports it (422 on the API) with the Chinese message.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- resident ID number (GB 11643) -------------------------------------------

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (first two digits of the region code),
# including 71 Taiwan, 81 Hong Kong and 82 Macao.
PROVINCE_CODES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82]
)
EARLIEST_BIRTH_YEAR = 1900

_ID_FIELD = "id_number"
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _compact(value: str, removable: str = "") -> str:
    """Fold full-width forms to ASCII (phone keyboards produce them), drop
    whitespace and the given separator characters, and uppercase."""
    # str.split() splits on exactly the characters str.isspace() accepts.
    compact = "".join(unicodedata.normalize("NFKC", value).split())
    if removable:
        compact = compact.translate(dict.fromkeys(map(ord, removable)))
    return compact.upper()


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID.

    Raises ``ValueError`` when ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not _ASCII_DIGITS.fullmatch(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def birth_date_of(id_number: str) -> date:
    """Return the birth date written in characters 7–14 (YYYYMMDD) of an ID.

    Raises :class:`ValidationProblem` when those characters are not a real
    calendar date.
    """
    digits = _compact(id_number)[6:14]
    problem = ValidationProblem(
        "身份证号码中的出生日期(第7至14位)不是有效日期,请核对后重新输入",
        field=_ID_FIELD,
    )
    if not _ASCII_DIGITS.fullmatch(digits) or len(digits) != 8:
        raise problem
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise problem from None


def validate_resident_id(value: str, *, today: date) -> str:
    """Return the normalised 18-character resident ID number or raise.

    Normalisation drops spaces and uppercases a trailing ``x``. ``today``
    bounds the birth date from above; it is a parameter so the check never
    depends on the machine's clock.
    """
    number = _compact(value)
    if not number:
        raise ValidationProblem("请输入身份证号码", field=_ID_FIELD)
    if len(number) != RESIDENT_ID_LENGTH:
        raise ValidationProblem(
            f"身份证号码应为18位,您输入了{len(number)}位,请核对后重新输入",
            field=_ID_FIELD,
        )
    if not _ASCII_DIGITS.fullmatch(number[:17]):
        raise ValidationProblem("身份证号码前17位只能是数字,请核对后重新输入", field=_ID_FIELD)
    if number[17] not in RESIDENT_ID_CHECK_CHARS:
        raise ValidationProblem(
            "身份证号码最后一位只能是数字或字母X,请核对后重新输入",
            field=_ID_FIELD,
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise ValidationProblem("身份证号码前6位地区代码不正确,请核对后重新输入", field=_ID_FIELD)
    born = birth_date_of(number)
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValidationProblem("身份证号码中的出生日期早于1900年,请核对后重新输入", field=_ID_FIELD)
    if born > today:
        raise ValidationProblem("身份证号码中的出生日期晚于今天,请核对后重新输入", field=_ID_FIELD)
    if number[17] != resident_id_check_char(number[:17]):
        raise ValidationProblem("身份证号码校验位不正确,请核对后重新输入", field=_ID_FIELD)
    return number


def mask_id_number(id_number: str) -> str:
    """Mask an ID number for lists and logs: ``320902********123X``.

    Keeps the first 6 and last 4 characters of an 18-character number.
    Anything else is starred out entirely, so a malformed value never leaks
    into a log; never raises.
    """
    number = _compact(id_number)
    if len(number) != RESIDENT_ID_LENGTH:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


# --- vehicle identification number (GB 16735 / ISO 3779) ---------------------

VIN_LENGTH = 17
VIN_FORBIDDEN_LETTERS = "IOQ"
VIN_TRANSLITERATION: dict[str, int] = {
    "A": 1,
    "B": 2,
    "C": 3,
    "D": 4,
    "E": 5,
    "F": 6,
    "G": 7,
    "H": 8,
    "J": 1,
    "K": 2,
    "L": 3,
    "M": 4,
    "N": 5,
    "P": 7,
    "R": 9,
    "S": 2,
    "T": 3,
    "U": 4,
    "V": 5,
    "W": 6,
    "X": 7,
    "Y": 8,
    "Z": 9,
    **{str(d): d for d in range(10)},
}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHECK_INDEX = 8  # position 9, counted from 1

_VIN_FIELD = "vin"


def vin_check_digit(vin: str) -> str:
    """Return the check digit ('0'–'9' or 'X') for a 17-character VIN.

    The character at position 9 is ignored (its weight is 0), so a
    placeholder there is fine. Raises ``ValueError`` on a wrong length or a
    character outside the VIN alphabet.
    """
    if len(vin) != VIN_LENGTH:
        raise ValueError("vin must be exactly 17 characters")
    total = 0
    for index, (char, weight) in enumerate(zip(vin, VIN_WEIGHTS)):
        if index == VIN_CHECK_INDEX:
            continue
        if char not in VIN_TRANSLITERATION:
            raise ValueError(f"character {char!r} is not allowed in a VIN")
        total += VIN_TRANSLITERATION[char] * weight
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> str:
    """Return the normalised VIN (车架号) or raise :class:`ValidationProblem`.

    Normalisation drops spaces and uppercases. The check digit in position 9
    is required, as GB 16735 makes it mandatory for vehicles made in China.
    """
    vin = _compact(value)
    if not vin:
        raise ValidationProblem("请输入车架号(VIN)", field=_VIN_FIELD)
    if len(vin) != VIN_LENGTH:
        raise ValidationProblem(
            f"车架号(VIN)应为17位,您输入了{len(vin)}位,请核对后重新输入",
            field=_VIN_FIELD,
        )
    if any(ch in VIN_FORBIDDEN_LETTERS for ch in vin):
        raise ValidationProblem(
            "车架号(VIN)中不会出现字母I、O、Q,请核对是否为数字1或0",
            field=_VIN_FIELD,
        )
    if any(ch not in VIN_TRANSLITERATION for ch in vin):
        raise ValidationProblem(
            "车架号(VIN)只能包含数字和英文字母,请核对后重新输入",
            field=_VIN_FIELD,
        )
    if vin[VIN_CHECK_INDEX] != vin_check_digit(vin):
        raise ValidationProblem("车架号(VIN)第9位校验位不正确,请核对后重新输入", field=_VIN_FIELD)
    return vin


# --- plate numbers (GA 36) ------------------------------------------------------

PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# domain.json's regexes with "省" expanded to the province characters.
ORDINARY_PLATE = re.compile(rf"[{PROVINCE_CHARS}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警领]")
NEW_ENERGY_PLATE = re.compile(rf"[{PROVINCE_CHARS}][A-HJ-NP-Z](?:[DF][A-HJ-NP-Z0-9][0-9]{{4}}|[0-9]{{5}}[DF])")
# Separators people write between the issuing office and the serial
# ("苏J·12345", "苏J-12345"), in the forms phone keyboards produce.
PLATE_SEPARATORS = "·•‧・.-—"

_PLATE_FIELD = "plate"


def validate_plate(value: str) -> str:
    """Return the normalised plate number (号牌号码) or raise.

    Accepts ordinary plates (including motorcycle plates, which have the same
    shape) and new-energy plates. Normalisation drops spaces, dots and dashes
    and uppercases: "苏j·12345" becomes "苏J12345".
    """
    plate = _compact(value, PLATE_SEPARATORS)
    if not plate:
        raise ValidationProblem("请输入号牌号码", field=_PLATE_FIELD)
    if plate[0] not in PROVINCE_CHARS:
        raise ValidationProblem(
            "号牌号码第一位应为省份简称(如“苏”),请核对后重新输入",
            field=_PLATE_FIELD,
        )
    if len(plate) not in (7, 8):
        raise ValidationProblem(
            f"号牌号码应为7位(新能源号牌为8位),您输入了{len(plate)}位,请核对后重新输入",
            field=_PLATE_FIELD,
        )
    if "I" in plate or "O" in plate:
        raise ValidationProblem("号牌号码中不使用字母I和O,请核对是否为数字1或0", field=_PLATE_FIELD)
    if ORDINARY_PLATE.fullmatch(plate) or NEW_ENERGY_PLATE.fullmatch(plate):
        return plate
    raise ValidationProblem(
        "号牌号码格式不正确,请按行驶证上的号码填写(如:苏J12345)",
        field=_PLATE_FIELD,
    )


# --- mainland mobile numbers ------------------------------------------------------

MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
MOBILE_LENGTH = 11
_PHONE_SEPARATORS = "-"
_PHONE_FIELD = "phone"


def _strip_country_code(number: str) -> str:
    """Drop a +86 / 0086 / 86 country code; a bare "86" only when what is
    left has mobile length, since no mainland mobile starts with 86."""
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if number.startswith("86") and len(number) == MOBILE_LENGTH + 2:
        return number[2:]
    return number


def validate_mobile(value: str) -> str:
    """Return the 11-digit mainland mobile number or raise.

    Normalisation drops spaces, dashes and a +86 / 86 country code.
    """
    number = _strip_country_code(_compact(value, _PHONE_SEPARATORS))
    if not number:
        raise ValidationProblem("请输入手机号码", field=_PHONE_FIELD)
    if not _ASCII_DIGITS.fullmatch(number):
        raise ValidationProblem("手机号码只能包含数字,请核对后重新输入", field=_PHONE_FIELD)
    if len(number) != MOBILE_LENGTH:
        raise ValidationProblem(
            f"手机号码应为11位,您输入了{len(number)}位,请核对后重新输入",
            field=_PHONE_FIELD,
        )
    if not MOBILE_PATTERN.fullmatch(number):
        raise ValidationProblem(
            "手机号码格式不正确,应以13至19开头,请核对后重新输入",
            field=_PHONE_FIELD,
        )
    return number


def mask_phone(phone: str) -> str:
    """Mask a phone number for lists and logs: ``138****5678``.

    Keeps the first 3 and last 4 digits of an 11-digit number (after the
    same normalisation as :func:`validate_mobile`). Anything else is starred
    out entirely so nothing leaks into a log; never raises.
    """
    number = _strip_country_code(_compact(phone, _PHONE_SEPARATORS))
    if len(number) != MOBILE_LENGTH:
        return "*" * len(number)
    return f"{number[:3]}****{number[-4:]}"


# --- landline numbers (a window's phone) ------------------------------------------

# Area codes: 010 and 020–029 have three digits, all others four (0515 Yancheng).
# Local numbers have 7 or 8 digits and never start with 0 or 1; an extension may follow.
LANDLINE_PATTERN = re.compile(r"(01\d|02\d|0[3-9]\d{2})([2-9]\d{6,7})(?:-(\d{1,6}))?")
_LANDLINE_SEPARATORS = "()"
_LANDLINE_FIELD = "window_phone"


def validate_landline(value: str) -> str:
    """Return a landline number with its area code as ``0515-88886666`` (``-801`` for an extension) or raise.

    Normalisation drops spaces and parentheses and folds full-width digits;
    the dash after the area code is optional in the input and always present
    in the result. Customers call this number from an SMS, so the area code
    is required.
    """
    text = _compact(value, _LANDLINE_SEPARATORS)
    if not text:
        raise ValidationProblem("请输入窗口电话", field=_LANDLINE_FIELD)
    # "0515-88886666-801": the first dash only separates the area code.
    head, dash, rest = text.partition("-")
    compact = head + rest if dash and len(head) in (3, 4) else text
    match = LANDLINE_PATTERN.fullmatch(compact)
    if match is None:
        raise ValidationProblem(
            "窗口电话应为带区号的固定电话,如0515-88886666,请核对后重新输入",
            field=_LANDLINE_FIELD,
        )
    area, local_number, extension = match.groups()
    return f"{area}-{local_number}" + (f"-{extension}" if extension else "")


def mask_landline(phone: str) -> str:
    """Mask a landline for the audit trail: ``0515-****6666``; never raises.

    A window's phone is an office number, not a person's, but the event
    payloads follow one rule for every phone number: never in full. Keeps the
    area code and the last 4 digits of the local number (an extension is
    dropped); anything that is not a valid landline is starred out entirely.
    """
    try:
        area, local_number, *_extension = validate_landline(phone).split("-")
    except ValidationProblem:
        return "*" * len(_compact(phone))
    return f"{area}-****{local_number[-4:]}"
