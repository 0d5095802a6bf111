"""`no1window-server board`: the city board for the central console, the same figures as the desktop's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.enums import CaseStatus
from server.clock import FixedClock
from server.context import AppContext
from server.stats import board_console
from tests.server import cli_support
from tests.server.cli_support import run
from tests.server.queue.builders import make_case

cli_ctx, data_dir, initialised = cli_support.cli_ctx, cli_support.data_dir, cli_support.initialised


@pytest.fixture
def board_clock(cli_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The console's clock at the same fixed morning as the cases' (Tuesday 10 March 2026, 10:00)."""
    clock = FixedClock(cli_ctx.clock.now())
    monkeypatch.setattr(board_console, "clock", clock)
    return clock


def window_line(out: str, county: str, member: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.split()[:2] == [county, member])
    return line.split()[2:]


def test_board_prints_the_waiting_cases_rates_and_busy_windows(
    cli_ctx: AppContext, board_clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    now = board_clock.now()
    make_case(cli_ctx, status=CaseStatus.ASSIGNED, due_in=timedelta(hours=6))
    make_case(cli_ctx, status=CaseStatus.REVIEWING, due_at=now - timedelta(days=1))
    make_case(cli_ctx, status=CaseStatus.AWAITING_PAYMENT, due_in=timedelta(days=1))
    make_case(cli_ctx, member="cpic", county="320903", status=CaseStatus.SUPPLEMENT_REQUESTED, paused=True)
    waiting = make_case(cli_ctx, member=None, county="320904", status=CaseStatus.SUBMITTED)

    code, out, err = run(capsys, "board")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "全市看板(数据时间 2026-03-10 10:00)"
    assert any(line.startswith("待分派 1 件") for line in lines)
    assert any(waiting.number in line and "大丰区" in line for line in lines)
    assert "当日办结率  今日 —(0 件)  本月 —(0 件)" in lines
    # 在办 今日到期 已超时 待补充材料 待缴费, after the window's state.
    assert window_line(out, "亭湖区", "人保财险") == ["接单中", "3", "1", "1", "0", "1"]
    assert window_line(out, "盐都区", "太保财险") == ["接单中", "1", "0", "0", "1", "0"]
    totals = next(line for line in lines if line.strip().startswith("合计")).split()
    assert totals == ["合计", "4", "1", "1", "1", "1"]
    # Quiet windows are left out unless asked for.
    assert not any(line.split()[:2] == ["阜宁县", "人保财险"] for line in lines)
    assert "--all 列出全部窗口" in out


def test_board_all_lists_every_window(
    cli_ctx: AppContext, board_clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "board", "--all")

    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("  ") and ("接单中" in line or "暂停接单" in line)]
    assert len(rows) == len(cli_ctx.catalog.counties) * len(cli_ctx.catalog.members)
