"""The review actions: accept, escalate, decide, move offline, reject, reassign, and an internal note."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from common.catalog import load_catalog
from common.enums import Action
from common.schemas.actions import DecideIn, EscalateIn, MoveOfflineIn, NoteIn, ReassignIn, RejectIn, VersionedIn
from desktop.actions.base import ActionDialog
from desktop.actions.widgets import TextEdit


class AcceptDialog(ActionDialog):
    """受理: the clerk takes the case on; nothing to type."""

    action = Action.ACCEPT
    endpoint = "accept"
    send_text = "受理"
    schema = VersionedIn

    def build_form(self, form: QFormLayout) -> None:
        """A sentence on what accepting means, and why the case came here."""
        note = QLabel("受理后请尽快审核材料、联系客户。办理时限照常计算。", self)
        note.setWordWrap(True)
        form.addRow(note)
        if self.case.dispatch_reason:
            reason = QLabel(self.case.dispatch_reason, self)
            reason.setWordWrap(True)
            form.addRow("分派说明", reason)


class TextActionDialog(ActionDialog):
    """An action whose only input is one required text (a reason, a comment)."""

    text_field: ClassVar[str] = "reason"
    text_label: ClassVar[str] = "原因"
    placeholder: ClassVar[str] = ""
    explanation: ClassVar[str] = ""

    def build_form(self, form: QFormLayout) -> None:
        """An explanation line and the text box."""
        if self.explanation:
            note = QLabel(self.explanation, self)
            note.setWordWrap(True)
            form.addRow(note)
        self.text_edit = TextEdit(self.placeholder, self)
        self.text_edit.setObjectName(self.text_field)
        form.addRow(self.text_label, self.text_edit)
        self.text_edit.setFocus()

    def collect(self) -> dict[str, Any]:
        """{text_field: text}."""
        return {self.text_field: self.text_edit.value()}


class EscalateDialog(TextActionDialog):
    """提交上级审批: a special case the clerk may not decide alone."""

    action = Action.ESCALATE
    endpoint = "escalate"
    send_text = "提交审批"
    schema = EscalateIn
    text_label = "提交原因"
    field_labels = {"reason": "提交上级审批的原因"}
    placeholder = "例如:车辆信息与合格证不一致,需上级确认"
    explanation = "提交后由上级审批,办理时限最长为提交后2个工作日。"


class DecideDialog(TextActionDialog):
    """上级审批通过 (supervisors): the case goes back to the clerk for review. To refuse, reject it."""

    action = Action.DECIDE
    endpoint = "decide"
    send_text = "审批通过"
    schema = DecideIn
    text_field = "comment"
    text_label = "审批意见"
    field_labels = {"comment": "审批意见"}
    placeholder = "例如:同意承保,请按正常流程办理"
    explanation = "审批通过后申请退回窗口继续办理。不同意承保请关闭本窗口,使用“退回”并写明原因。"

    def build_form(self, form: QFormLayout) -> None:
        """Shows the clerk's reason for escalating above the comment box."""
        reason = next(
            (str(e.payload.get("reason", "")) for e in reversed(self.case.events) if e.action == "escalate"), ""
        )
        if reason:
            shown = QLabel(reason, self)
            shown.setWordWrap(True)
            form.addRow("提交原因", shown)
        super().build_form(form)


class MoveOfflineDialog(TextActionDialog):
    """转线下办理: finished by remote follow-up outside the system."""

    action = Action.MOVE_OFFLINE
    endpoint = "move-offline"
    send_text = "转线下"
    schema = MoveOfflineIn
    text_label = "转线下原因"
    field_labels = {"reason": "转线下办理的原因"}
    placeholder = "例如:客户年纪大,需到窗口现场缴费"


class RejectDialog(TextActionDialog):
    """退回: the case ends without a policy; the reason is recorded."""

    action = Action.REJECT
    endpoint = "reject"
    send_text = "退回"
    schema = RejectIn
    text_label = "退回原因"
    field_labels = {"reason": "退回原因"}
    placeholder = "请写明退回原因,例如:车辆不属于本区县"
    explanation = "退回后本申请结束办理,无法恢复。"


class NoteDialog(TextActionDialog):
    """备注: an internal note on the timeline; the customer never sees it."""

    action = Action.NOTE
    endpoint = "notes"
    send_text = "保存"
    schema = NoteIn
    text_field = "text"
    text_label = "备注"
    field_labels = {"text": "备注"}
    placeholder = "仅内部可见"


class ReassignDialog(TextActionDialog):
    """改派 (coordinator): to another member's window in the same county."""

    action = Action.REASSIGN
    endpoint = "reassign"
    send_text = "改派"
    schema = ReassignIn
    text_label = "改派原因"
    field_labels = {"reason": "改派原因", "member_code": "承办机构"}

    def build_form(self, form: QFormLayout) -> None:
        """The member to send it to (not the current one), then the reason."""
        self.member_combo = QComboBox(self)
        self.member_combo.setObjectName("member_code")
        for member in load_catalog().members:
            if member.code != self.case.member_code:
                self.member_combo.addItem(member.short, member.code)
        form.addRow("改派给", self.member_combo)
        super().build_form(form)

    def collect(self) -> dict[str, Any]:
        """Member and reason."""
        return {"member_code": self.member_combo.currentData() or "", **super().collect()}
