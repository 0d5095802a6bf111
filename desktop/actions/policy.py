"""Issuing the e-policy: its number, and either the insurer's https link or the PDF uploaded to the case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
)

from common.enums import Action, DocumentKind
from common.schemas.actions import IssuePolicyIn
from common.schemas.cases import CaseDetail
from desktop.actions.base import Progress, SmsPreviewDialog
from desktop.actions.sms_preview import policy_sms
from desktop.actions.uploads import PendingUploads, choose_files
from desktop.actions.widgets import SmsPreview


class IssuePolicyDialog(SmsPreviewDialog):
    """出具电子保单: the case is finished and the customer gets the e-policy by SMS.

    With a PDF, the file is uploaded first (kind e_policy, with a progress
    bar), then the policy is issued pointing at it; a retry after a failure
    in between does not upload it again.
    """

    action = Action.ISSUE_POLICY
    endpoint = "issue-policy"
    send_text = "出具并发送短信"
    schema = IssuePolicyIn
    field_labels = {"policy_number": "保单号", "policy_link": "电子保单链接"}

    def prepare(self) -> None:
        """The chosen PDF and its pending upload, kept across retries."""
        self.pdf_path: Path | None = None
        self.uploads = PendingUploads()

    def build_form(self, form: QFormLayout) -> None:
        """Policy number; link or PDF; the SMS."""
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("policy_number")
        self.number_edit.setPlaceholderText("保险公司系统中的交强险保单号")
        self.number_edit.setMaxLength(40)
        self.number_edit.textChanged.connect(self.update_preview)
        form.addRow("保单号", self.number_edit)

        self.link_radio = QRadioButton("电子保单链接", self)
        self.pdf_radio = QRadioButton("上传电子保单 PDF", self)
        self.link_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.link_radio)
        group.addButton(self.pdf_radio)
        group.buttonToggled.connect(lambda _button, _checked: self.update_preview())
        choice = QHBoxLayout()
        choice.addWidget(self.link_radio)
        choice.addWidget(self.pdf_radio)
        choice.addStretch(1)
        form.addRow("保单来源", choice)

        self.link_edit = QLineEdit(self)
        self.link_edit.setObjectName("policy_link")
        self.link_edit.setPlaceholderText("https://…")
        self.link_edit.textChanged.connect(self.update_preview)
        form.addRow("保单链接", self.link_edit)

        self.file_label = QLabel("(未选择文件)", self)
        self.file_label.setObjectName("pdfName")
        self.file_button = QPushButton("选择 PDF…", self)
        self.file_button.clicked.connect(self.choose_pdf)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.file_button)
        form.addRow("保单文件", file_row)

        self.preview = SmsPreview(self.case.owner_phone, self)
        form.addRow(self.preview)

    def choose_pdf(self) -> None:
        """Pick the PDF the insurer's system produced."""
        paths = choose_files(self, "选择电子保单 PDF", pdf_only=True)
        if paths:
            self.set_pdf(paths[0])

    def set_pdf(self, path: Path) -> None:
        """Use `path` as the e-policy file (also for tests)."""
        self.pdf_path = path
        self.pdf_radio.setChecked(True)
        self.file_label.setText(path.name)
        self.update_preview()

    def update_preview(self) -> None:
        """Enable the chosen source's field; the SMS follows."""
        by_link = self.link_radio.isChecked()
        self.link_edit.setEnabled(by_link)
        self.file_button.setEnabled(not by_link)
        self.preview.set_text(
            policy_sms(self.templates, self.number_edit.text(), self.link_edit.text() if by_link else None)
        )

    def collect(self) -> dict[str, Any]:
        """Number plus the link, or the PDF to upload (the document id is only known once it is up)."""
        number = self.number_edit.text().strip()
        if self.link_radio.isChecked():
            return {"policy_number": number, "policy_link": self.link_edit.text().strip()}
        return {"policy_number": number, "_pdf": str(self.pdf_path) if self.pdf_path else ""}

    def check(self, body: dict[str, Any]) -> str | None:
        """A missing number, link or file in plain words; then the server's checks."""
        if not body["policy_number"]:
            return "请填写保单号"
        if "_pdf" in body:
            if not body["_pdf"]:
                return "请选择电子保单 PDF 文件"
            # Any id stands in for the one the upload will give: the schema checks the rest of the body.
            return super().check({"policy_number": body["policy_number"], "policy_document_id": 1})
        if not body["policy_link"]:
            return "请填写电子保单链接"
        return super().check(body)

    def perform(self, body: dict[str, Any], version: int, key: str, progress: Progress) -> CaseDetail:
        """Upload the PDF when there is one (once), then issue."""
        if "_pdf" not in body:
            return super().perform(body, version, key, progress)
        [document_id] = self.uploads.upload(
            self.api, self.case.id, [(DocumentKind.E_POLICY.value, Path(body["_pdf"]))], progress
        )
        request = {"policy_number": body["policy_number"], "policy_document_id": document_id}
        return super().perform(request, version + self.uploads.bumps, key, progress)

    def case_changed(self) -> None:
        """The fresh case's version counts the upload already made."""
        self.uploads.case_reloaded()
