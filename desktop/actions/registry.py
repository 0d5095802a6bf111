"""Which dialog handles which workflow action, and what its button says on the case view."""

from __future__ import annotations

from common.enums import Action
from desktop.actions.base import ActionDialog
from desktop.actions.call import CallDialog
from desktop.actions.payment import ApproveDialog, RecordPaymentDialog
from desktop.actions.policy import IssuePolicyDialog
from desktop.actions.review import (
    AcceptDialog,
    DecideDialog,
    EscalateDialog,
    MoveOfflineDialog,
    NoteDialog,
    ReassignDialog,
    RejectDialog,
)
from desktop.actions.supplement import RequestSupplementDialog, SupplementReceivedDialog

DIALOGS: dict[Action, type[ActionDialog]] = {
    Action.ACCEPT: AcceptDialog,
    Action.REQUEST_SUPPLEMENT: RequestSupplementDialog,
    Action.SUPPLEMENT: SupplementReceivedDialog,
    Action.ESCALATE: EscalateDialog,
    Action.DECIDE: DecideDialog,
    Action.APPROVE: ApproveDialog,
    Action.RECORD_PAYMENT: RecordPaymentDialog,
    Action.ISSUE_POLICY: IssuePolicyDialog,
    Action.MOVE_OFFLINE: MoveOfflineDialog,
    Action.REJECT: RejectDialog,
    Action.REASSIGN: ReassignDialog,
    Action.CALL: CallDialog,
    Action.NOTE: NoteDialog,
}

# Short words for the buttons (the action labels are written for the timeline).
BUTTON_TEXT: dict[Action, str] = {
    Action.ACCEPT: "受理",
    Action.REQUEST_SUPPLEMENT: "要求补充材料",
    Action.SUPPLEMENT: "补充材料已收到",
    Action.ESCALATE: "提交上级审批",
    Action.DECIDE: "审批通过",
    Action.APPROVE: "发送缴费链接",
    Action.RECORD_PAYMENT: "确认缴费",
    Action.ISSUE_POLICY: "出具电子保单",
    Action.MOVE_OFFLINE: "转线下办理",
    Action.REJECT: "退回",
    Action.REASSIGN: "改派",
    Action.CALL: "记录通话",
    Action.NOTE: "添加备注",
}
