"""RowsTableModel, the base of the coordinator's tables: Qt's rules, titles, resets and in-place updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from desktop.coordinator.table_model import ALIGNMENT, DISPLAY, RIGHT, RowsTableModel


@dataclass(frozen=True)
class Spec:
    title: str
    number: bool = False


@dataclass(frozen=True)
class Window:
    member: str
    cases: int


class WindowTable(RowsTableModel[Window]):
    def cell(self, row: Window, column: int, role: int) -> object:
        if role == DISPLAY:
            return (row.member, str(row.cases))[column]
        return None

    def header_data(self, section: int, role: int) -> object:
        return RIGHT if role == ALIGNMENT and self.columns[section].number else None


def make_table() -> WindowTable:
    table = WindowTable((Spec("成员机构"), Spec("在办", number=True)))
    table.set_rows([Window("人保财险", 3), Window("太保财险", 0)])
    return table


def test_the_base_follows_qts_rules(qtmodeltester: Any) -> None:
    qtmodeltester.check(make_table())
    qtmodeltester.check(WindowTable(("空表",)))  # no rows at all


def test_titles_come_from_strings_or_specs_and_the_header_hook_adds_the_rest() -> None:
    table = make_table()
    horizontal = Qt.Orientation.Horizontal

    assert [table.headerData(c, horizontal) for c in range(2)] == ["成员机构", "在办"]
    assert table.headerData(1, horizontal, ALIGNMENT) == RIGHT
    assert table.headerData(0, horizontal, ALIGNMENT) is None
    assert table.headerData(2, horizontal) is None  # past the last column
    assert table.headerData(0, Qt.Orientation.Vertical) is None
    assert WindowTable(("区县",)).headerData(0, horizontal) == "区县"


def test_cells_come_from_the_subclass_and_outside_the_table_is_nothing() -> None:
    table = make_table()

    assert table.index(1, 1).data() == "0"
    assert table.data(QModelIndex()) is None
    assert table.data(table.createIndex(5, 0)) is None
    assert table.rowCount(table.index(0, 0)) == 0  # a table: no children


def test_the_same_rows_by_key_update_in_place_and_other_rows_reset(qtbot: Any) -> None:
    table = make_table()

    with qtbot.assertNotEmitted(table.modelReset), qtbot.waitSignal(table.dataChanged):
        assert table.update_rows([Window("人保财险", 4), Window("太保财险", 0)], key=lambda w: w.member)
    assert table.index(0, 1).data() == "4"

    with qtbot.waitSignal(table.modelReset):
        assert not table.update_rows([Window("太保财险", 0)], key=lambda w: w.member)
    assert table.rows == [Window("太保财险", 0)]


def test_new_columns_come_with_their_rows_in_one_reset(qtbot: Any) -> None:
    table = make_table()

    with qtbot.waitSignal(table.modelReset):
        table.set_rows([Window("平安财险", 1)], columns=(Spec("机构"),))

    assert (table.rowCount(), table.columnCount()) == (1, 1)
    assert table.headerData(0, Qt.Orientation.Horizontal) == "机构"
