"""CaseQueueModel: Qt's model rules, incremental updates without resets, the countdown and its colours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from common.enums import CaseStatus
from desktop.queue.model import CaseQueueModel
from desktop.queue.rows import Column, Urgency, duration_text, time_left_text
from tests.desktop.summaries import ManualClock, summary

TIME = int(Column.TIME_LEFT)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def model(qtbot: Any, clock: ManualClock) -> CaseQueueModel:
    return CaseQueueModel(now=clock, countdown_ms=0)


def texts(model: CaseQueueModel, column: int = 0) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_model_follows_qt_rules_with_rows(qtmodeltester: Any, model: CaseQueueModel) -> None:
    model.merge(
        [
            summary(1),
            summary(2, status=CaseStatus.SUPPLEMENT_REQUESTED),
            summary(3, status=CaseStatus.COMPLETED),
            summary(4, due_in=timedelta(minutes=-30)),
            summary(5, due_in=None),
        ]
    )
    qtmodeltester.check(model)


def test_headers_are_the_chinese_column_names(model: CaseQueueModel) -> None:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["编号", "车辆类别", "业务类型", "车主", "身份证号", "区县", "状态", "剩余时间"]


def test_row_shows_the_case_with_the_id_number_masked(model: CaseQueueModel) -> None:
    model.upsert(summary(7))
    assert texts(model, Column.NUMBER) == ["YC20260310-0007"]
    assert model.index(0, Column.ID_NUMBER).data() == "320902********123X"
    assert model.index(0, Column.STATUS).data() == "待受理"
    assert model.index(0, 0).data(CaseQueueModel.CaseIdRole) == 7


def test_rows_are_ordered_by_deadline_open_cases_first(model: CaseQueueModel) -> None:
    model.merge(
        [
            summary(1, due_in=timedelta(hours=5)),
            summary(2, due_in=timedelta(hours=1)),
            summary(3, status=CaseStatus.COMPLETED, due_in=timedelta(hours=-48)),
            summary(4, due_in=None),
            summary(5, due_in=timedelta(minutes=-10)),
        ]
    )
    assert [model.case_at(r).id for r in range(5)] == [5, 2, 1, 4, 3]


def test_upsert_inserts_a_new_case_at_its_place_without_reset(qtbot: Any, model: CaseQueueModel) -> None:
    model.merge([summary(1, due_in=timedelta(hours=1)), summary(2, due_in=timedelta(hours=3))])
    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.layoutChanged):
        with qtbot.waitSignal(model.rowsInserted) as inserted:
            assert model.upsert(summary(3, due_in=timedelta(hours=2))) is True
    assert inserted.args[1:] == [1, 1]
    assert [model.case_at(r).id for r in range(3)] == [1, 3, 2]


def test_upsert_updates_a_known_case_in_place(qtbot: Any, model: CaseQueueModel) -> None:
    model.merge([summary(1), summary(2, due_in=timedelta(hours=8))])
    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.rowsInserted):
        with qtbot.waitSignal(model.dataChanged) as changed:
            inserted = model.upsert(summary(1, version=2, status=CaseStatus.REVIEWING))
    assert inserted is False
    top_left, bottom_right = changed.args[0], changed.args[1]
    assert (top_left.row(), bottom_right.row()) == (0, 0)
    assert (top_left.column(), bottom_right.column()) == (0, model.columnCount() - 1)
    assert model.index(0, Column.STATUS).data() == "审核中"
    assert model.rowCount() == 2


def test_upsert_moves_a_case_whose_deadline_changed(qtbot: Any, model: CaseQueueModel) -> None:
    model.merge(
        [
            summary(1, due_in=timedelta(hours=1)),
            summary(2, due_in=timedelta(hours=2)),
            summary(3, due_in=timedelta(hours=3)),
        ]
    )
    persistent = QPersistentModelIndex(model.index(0, 0))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsMoved):
        model.upsert(summary(1, version=2, due_in=timedelta(hours=10)))
    assert [model.case_at(r).id for r in range(3)] == [2, 3, 1]
    assert persistent.row() == 2  # the view's selection follows the case


def test_an_older_copy_of_a_case_is_ignored(model: CaseQueueModel) -> None:
    model.upsert(summary(1, version=3, status=CaseStatus.REVIEWING))
    model.merge([summary(1, version=2, status=CaseStatus.ASSIGNED)])
    assert model.case(1).status == CaseStatus.REVIEWING.value  # type: ignore[union-attr]


def test_merge_inserts_a_page_in_contiguous_blocks(qtbot: Any, model: CaseQueueModel) -> None:
    model.merge([summary(1, due_in=timedelta(hours=1)), summary(2, due_in=timedelta(hours=9))])
    blocks: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: blocks.append((first, last)))
    new = model.merge([summary(i, due_in=timedelta(hours=2, minutes=i)) for i in range(10, 15)])
    assert sorted(new) == [10, 11, 12, 13, 14]
    assert blocks == [(1, 5)]
    assert [model.case_at(r).id for r in range(7)] == [1, 10, 11, 12, 13, 14, 2]


def test_retain_removes_the_cases_gone_from_the_server(model: CaseQueueModel) -> None:
    model.merge([summary(i, due_in=timedelta(hours=i)) for i in range(1, 7)])
    removed = model.retain({2, 5})
    assert removed == 4
    assert [model.case_at(r).id for r in range(model.rowCount())] == [2, 5]
    assert model.remove(2) is True and model.remove(2) is False


def test_sort_by_owner_and_back_keeps_persistent_indexes(qtbot: Any, model: CaseQueueModel) -> None:
    model.merge([summary(i, due_in=timedelta(hours=i)) for i in range(1, 6)])
    persistent = QPersistentModelIndex(model.index(0, 0))
    first_id = model.case_at(0).id
    with qtbot.waitSignal(model.layoutChanged):
        model.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert texts(model) == sorted(texts(model), reverse=True)
    assert model.index(persistent.row(), 0).data(CaseQueueModel.CaseIdRole) == first_id
    model.upsert(summary(9))
    assert texts(model)[0] == "YC20260310-0009"  # inserted at its place in the new order


@pytest.mark.parametrize(
    ("seconds_left", "urgency", "text"),
    [
        (7201, Urgency.PLENTY, "剩余 2小时00分"),
        (7200, Urgency.PLENTY, "剩余 2小时00分"),
        (7199, Urgency.SOON, "剩余 1小时59分"),
        (60, Urgency.SOON, "剩余 1分钟"),
        (1, Urgency.SOON, "不足1分钟"),
        (0, Urgency.SOON, "不足1分钟"),  # due_at == now is not yet overdue (the server's rule: due_at < now)
        (-1, Urgency.OVERDUE, "超时 1分钟"),
        (-3 * 3600 - 5 * 60, Urgency.OVERDUE, "超时 3小时05分"),
    ],
)
def test_countdown_colour_bands_at_their_boundaries(
    model: CaseQueueModel, clock: ManualClock, seconds_left: int, urgency: Urgency, text: str
) -> None:
    model.upsert(summary(1, due_in=timedelta(hours=5)))
    clock.at = model.case(1).due_at - timedelta(seconds=seconds_left)  # type: ignore[union-attr,operator]
    model.tick()
    cell = model.index(0, TIME)
    assert cell.data(CaseQueueModel.UrgencyRole) == urgency.value
    assert cell.data() == text
    background = cell.data(Qt.ItemDataRole.BackgroundRole)
    if urgency is Urgency.PLENTY:
        assert background is None
    else:
        assert isinstance(background, QColor)


def test_overdue_soon_and_plenty_have_distinct_colours(model: CaseQueueModel) -> None:
    model.merge(
        [
            summary(1, due_in=timedelta(hours=5)),
            summary(2, due_in=timedelta(hours=1)),
            summary(3, due_in=timedelta(hours=-1)),
        ]
    )
    colours = {
        model.index(r, TIME).data(CaseQueueModel.UrgencyRole): model.index(r, TIME).data(Qt.ItemDataRole.ForegroundRole)
        for r in range(3)
    }
    assert len({c.name() for c in colours.values()}) == 3


def test_paused_and_finished_cases_do_not_count_down(model: CaseQueueModel, clock: ManualClock) -> None:
    model.merge(
        [
            summary(1, status=CaseStatus.SUPPLEMENT_REQUESTED, due_in=timedelta(hours=-2)),
            summary(2, status=CaseStatus.COMPLETED, due_in=timedelta(hours=-2)),
        ]
    )
    clock.advance(hours=5)
    model.tick()
    by_id = {model.case_at(r).id: r for r in range(2)}
    assert model.index(by_id[1], TIME).data() == "暂停计时"
    assert model.index(by_id[1], TIME).data(CaseQueueModel.UrgencyRole) == Urgency.PAUSED.value
    assert model.index(by_id[2], TIME).data() == "—"


def test_tick_emits_data_changed_only_for_the_time_cells_that_changed(
    qtbot: Any, model: CaseQueueModel, clock: ManualClock
) -> None:
    model.merge(
        [
            summary(1, due_in=timedelta(minutes=30, seconds=20)),
            summary(2, due_in=timedelta(minutes=30, seconds=50)),
            summary(3, status=CaseStatus.COMPLETED),
        ]
    )
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=None: changes.append((tl.row(), br.row(), tl.column(), br.column()))
    )
    clock.advance(seconds=10)
    model.tick()
    assert changes == []  # no text changed within the minute
    clock.advance(seconds=20)  # 30 s in: case 1 drops from 30 to 29 minutes left; case 2 not yet
    model.tick()
    assert changes == [(0, 0, TIME, TIME)]
    clock.advance(seconds=30)
    model.tick()
    assert changes[1:] == [(1, 1, TIME, TIME)]


def test_crossing_into_overdue_is_announced(qtbot: Any, model: CaseQueueModel, clock: ManualClock) -> None:
    model.upsert(summary(1, due_in=timedelta(seconds=30)))
    clock.advance(seconds=31)
    with qtbot.waitSignal(model.urgency_changed, timeout=1000):
        model.tick()
    assert model.counts()["overdue"] == 1


def test_counts_per_tab(model: CaseQueueModel) -> None:
    model.merge(
        [
            summary(1),
            summary(2, status=CaseStatus.REVIEWING, due_in=timedelta(hours=-1)),
            summary(3, status=CaseStatus.COMPLETED),
            summary(4, due_in=timedelta(days=3)),
        ]
    )
    counts = model.counts()
    assert counts["all"] == 4 and counts["open"] == 3 and counts["assigned"] == 2
    assert counts["overdue"] == 1 and counts["due_today"] == 2


def test_durations_read_naturally() -> None:
    assert duration_text(45) == "45分钟"
    assert duration_text(185) == "3小时05分"
    assert duration_text(2 * 1440 + 4 * 60 + 7) == "2天4小时"
    assert time_left_text(0) == "不足1分钟"


def test_invalid_index_has_no_data(model: CaseQueueModel) -> None:
    assert model.data(QModelIndex()) is None
