"""`no1window-server board`: the coordinator's city board, printed for the central console.

The same figures as the desktop's 全市看板 (`server.stats.board.city_board`):
the cases waiting for a window on top, today's and this month's same-day
rate, then each county window's open cases.
"""

from __future__ import annotations

from collections.abc import Callable

from common.schemas.board import Board, BoardRow, CompletionRate
from server.clock import Clock, SystemClock, local
from server.context import AppContext
from server.stats.board import city_board
from server.stats.text import percent, table

# The console's clock; tests put a fixed one here, as for the user commands.
clock: Clock = SystemClock()

HEADER = ("区县", "成员机构", "窗口", "在办", "今日到期", "已超时", "待补充材料", "待缴费")


def rate_text(rate: CompletionRate) -> str:
    """'80.00%(4/5 件)', or '—(0 件)' when nothing was completed."""
    return f"{percent(rate.rate)}({rate.same_day}/{rate.completed} 件)" if rate.completed else f"{percent(None)}(0 件)"


def _shown(row: BoardRow, every_window: bool) -> bool:
    # A quiet, open window says nothing; the console lists the ones with work or switched off.
    return every_window or row.open_cases > 0 or not row.window_available


def board_lines(board: Board, *, every_window: bool = False) -> list[str]:
    """The board as text lines (Chinese, for the console)."""
    lines = [f"全市看板(数据时间 {local(board.as_of):%Y-%m-%d %H:%M})", ""]
    waiting = board.unassigned
    lines.append(f"待分派 {waiting.count} 件" + (",无可用窗口,请在分派设置中开启窗口或改派" if waiting.count else ""))
    for case in waiting.cases:
        submitted = f"{local(case.submitted_at):%m-%d %H:%M}" if case.submitted_at else "—"
        flag = "  已超时" if case.overdue else ""
        lines.append(f"  {case.number}  {case.county_name}  {case.category_label}  提交 {submitted}{flag}")
    if waiting.count > len(waiting.cases):
        lines.append(f"  ……另有 {waiting.count - len(waiting.cases)} 件")
    lines += ["", f"当日办结率  今日 {rate_text(board.today)}  本月 {rate_text(board.this_month)}", ""]
    rows = [row for row in board.rows if _shown(row, every_window)]
    body = [
        [
            r.county_name,
            r.member_name,
            "接单中" if r.window_available else "暂停接单",
            str(r.open_cases),
            str(r.due_today),
            str(r.overdue),
            str(r.awaiting_supplement),
            str(r.awaiting_payment),
        ]
        for r in rows
    ]
    totals = [
        "合计",
        "",
        "",
        *(
            str(sum(getattr(r, name) for r in board.rows))
            for name in ("open_cases", "due_today", "overdue", "awaiting_supplement", "awaiting_payment")
        ),
    ]
    lines += [f"  {line}" for line in table(HEADER, [*body, totals])]
    if not every_window and len(rows) < len(board.rows):
        lines.append(f"(另有 {len(board.rows) - len(rows)} 个窗口无在办申请;--all 列出全部窗口)")
    return lines


def print_board(ctx: AppContext, *, every_window: bool = False, out: Callable[[str], None] = print) -> None:
    """Print the board as of the console's clock."""
    with ctx.db.read() as session:
        board = city_board(session, ctx.catalog, now=clock.now(), calendar=ctx.calendar, hours=ctx.hours)
    for line in board_lines(board, every_window=every_window):
        out(line)
