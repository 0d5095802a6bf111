"""QueuePanel without a server: default order, header sorting, tab counts, selection kept across tabs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.enums import CaseStatus
from desktop.queue.model import CaseQueueModel
from desktop.queue.panel import QueuePanel
from desktop.queue.proxy import CaseFilterProxy
from desktop.queue.rows import Column
from tests.desktop.summaries import ManualClock, summary


@pytest.fixture
def panel(qtbot: Any) -> Iterator[QueuePanel]:
    model = CaseQueueModel(now=ManualClock(), countdown_ms=0)
    model.merge(
        [
            summary(1, due_in=timedelta(hours=3)),
            summary(2, status=CaseStatus.REVIEWING, due_in=timedelta(hours=1)),
            summary(3, status=CaseStatus.COMPLETED),
        ]
    )
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    widget = QueuePanel(proxy)
    qtbot.addWidget(widget)
    yield widget


def test_rows_start_in_deadline_order_with_the_header_saying_so(panel: QueuePanel) -> None:
    assert panel.model.sort_column == Column.TIME_LEFT
    assert panel.table.horizontalHeader().sortIndicatorSection() == Column.TIME_LEFT
    panel.select_filter("all")
    assert [panel.proxy.case_id_at(r) for r in range(3)] == [2, 1, 3]


def test_clicking_a_header_sorts_by_that_column(qtbot: Any, panel: QueuePanel) -> None:
    panel.select_filter("all")
    panel.table.sortByColumn(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert [panel.proxy.case_id_at(r) for r in range(3)] == [3, 2, 1]


def test_tabs_show_their_counts(panel: QueuePanel) -> None:
    panel.update_counts(panel.model.counts())
    labels = [panel.filter_list.item(r).text() for r in range(panel.filter_list.count())]
    assert labels[:2] == ["全部 (3)", "办理中 (2)"]
    assert "审核中 (1)" in labels and "已退回" in labels


def test_the_selection_survives_a_tab_change_when_the_case_is_still_shown(panel: QueuePanel) -> None:
    panel.select_filter("open")
    assert panel.select_case(2)
    panel.select_filter("reviewing")
    assert panel.current_case_id() == 2
    panel.select_filter("completed")
    assert panel.current_case_id() is None
