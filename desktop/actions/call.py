"""Recording a phone call with the customer: outcome, duration (a running timer), notes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from common.enums import Action, CallOutcome
from common.schemas.actions import MAX_CALL_SECONDS, CallIn
from common.schemas.cases import CaseDetail
from desktop.actions.base import ActionDialog
from desktop.actions.widgets import TextEdit
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.queue.rows import LOCAL_ZONE

TICK_MS = 1000


def clock_text(seconds: int) -> str:
    """75 → "01:15"; an hour or more → "1:02:03"."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class CallDialog(ActionDialog):
    """记录通话. Start the timer when dialling, stop it on hanging up; the duration may be corrected by hand.

    `monotonic` and `now` are injected so tests can move time without waiting.
    """

    action = Action.CALL
    endpoint = "calls"
    send_text = "保存通话记录"
    schema = CallIn
    field_labels = {"outcome": "通话结果", "duration_seconds": "通话时长", "notes": "通话记录"}

    def __init__(
        self,
        case: CaseDetail,
        api: ApiClient,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.monotonic = monotonic
        """The stopwatch's clock (seconds); replaceable, e.g. by a test that moves time by hand."""
        self._now = now or api.server_now
        self._started_mono: float | None = None
        self.started_at: datetime | None = None
        super().__init__(case, api, runner, parent)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)

    def build_form(self, form: QFormLayout) -> None:
        """Phone number to dial, outcome, the timer, notes."""
        phone = QLabel(self.case.owner_phone, self)
        phone.setObjectName("phone")
        font = phone.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        phone.setFont(font)
        form.addRow(f"{self.case.owner_name}的手机", phone)

        self.outcome_combo = QComboBox(self)
        self.outcome_combo.setObjectName("outcome")
        for outcome in CallOutcome:
            self.outcome_combo.addItem(outcome.label, outcome.value)
        form.addRow("通话结果", self.outcome_combo)

        self.timer_label = QLabel(clock_text(0), self)
        self.timer_label.setObjectName("timer")
        self.timer_label.setFont(font)
        self.start_button = QPushButton("开始计时", self)
        self.stop_button = QPushButton("停止计时", self)
        self.stop_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_timer)
        self.stop_button.clicked.connect(self.stop_timer)
        timer_row = QHBoxLayout()
        timer_row.addWidget(self.timer_label)
        timer_row.addWidget(self.start_button)
        timer_row.addWidget(self.stop_button)
        timer_row.addStretch(1)
        form.addRow("计时", timer_row)

        self.duration_spin = QSpinBox(self)
        self.duration_spin.setObjectName("duration")
        self.duration_spin.setRange(0, MAX_CALL_SECONDS)
        self.duration_spin.setSuffix(" 秒")
        self.duration_spin.setToolTip("计时自动填写;忘记计时可手工填写")
        form.addRow("通话时长", self.duration_spin)

        self.notes_edit = TextEdit("客户说了什么、约定了什么", self)
        self.notes_edit.setObjectName("notes")
        form.addRow("通话记录", self.notes_edit)

    @property
    def timing(self) -> bool:
        """Whether the timer runs."""
        return self._started_mono is not None

    def elapsed(self) -> int:
        """Whole seconds since the timer started (0 when it does not run)."""
        if self._started_mono is None:
            return 0
        return int(round(self.monotonic() - self._started_mono))

    def start_timer(self) -> None:
        """The call begins now."""
        self._started_mono = self.monotonic()
        self.started_at = self._now()
        self.duration_spin.setValue(0)
        self.duration_spin.setEnabled(False)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._ticker.start()
        self.tick()

    def stop_timer(self) -> None:
        """The call has ended: its duration goes into the field."""
        if self._started_mono is None:
            return
        self.tick()
        self._started_mono = None
        self._ticker.stop()
        self.duration_spin.setEnabled(True)
        self.start_button.setEnabled(True)
        self.start_button.setText("重新计时")
        self.stop_button.setEnabled(False)

    def tick(self) -> None:
        """Show the running time."""
        seconds = min(self.elapsed(), MAX_CALL_SECONDS)
        self.timer_label.setText(clock_text(seconds))
        self.duration_spin.setValue(seconds)

    def collect(self) -> dict[str, Any]:
        """Outcome, start (the timer's, else now minus the duration), duration, notes."""
        if self.timing:
            self.stop_timer()  # saving ends the call
        duration = self.duration_spin.value()
        if self.started_at is None:
            # Not timed: it ended just now. Fixed on first use, so a retry sends the same call (same key).
            self.started_at = self._now() - timedelta(seconds=duration)
        return {
            "outcome": self.outcome_combo.currentData(),
            "started_at": self.started_at.astimezone(LOCAL_ZONE).isoformat(),
            "duration_seconds": duration,
            "notes": self.notes_edit.value(),
        }
