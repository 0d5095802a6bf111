"""Reading a statistics workbook back with openpyxl, the way a person's spreadsheet would see it."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.server.stats import stats_data as data

SHEETS = [
    "汇总",
    "按车辆类别",
    "按成员机构",
    "按区县",
    "区县×成员机构",
    "按月份",
    "办理时长",
    "退回原因",
    "评价",
]


def open_workbook(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def header(sheet: Worksheet) -> list[object]:
    return [cell.value for cell in sheet[1]]


def column_b(sheet: Worksheet) -> dict[str, object]:
    """First column → second column, below the header."""
    return {str(row[0].value): row[1].value for row in sheet.iter_rows(min_row=2)}


def assert_known_counts(book: Workbook) -> None:
    """The data set's counts, as integer cells, in every sheet that shows them."""
    assert book.sheetnames == SHEETS
    summary = column_b(book["汇总"])
    assert summary["累计兜底承保车辆(台)"] == data.COMPLETED
    assert summary["摩托车(含电动摩托车)(台)"] == data.BY_CATEGORY["motorcycle"]
    assert summary["退回件数"] == data.REJECTED

    categories = column_b(book["按车辆类别"])
    assert categories == {
        **{_category_name(c): n for c, n in data.BY_CATEGORY.items()},
        "合计": data.COMPLETED,
    }
    members = column_b(book["按成员机构"])
    assert members["人保财险"] == data.BY_MEMBER["picc"] and members["平安产险"] == data.BY_MEMBER["pingan"]
    assert sum(v for k, v in members.items() if k != "合计") == members["合计"] == data.COMPLETED  # type: ignore[misc]
    counties = column_b(book["按区县"])
    assert (counties["亭湖区"], counties["东台市"], counties["滨海县"]) == (6, 2, 4)
    months = column_b(book["按月份"])
    assert months == {
        "2026年1月": 6,
        "2026年2月": 5,
        "2026年3月": 5,
        "合计": data.COMPLETED,
    }
    reasons = column_b(book["退回原因"])
    assert reasons == {**dict(data.REJECTIONS), "合计": data.REJECTED}

    for name in ("按车辆类别", "按成员机构", "按区县", "按月份", "区县×成员机构"):
        for row in book[name].iter_rows(min_row=2):
            assert type(row[1].value) is int, (name, row[0].value, row[1].value)


def _category_name(code: str) -> str:
    from common.enums import VehicleCategory

    return VehicleCategory(code).label
