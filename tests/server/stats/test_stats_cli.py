"""`no1window-server stats`: the association's summary first, then the same known counts as the app and Excel."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.enums import VehicleCategory
from server.context import AppContext
from tests.server import cli_support
from tests.server.cli_support import run
from tests.server.stats import stats_data as data
from tests.server.stats.stats_data import add_cases
from tests.server.stats.workbook_reading import assert_known_counts, open_workbook

# The CLI's fixtures, made this module's own so pytest finds them.
cli_ctx, data_dir, initialised = (
    cli_support.cli_ctx,
    cli_support.data_dir,
    cli_support.initialised,
)

QUARTER = ("--from", "2026-01-01", "--to", "2026-03-31")


def section(out: str, title: str) -> dict[str, list[str]]:
    """The rows of the table under the line starting with `title`: first cell → the other cells."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:  # the title, then the table's header
        if not line.startswith("  "):
            break
        first, *rest = line.split()
        rows[first] = rest
    return rows


def test_stats_prints_the_association_summary_first(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    add_cases(cli_ctx.db)

    code, out, err = run(capsys, "stats", *QUARTER)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:7] == [
        "累计兜底承保车辆 16 台",
        "摩托车(含电动摩托车) 8 台",
        "营运货车 2 台",
        "非营业货车 4 台",
        "特种车 1 台",
        "营运客车 0 台",
        "拖拉机 1 台",
    ]
    assert "统计区间 2026-01-01 至 2026-03-31" in out


def test_stats_prints_the_known_counts_by_member_county_and_month(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    add_cases(cli_ctx.db)

    code, out, _ = run(capsys, "stats", *QUARTER)

    assert code == 0
    names = cli_ctx.catalog
    categories = section(out, "按车辆类别")
    assert {VehicleCategory(c).label: int(categories[VehicleCategory(c).label][0]) for c in data.BY_CATEGORY} == {
        VehicleCategory(c).label: n for c, n in data.BY_CATEGORY.items()
    }
    members = section(out, "按成员机构")
    assert {code: int(members[names.member_names[code]][0]) for code in data.BY_MEMBER} == data.BY_MEMBER
    assert members["合计"][0] == "16"
    counties = section(out, "按区县")
    assert {code: int(counties[names.county_names[code]][0]) for code in data.BY_COUNTY} == data.BY_COUNTY
    months = section(out, "按月份")
    assert months == {"2026年1月": ["6"], "2026年2月": ["5"], "2026年3月": ["5"]}
    reasons = section(out, "退回原因(共 7 件)")
    assert [(reason, int(cells[0])) for reason, cells in reasons.items()] == data.REJECTIONS


def test_stats_prints_the_completion_rates_with_what_they_measure(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    add_cases(cli_ctx.db)

    code, out, _ = run(capsys, "stats", *QUARTER)

    assert code == 0
    lines = out.splitlines()
    start = lines.index("办结时效")
    timeliness = lines[start + 1 : start + 7]
    assert timeliness[0].startswith("  当日办结率 ")
    assert timeliness[1].startswith("  两个工作日内办结率 ")
    assert timeliness[2] == "  说明:"
    assert timeliness[3].startswith("    当日办结率:提交当日下班前办结")
    assert timeliness[4].startswith("    两个工作日内办结率:")
    assert "含等待客户补充材料的时间" in timeliness[5]
    assert lines[lines.index("按成员机构") + 1].split() == [
        "成员机构",
        "承保(台)",
        "占比",
        "当日办结率",
        "两个工作日内办结率",
    ]
    assert "2日内" not in out


def test_stats_writes_the_same_workbook(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    add_cases(cli_ctx.db)
    target = tmp_path / "一季度.xlsx"

    code, out, _ = run(capsys, "stats", *QUARTER, "--xlsx", str(target))

    assert code == 0
    assert out.splitlines()[-1] == f"Excel 文件已写入 {target}"
    assert_known_counts(open_workbook(target.read_bytes()))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--from", "2026-1-1", "--to", "2026-03-31"),
            "开始日期(--from)应为 YYYY-MM-DD 格式的日期,例如 2026-01-31",
        ),
        (
            ("--from", "2026-01-01", "--to", "2026-02-30"),
            "结束日期(--to)应为 YYYY-MM-DD 格式的日期,例如 2026-01-31",
        ),
        (("--from", "2026-04-01", "--to", "2026-03-31"), "开始日期不能晚于结束日期"),
        (
            ("--from", "2019-01-01", "--to", "2026-03-31"),
            "统计区间最长5年,请缩短日期范围",
        ),
    ],
)
def test_bad_dates_say_so_in_one_line(
    initialised: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    message: str,
) -> None:
    code, out, err = run(capsys, "stats", *argv)

    assert code != 0 and out == ""
    assert err == f"error: {message}\n"


def test_bad_dates_are_refused_before_the_database_is_needed(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "stats", "--from", "tomorrow", "--to", "2026-03-31")

    assert code != 0
    assert err.startswith("error: 开始日期(--from)")


def test_an_unwritable_workbook_path_is_one_line(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "stats", *QUARTER, "--xlsx", str(tmp_path / "missing" / "a.xlsx"))

    assert code != 0
    assert err.startswith("error: 无法写入 Excel 文件") and err.count("\n") == 1
