"""Asking the customer for more documents (with the SMS they will get), and recording that they arrived."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from common.catalog import load_catalog
from common.enums import Action, BusinessType, DocumentKind
from common.schemas.actions import RequestSupplementIn, VersionedIn
from common.schemas.cases import CaseDetail
from desktop.actions.base import ActionDialog, Progress, SmsPreviewDialog
from desktop.actions.sms_preview import supplement_sms
from desktop.actions.uploads import PendingUploads, choose_files
from desktop.actions.widgets import SmsPreview, TextEdit
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner

MESSAGE_MAX = 200


def requestable_kinds(case: CaseDetail) -> list[DocumentKind]:
    """What may be asked of this case's customer: its business type's documents, and "other"."""
    return [*load_catalog().required_for(BusinessType(case.business_type)), DocumentKind.OTHER]


class RequestSupplementDialog(SmsPreviewDialog):
    """要求补充材料: tick what is missing, add a note, see the SMS, send; the SLA clock stops meanwhile."""

    action = Action.REQUEST_SUPPLEMENT
    endpoint = "request-supplement"
    send_text = "发送短信并暂停计时"
    schema = RequestSupplementIn
    field_labels = {"kinds": "需要补充的材料", "message": "补充说明"}

    def build_form(self, form: QFormLayout) -> None:
        """One checkbox per kind (the missing ones ticked), the note, the preview."""
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.kind_boxes: dict[str, QCheckBox] = {}
        for index, kind in enumerate(requestable_kinds(self.case)):
            check = QCheckBox(kind.label, box)
            check.setObjectName(f"kind_{kind.value}")
            check.setChecked(kind.value in self.case.missing_documents)
            check.toggled.connect(self.update_preview)
            self.kind_boxes[kind.value] = check
            grid.addWidget(check, index // 2, index % 2)
        form.addRow("需要补充", box)
        self.message_edit = TextEdit("可选,例如:发票照片不清晰,请重新拍摄", self)
        self.message_edit.setObjectName("message")
        self.message_edit.textChanged.connect(self.update_preview)
        form.addRow("补充说明", self.message_edit)
        self.preview = SmsPreview(self.case.owner_phone, self)
        form.addRow(self.preview)

    def selected_kinds(self) -> list[str]:
        """The ticked kinds, in the catalog's order."""
        return [kind for kind, check in self.kind_boxes.items() if check.isChecked()]

    def collect(self) -> dict[str, Any]:
        """Kinds and message."""
        return {"kinds": self.selected_kinds(), "message": self.message_edit.value()}

    def check(self, body: dict[str, Any]) -> str | None:
        """Nothing ticked gets a plain sentence; the rest is the server's schema."""
        if not body["kinds"]:
            return "请勾选需要客户补充的材料"
        if len(body["message"]) > MESSAGE_MAX:
            return f"补充说明不能超过{MESSAGE_MAX}个字"
        return super().check(body)

    def update_preview(self) -> None:
        """Render the SMS from the current choices."""
        self.preview.set_text(
            supplement_sms(self.templates, self.case.number, self.selected_kinds(), self.message_edit.value())
        )


class SupplementReceivedDialog(ActionDialog):
    """补充材料已收到: the customer brought the papers; scan them in (optional) and restart the clock."""

    action = Action.SUPPLEMENT
    endpoint = "supplement"
    send_text = "确认已收到"
    schema = VersionedIn

    def __init__(self, case: CaseDetail, api: ApiClient, runner: TaskRunner, parent: QWidget | None = None) -> None:
        self.files: dict[str, Path] = {}
        self.uploads = PendingUploads()
        super().__init__(case, api, runner, parent)

    def build_form(self, form: QFormLayout) -> None:
        """The kinds asked for, each with an optional scan."""
        asked = self.case.supplement_kinds or []
        note = QLabel("客户已在窗口提交或通过其他方式补齐材料时使用。可在下方附上扫描件;确认后恢复办理计时。", self)
        note.setWordWrap(True)
        form.addRow(note)
        if self.case.supplement_message:
            form.addRow("补充说明", QLabel(self.case.supplement_message, self))
        self.file_labels: dict[str, QLabel] = {}
        for kind in asked:
            row = QWidget(self)
            line = QGridLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            name = QLabel("(未附扫描件)", row)
            name.setObjectName(f"file_{kind}")
            pick = QPushButton("选择文件…", row)
            pick.clicked.connect(lambda _checked=False, k=kind: self.choose_file(k))
            line.addWidget(name, 0, 0)
            line.addWidget(pick, 0, 1)
            line.setColumnStretch(0, 1)
            self.file_labels[kind] = name
            form.addRow(DocumentKind(kind).label, row)

    def choose_file(self, kind: str) -> None:
        """Pick the scan of one kind."""
        paths = choose_files(self, f"选择{DocumentKind(kind).label}")
        if paths:
            self.set_file(kind, paths[0])

    def set_file(self, kind: str, path: Path) -> None:
        """Attach `path` as the scan of `kind` (also for tests and drops)."""
        self.files[kind] = path
        self.file_labels[kind].setText(path.name)

    def collect(self) -> dict[str, Any]:
        """Only the files: the action itself has no fields."""
        return {"_files": {kind: str(path) for kind, path in self.files.items()}}

    def perform(self, body: dict[str, Any], version: int, key: str, progress: Progress) -> CaseDetail:
        """Upload the scans not uploaded yet, then record the arrival at the version they led to."""
        files = [(kind, Path(path)) for kind, path in body["_files"].items()]
        self.uploads.upload(self.api, self.case.id, files, progress)
        return super().perform(body, version + self.uploads.bumps, key, progress)

    def case_changed(self) -> None:
        """The fresh case's version counts the uploads already made."""
        self.uploads.case_reloaded()
