"""CaseFilterProxy: tabs by status, overdue and due today; search by number, owner, plate and VIN."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.enums import CaseStatus
from desktop.queue.filters import ALL, DUE_TODAY, OPEN, OVERDUE, QueueFilter, filter_by_key, filters_for
from desktop.queue.model import CaseQueueModel
from desktop.queue.proxy import CaseFilterProxy
from desktop.queue.rows import Column
from tests.desktop.summaries import MORNING, ManualClock, summary


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def proxy(qtbot: Any, clock: ManualClock) -> CaseFilterProxy:
    model = CaseQueueModel(now=clock, countdown_ms=0)
    model.merge(
        [
            summary(1, owner_name="王建国", plate="苏J12345"),
            summary(2, status=CaseStatus.REVIEWING, owner_name="李秀英", due_in=timedelta(minutes=-20)),
            summary(3, status=CaseStatus.COMPLETED, owner_name="张伟"),
            summary(4, status=CaseStatus.SUPPLEMENT_REQUESTED, owner_name="王芳", plate=None),
            summary(5, owner_name="刘洋", due_in=timedelta(days=2)),
        ]
    )
    filtered = CaseFilterProxy()
    filtered.setSourceModel(model)
    return filtered


def shown(proxy: CaseFilterProxy) -> list[int]:
    return sorted(proxy.case_id_at(row) for row in range(proxy.rowCount()))


def test_proxy_follows_qt_rules_with_rows(qtmodeltester: Any, proxy: CaseFilterProxy) -> None:
    qtmodeltester.check(proxy)
    proxy.set_filter(OPEN)
    proxy.set_search_text("王")
    qtmodeltester.check(proxy)


def test_all_shows_everything(proxy: CaseFilterProxy) -> None:
    assert shown(proxy) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("queue_filter", "expected"),
    [
        (OPEN, [1, 2, 4, 5]),
        (filter_by_key("assigned"), [1, 5]),
        (filter_by_key("reviewing"), [2]),
        (filter_by_key("supplement_requested"), [4]),
        (filter_by_key("completed"), [3]),
        (OVERDUE, [2]),
        (DUE_TODAY, [1, 2]),  # not 4 (paused: its deadline moves), not 5 (due in two days)
    ],
)
def test_tabs_filter_by_status_and_deadline(
    proxy: CaseFilterProxy, queue_filter: QueueFilter | None, expected: list[int]
) -> None:
    assert queue_filter is not None
    proxy.set_filter(queue_filter)
    assert shown(proxy) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YC20260310-0003", [3]),
        ("yc202603100003", [3]),  # case and the dash do not matter
        ("王", [1, 4]),
        ("王 建国", [1]),  # every word must match
        ("苏J·12345", [1]),
        ("苏j 12345", [1]),
        ("ＬＢＰＫＥ1800Ｒ0000005", [5]),  # full-width letters typed by an input method
        ("0000002", [2]),  # the tail of a VIN
        ("赵", []),
        ("   ", [1, 2, 3, 4, 5]),
    ],
)
def test_search_matches_number_owner_plate_and_vin(proxy: CaseFilterProxy, text: str, expected: list[int]) -> None:
    proxy.set_search_text(text)
    assert shown(proxy) == expected


def test_search_and_tab_combine(proxy: CaseFilterProxy) -> None:
    proxy.set_filter(OPEN)
    proxy.set_search_text("王")
    assert shown(proxy) == [1, 4]
    proxy.set_filter(filter_by_key("supplement_requested"))  # type: ignore[arg-type]
    assert shown(proxy) == [4]
    proxy.set_filter(ALL)
    proxy.set_search_text("")
    assert shown(proxy) == [1, 2, 3, 4, 5]


def test_a_new_case_appears_in_the_tab_it_belongs_to(proxy: CaseFilterProxy) -> None:
    proxy.set_filter(filter_by_key("assigned"))  # type: ignore[arg-type]
    proxy.queue.upsert(summary(6))
    proxy.queue.upsert(summary(7, status=CaseStatus.COMPLETED))
    assert shown(proxy) == [1, 5, 6]


def test_a_changed_case_leaves_a_tab_it_no_longer_belongs_to(proxy: CaseFilterProxy) -> None:
    proxy.set_filter(filter_by_key("assigned"))  # type: ignore[arg-type]
    proxy.queue.upsert(summary(1, version=2, status=CaseStatus.REVIEWING, owner_name="王建国"))
    assert shown(proxy) == [5]


def test_overdue_tab_follows_the_countdown(proxy: CaseFilterProxy, clock: ManualClock) -> None:
    proxy.set_filter(OVERDUE)
    assert shown(proxy) == [2]
    clock.advance(hours=7)  # case 1 was due in 6 hours
    proxy.queue.tick()
    assert shown(proxy) == [1, 2]


def test_due_today_follows_local_midnight(proxy: CaseFilterProxy, clock: ManualClock) -> None:
    proxy.set_filter(DUE_TODAY)
    assert shown(proxy) == [1, 2]
    clock.at = MORNING + timedelta(days=2)  # two days later: case 5 is due today, the others are past
    proxy.queue.tick()
    assert 5 in shown(proxy)


def test_header_click_sorts_through_the_model(proxy: CaseFilterProxy) -> None:
    proxy.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    numbers = [proxy.index(r, Column.NUMBER).data() for r in range(proxy.rowCount())]
    assert numbers == sorted(numbers, reverse=True)
    assert proxy.queue.sort_column == Column.NUMBER


def test_proxy_row_of_a_filtered_out_case_is_minus_one(proxy: CaseFilterProxy) -> None:
    proxy.set_filter(OPEN)
    assert proxy.proxy_row_of(3) == -1
    assert proxy.proxy_row_of(999) == -1
    assert proxy.case_id_at(proxy.proxy_row_of(2)) == 2


def test_the_unassigned_tab_is_the_coordinators() -> None:
    assert "submitted" in [f.key for f in filters_for("coordinator")]
    assert "submitted" not in [f.key for f in filters_for("clerk")]
    assert [f.label for f in filters_for("clerk")][:4] == ["全部", "办理中", "超时", "今日到期"]
