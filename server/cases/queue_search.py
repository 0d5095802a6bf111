"""The queue's search box: one term finds a case by number, owner name, plate or VIN.

Each kind of value is matched in the way its column's index can serve:
equality and ranges for numbers, plates and full VINs, a read of one small
index for "name contains" and "VIN ends with". Search terms are personal
data: nothing here logs them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import and_, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import select

from common.validators import PLATE_SEPARATORS
from server.models import Case

MAX_SEARCH_LENGTH = 40
# A VIN is searched by its full 17 characters or by its last 6 or more.
MIN_VIN_SUFFIX = 6

_FULL_CASE_NUMBER = re.compile(r"YC\d{8}-\d{4,}")
_ASCII_CODE = re.compile(r"[A-Z0-9-]+")
_VIN_PART = re.compile(r"[A-Z0-9]{%d,17}" % MIN_VIN_SUFFIX)
_LIKE_ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` with LIKE's wildcards escaped, so a typed % or _ matches itself."""
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")
    )


def number_prefix_condition(prefix: str, number: Any = Case.number) -> Any:
    """Case numbers starting with `prefix` (letters, digits and dashes), as an index range.

    `number LIKE 'YC2026%'` cannot use the unique index on SQLite (its LIKE
    ignores case) nor on PostgreSQL outside the C locale; a range can:
    number >= 'YC2026' AND number < 'YC2027'. The upper bound drops trailing
    dashes, nines and Zs before stepping the last character up, so it stays
    right under both byte-wise and linguistic collations (which ignore the
    dash); the LIKE then only checks the few rows inside the range.
    """
    stem = prefix.rstrip("-9Z")
    conditions = [number >= prefix, number.like(like_literal(prefix) + "%", escape=_LIKE_ESCAPE)]
    if stem:
        conditions.append(number < stem[:-1] + chr(ord(stem[-1]) + 1))
    return and_(*conditions)


def search_condition(term: str, *, matches_first: bool = True) -> Any | None:
    """Cases matching a free-text search, or None when the term is blank.

    One box finds a case by its number (exact or prefix), the owner's name
    (contains), the plate (exact or prefix) or the VIN (exact, or its last 6+
    characters). A part only joins when the term could be that kind of value
    (a name has no digits, a number no Chinese characters, ...).

    With `matches_first`, the matches are found first, as `id IN (SELECT id
    ... UNION SELECT id ...)`, each part on its own column's index: a seek
    for exact and prefix terms, a read of that one small index for "contains"
    and "ends with"; only the matching rows are then read for the scope and
    the filters. Without it, the parts are plain conditions on the rows, for
    a queue small enough (a clerk's) that reading its rows costs less.
    """
    raw = "".join(ch for ch in unicodedata.normalize("NFKC", term) if not ch.isspace())
    if not raw:
        return None
    code = raw.upper()
    found = aliased(Case, name="found") if matches_first else Case
    parts: list[Any] = []
    if _ASCII_CODE.fullmatch(code):
        if _FULL_CASE_NUMBER.fullmatch(code):
            parts.append(found.number == code)
        elif code.startswith("YC"):
            parts.append(number_prefix_condition(code, found.number))
        if _VIN_PART.fullmatch(code):
            vin_tail = found.vin.like("%" + like_literal(code), escape=_LIKE_ESCAPE)
            parts.append(found.vin == code if len(code) == 17 else vin_tail)
    elif not code.isascii() and code[0] not in PLATE_SEPARATORS:
        plate = "".join(ch for ch in code if ch not in PLATE_SEPARATORS)
        if plate[1:].isascii() and plate[1:].isalnum():
            plate_start = found.plate.like(like_literal(plate) + "%", escape=_LIKE_ESCAPE)
            parts.append(found.plate == plate if len(plate) >= 7 else plate_start)
    if not any(ch.isdigit() for ch in raw):
        parts.append(found.owner_name.like("%" + like_literal(raw) + "%", escape=_LIKE_ESCAPE))
    if not parts:
        return Case.id.is_(None)  # nothing can match: an empty result, not an error
    if not matches_first:
        return or_(*parts)
    matches = [select(found.id).where(part) for part in parts]
    return Case.id.in_(matches[0] if len(matches) == 1 else union(*matches))
