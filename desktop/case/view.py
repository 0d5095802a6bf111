"""The case view's widgets: header, owner and vehicle, handling facts, documents, actions, timeline, calls.

Display only: it shows a `CaseDetail` and says what the clerk asked for
(`action_requested`, `reveal_requested`, `document_activated`); the window
around it talks to the server.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.enums import Action, CaseStatus, Channel, Role
from common.schemas.cases import CaseDetail
from common.workflow import STAFF_CASE_ACTIONS, is_allowed
from desktop.actions.registry import BUTTON_TEXT
from desktop.case.documents import Checklist, DocumentsPanel
from desktop.case.flow import FlowLayout
from desktop.case.texts import deadline_text, describe_event, duration_text, local_time, money
from desktop.viewer.source import DocumentSource

NOTICE_STYLE = "background: #fff3cd; color: #6b4e00; padding: 4px;"
# Events that are bookkeeping rather than handling: the timeline shows them, greyed.
_QUIET_ACTIONS = frozenset({Action.REVEAL_ID.value, Action.UPLOAD_DOCUMENT.value})


def role_actions(role: str | None) -> list[Action]:
    """The action buttons a role ever gets (the workflow table decides), in display order."""
    if role is None:
        return list(STAFF_CASE_ACTIONS)
    who = Role(role)
    return [a for a in STAFF_CASE_ACTIONS if any(is_allowed(a, status, who) for status in CaseStatus)]


class FactGrid(QWidget):
    """Label/value pairs in two columns; values selectable (phone numbers get copied)."""

    def __init__(self, labels: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, (key, title) in enumerate(labels):
            row, column = divmod(index, 2)
            caption = QLabel(f"{title}:", self)
            caption.setStyleSheet("color: #555555;")
            value = QLabel(self)
            value.setObjectName(key)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            grid.addWidget(caption, row, column * 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, column * 2 + 1)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def set(self, key: str, text: str) -> None:
        """Show `text` for `key`; empty shows a dash."""
        self.values[key].setText(text or "—")


class CaseView(QWidget):
    """Shows one case; see the module docstring."""

    action_requested = Signal(str)
    reveal_requested = Signal()
    document_activated = Signal(int)

    def __init__(self, source: DocumentSource, *, role: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: CaseDetail | None = None
        self.revealed_id: str | None = None

        self.number_label = QLabel(self)
        self.number_label.setObjectName("caseNumber")
        font = self.number_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.number_label.setFont(font)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("caseStatus")
        self.status_label.setStyleSheet("font-weight: bold; color: #1565c0;")
        self.deadline_label = QLabel(self)
        self.meta_label = QLabel(self)
        self.meta_label.setWordWrap(True)
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(NOTICE_STYLE)
        self.notice_label.setVisible(False)
        header = QGridLayout()
        header.addWidget(self.number_label, 0, 0)
        header.addWidget(self.status_label, 0, 1)
        header.addWidget(self.deadline_label, 0, 2, Qt.AlignmentFlag.AlignRight)
        header.addWidget(self.meta_label, 1, 0, 1, 3)
        header.setColumnStretch(2, 1)

        self.owner = FactGrid(
            [
                ("owner_name", "车主"),
                ("owner_id", "身份证号"),
                ("owner_phone", "手机号"),
                ("plate", "车牌号"),
                ("vin", "车架号"),
                ("engine_number", "发动机号"),
                ("brand_model", "品牌型号"),
                ("power", "排量/功率"),
            ],
            self,
        )
        self.reveal_button = QPushButton("显示完整身份证号", self)
        self.reveal_button.setToolTip("查看完整身份证号会被记录")
        self.reveal_button.clicked.connect(self.reveal_requested)
        owner_box = QGroupBox("车主与车辆", self)
        owner_layout = QVBoxLayout(owner_box)
        owner_layout.addWidget(self.owner)
        owner_layout.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.handling = FactGrid(
            [
                ("member", "承办机构"),
                ("handler", "经办人"),
                ("window_phone", "窗口电话"),
                ("premium", "保费"),
                ("payment_link", "缴费链接"),
                ("paid_at", "缴费时间"),
                ("policy_number", "保单号"),
                ("policy_link", "电子保单"),
                ("closing_reason", "退回/转线下原因"),
                ("dispatch_reason", "分派说明"),
            ],
            self,
        )
        handling_box = QGroupBox("办理信息", self)
        QVBoxLayout(handling_box).addWidget(self.handling)

        self.checklist = Checklist(self)
        self.documents = DocumentsPanel(source, self)
        self.documents.document_activated.connect(self.document_activated)
        # The checklist beside the thumbnails: what is required next to what was sent, at one glance.
        documents_box = QGroupBox("材料(点击查看大图)", self)
        documents_layout = QHBoxLayout(documents_box)
        checklist_column = QVBoxLayout()
        checklist_column.addWidget(QLabel("材料清单", self))
        checklist_column.addWidget(self.checklist)
        checklist_column.addStretch(1)
        documents_layout.addLayout(checklist_column)
        documents_layout.addWidget(self.documents, 1)

        facts = QWidget(self)
        facts_layout = QVBoxLayout(facts)
        facts_layout.addWidget(owner_box)
        facts_layout.addWidget(documents_box)
        facts_layout.addWidget(handling_box)
        facts_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(facts)

        # The actions as a row under the header that wraps when the window is narrow (200 % scaling):
        # a column of a dozen buttons would set the window's minimum height beyond a small screen.
        self.action_buttons: dict[str, QPushButton] = {}
        self.actions_bar = QWidget(self)
        self.actions_bar.setObjectName("actions")
        actions_layout = FlowLayout(self.actions_bar)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        for action in role_actions(role):
            button = QPushButton(BUTTON_TEXT[action], self.actions_bar)
            button.setObjectName(f"do_{action.value}")
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, a=action.value: self.action_requested.emit(a))
            actions_layout.addWidget(button)
            self.action_buttons[action.value] = button

        self.timeline = self._tree(["时间", "操作", "操作人", "说明"])
        self.calls = self._tree(["时间", "结果", "时长", "经办人", "通话记录"])
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.timeline, "办理记录")
        self.tabs.addTab(self.calls, "电话记录")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(scroll)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([3000, 1000])  # proportions: the case above, its history below

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.actions_bar)
        layout.addWidget(self.notice_label)
        layout.addWidget(splitter, 1)

    def _tree(self, columns: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setHeaderLabels(columns)
        tree.setRootIsDecorated(False)
        tree.setAlternatingRowColors(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setWordWrap(True)
        header = tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return tree

    # ------------------------------------------------------------ showing ----

    def show_case(self, case: CaseDetail, now: datetime) -> None:
        """Show `case` (a fresh copy of the same case keeps a revealed ID number shown)."""
        if self.case is None or self.case.id != case.id:
            self.revealed_id = None
        self.case = case
        self.number_label.setText(case.number)
        self.status_label.setText(case.status_label)
        self.deadline_label.setText(deadline_text(case, now))
        self.deadline_label.setStyleSheet("color: #c62828;" if case.overdue else "")
        self.meta_label.setText(
            " · ".join(
                p
                for p in (
                    case.category_label,
                    case.business_type_label,
                    Channel(case.channel).label,
                    case.county_name,
                    f"提交于 {local_time(case.submitted_at)}" if case.submitted_at else "",
                )
                if p
            )
        )
        owner = self.owner
        owner.set("owner_name", case.owner_name)
        owner.set("owner_id", self.revealed_id or case.owner_id_masked)
        owner.set("owner_phone", case.owner_phone)
        owner.set("plate", case.plate or "(新车,未上牌)")
        owner.set("vin", case.vin)
        owner.set("engine_number", case.engine_number or "")
        owner.set("brand_model", case.brand_model or "")
        power = [
            f"{case.displacement_cc} 毫升" if case.displacement_cc else "",
            f"{case.power_kw} 千瓦" if case.power_kw else "",
        ]
        owner.set("power", " / ".join(p for p in power if p))
        self.reveal_button.setVisible(self.revealed_id is None)
        handling = self.handling
        handling.set("member", case.member_name or "(待分派)")
        handling.set("handler", case.handler_name or "")
        handling.set("window_phone", case.window_phone or "")
        handling.set("premium", money(case.premium))
        handling.set("payment_link", case.payment_link or "")
        handling.set("paid_at", local_time(case.paid_at))
        handling.set("policy_number", case.policy_number or "")
        handling.set("policy_link", case.policy_link or "")
        handling.set("closing_reason", case.closing_reason or "")
        handling.set("dispatch_reason", case.dispatch_reason or "")
        self.checklist.set_case(case)
        self.documents.set_documents(case.documents)
        self.set_allowed(case.allowed_actions)
        self._fill_timeline(case)
        self._fill_calls(case)

    def set_allowed(self, allowed: list[str]) -> None:
        """Enable exactly the buttons of the server's allowed actions."""
        for action, button in self.action_buttons.items():
            button.setEnabled(action in allowed)

    def show_revealed_id(self, id_number: str) -> None:
        """The full ID number, on purpose (the server recorded the view)."""
        self.revealed_id = id_number
        self.owner.set("owner_id", id_number)
        self.reveal_button.setVisible(False)

    def set_notice(self, text: str) -> None:
        """A line above the case (a conflict, a reassignment); empty hides it."""
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))

    def _fill_timeline(self, case: CaseDetail) -> None:
        self.timeline.clear()
        for event in reversed(case.events):  # newest first: what just happened is on top
            item = QTreeWidgetItem(
                [local_time(event.created_at), event.action_label, event.actor_label, describe_event(event)]
            )
            if event.action in _QUIET_ACTIONS:
                for column in range(4):
                    item.setForeground(column, Qt.GlobalColor.gray)
            self.timeline.addTopLevelItem(item)

    def _fill_calls(self, case: CaseDetail) -> None:
        self.calls.clear()
        for call in reversed(case.calls):
            self.calls.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        local_time(call.started_at),
                        call.outcome_label,
                        duration_text(call.duration_seconds),
                        call.user_label,
                        call.notes,
                    ]
                )
            )
        self.tabs.setTabText(1, f"电话记录({len(case.calls)})" if case.calls else "电话记录")
