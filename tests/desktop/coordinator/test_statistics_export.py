"""The 统计报表 page's 导出Excel: the server's workbook saved whole where the coordinator chose, or nothing.

The data set and helpers are in `stats_support`: 本月 is 1–10 March 2026.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from tests.desktop.conftest import LiveServer
from tests.desktop.coordinator.stats_support import (  # noqa: F401 - fixtures
    MOTORCYCLE,
    TIMEOUT_MS,
    TRUCK,
    SaveTo,
    coordinator_api_fixture,
    load,
    make_page,
    seeded_fixture,
    table_rows,
)


@pytest.mark.usefixtures("seeded")
def test_export_saves_the_servers_workbook_with_the_same_numbers(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    chooser = SaveTo(target)
    page = make_page(qtbot, coordinator_api, runner, chooser)
    load(qtbot, page, page.refresh)

    with qtbot.waitSignal(page.exported, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert saved.args == [target]
    assert chooser.suggested == ["统计报表_2026-03-01_2026-03-10.xlsx"]
    assert page.message.text() == f"已导出到 {target}"
    assert [p.name for p in exports.iterdir()] == [target.name]  # no temporary file left beside it
    book = openpyxl.load_workbook(target)
    sheet_rows = {sheet: _first_column_rows(book[sheet]) for sheet in ("按车辆类别", "按成员机构", "按区县")}
    assert sheet_rows["按车辆类别"][MOTORCYCLE] == table_rows(page, "category")[MOTORCYCLE][0] == 3
    assert sheet_rows["按车辆类别"][TRUCK] == 1
    assert sheet_rows["按成员机构"]["人保财险"] == 3
    assert sheet_rows["按区县"]["亭湖区"] == 3
    assert sheet_rows["按区县"]["盐都区"] == 1
    assert isinstance(sheet_rows["按车辆类别"][MOTORCYCLE], int)  # a number Excel can sum, not text


def _first_column_rows(sheet: Any) -> dict[str, Any]:
    """{first cell: second cell} for every row whose first cell is text (the heads and data rows)."""
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str) and len(row) > 1}


@pytest.mark.usefixtures("seeded")
def test_an_unreachable_server_during_export_shows_why_and_leaves_the_old_file_alone(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    target.write_bytes(b"last month's workbook")
    page = make_page(qtbot, coordinator_api, runner, SaveTo(target))
    load(qtbot, page, page.refresh)
    live_server.stop()

    with qtbot.waitSignal(page.export_failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert page.message.text() == "导出失败,未保存文件:无法连接服务器,请检查网络"
    assert target.read_bytes() == b"last month's workbook"
    assert [p.name for p in exports.iterdir()] == [target.name]
    assert page.export_button.isEnabled()  # the coordinator may try again


@pytest.mark.usefixtures("seeded")
def test_a_server_error_on_export_shows_its_message_and_writes_nothing(
    qtbot: Any,
    coordinator_api: ApiClient,
    runner: TaskRunner,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    """The report comes from the real server; the workbook request meets a 500 (a transport in between)."""
    real = httpx.HTTPTransport()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/coordinator/stats.xlsx"):
            return httpx.Response(500, json={"detail": "统计报表生成失败,请联系管理员"})
        return real.handle_request(request)

    failing = ApiClient(live_server.url, transport=httpx.MockTransport(handler))
    failing.token = coordinator_api.token
    exports = tmp_path / "exports"  # tmp_path also holds the server's data
    exports.mkdir()
    target = exports / "统计.xlsx"
    page = make_page(qtbot, failing, runner, SaveTo(target))
    try:
        load(qtbot, page, page.refresh)
        with qtbot.waitSignal(page.export_failed, timeout=TIMEOUT_MS):
            qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    finally:
        runner.wait_for_idle(TIMEOUT_MS)
        failing.close()
        real.close()

    assert page.message.text() == "导出失败,未保存文件:统计报表生成失败,请联系管理员"
    assert list(exports.iterdir()) == []


@pytest.mark.usefixtures("seeded")
def test_cancelling_the_file_dialog_downloads_nothing(
    qtbot: Any, coordinator_api: ApiClient, runner: TaskRunner
) -> None:
    chooser = SaveTo(None)
    page = make_page(qtbot, coordinator_api, runner, chooser)
    load(qtbot, page, page.refresh)

    with qtbot.assertNotEmitted(runner.busy_changed):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)

    assert chooser.suggested == ["统计报表_2026-03-01_2026-03-10.xlsx"]
