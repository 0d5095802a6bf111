"""The small form that sets the intermediary rule: within N days, M or more different owners, 保存.

The spin boxes only accept what the server accepts (the bounds come from
`common.schemas.signals`); the server checks again all the same. While the
coordinator edits, a fetched rule does not overwrite the numbers typed in.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from common.schemas.signals import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_DAYS,
    THRESHOLD_MAX,
    THRESHOLD_MIN,
    WINDOW_MAX,
    WINDOW_MIN,
    SignalRuleOut,
)
from desktop.coordinator.signals_models import local_time

NOTE_STYLE = "color: #616161;"


class RuleForm(QWidget):
    """同一手机号 [N] 天内为 [M] 个及以上不同车主申请 → 列为中介嫌疑. [保存]"""

    save_requested = Signal(int, int)
    """The coordinator pressed 保存: (threshold, window_days)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editing = False
        self._filling = False
        self.window_spin = QSpinBox(self)
        self.window_spin.setObjectName("ruleWindowDays")
        self.window_spin.setRange(WINDOW_MIN, WINDOW_MAX)
        self.window_spin.setValue(DEFAULT_WINDOW_DAYS)
        self.window_spin.setSuffix(" 天")
        self.threshold_spin = QSpinBox(self)
        self.threshold_spin.setObjectName("ruleThreshold")
        self.threshold_spin.setRange(THRESHOLD_MIN, THRESHOLD_MAX)
        self.threshold_spin.setValue(DEFAULT_THRESHOLD)
        self.threshold_spin.setSuffix(" 个")
        self.save_button = QPushButton("保存", self)
        self.save_button.setObjectName("ruleSave")
        self.note = QLabel(self)
        self.note.setStyleSheet(NOTE_STYLE)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("中介嫌疑规则:同一手机号在", self))
        layout.addWidget(self.window_spin)
        layout.addWidget(QLabel("内为", self))
        layout.addWidget(self.threshold_spin)
        layout.addWidget(QLabel("及以上不同车主提交申请", self))
        layout.addWidget(self.save_button)
        layout.addWidget(self.note)
        layout.addStretch(1)

        self.window_spin.valueChanged.connect(self._edited)
        self.threshold_spin.valueChanged.connect(self._edited)
        self.save_button.clicked.connect(self._save)

    @property
    def editing(self) -> bool:
        """Whether the coordinator changed a number since the rule was last shown."""
        return self._editing

    def show_rule(self, rule: SignalRuleOut, *, force: bool = False) -> None:
        """Show the rule in force; numbers being edited are kept unless `force` (after a save)."""
        if force or not self._editing:
            self._filling = True
            self.window_spin.setValue(rule.window_days)
            self.threshold_spin.setValue(rule.threshold)
            self._filling = False
            self._editing = False
        if rule.is_default:
            self.note.setText("(默认规则)")
        else:
            when = local_time(rule.updated_at) if rule.updated_at else ""
            self.note.setText(f"(由 {rule.updated_by or ''} 于 {when} 设置)")

    def set_busy(self, busy: bool) -> None:
        """While a save is on its way, 保存 cannot be pressed again."""
        self.save_button.setEnabled(not busy)
        self.save_button.setText("正在保存…" if busy else "保存")

    def _edited(self, _value: int) -> None:
        if not self._filling:
            self._editing = True

    def _save(self) -> None:
        self.save_requested.emit(self.threshold_spin.value(), self.window_spin.value())
