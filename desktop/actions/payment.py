"""Sending the payment link (with a QR code for the counter) and recording the payment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, QRegularExpression, Qt, QTimeZone
from PySide6.QtGui import QGuiApplication, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.enums import Action
from common.schemas.actions import ApproveIn, RecordPaymentIn
from desktop.actions.base import ActionDialog, SmsPreviewDialog
from desktop.actions.qr import QrCodeView
from desktop.actions.sms_preview import payment_sms, premium_text
from desktop.actions.widgets import SmsPreview
from desktop.queue.rows import LOCAL_ZONE

# Up to 100,000 yuan with fen: what the server's premium check allows, so typing cannot go beyond it.
PREMIUM_PATTERN = r"^\d{0,6}(\.\d{0,2})?$"


def looks_like_link(text: str) -> bool:
    """Worth a QR code: an https address without blanks (the server checks the rest)."""
    return text.startswith("https://") and len(text) > len("https://") and not any(ch.isspace() for ch in text)


class QrLargeDialog(QDialog):
    """The QR code filling the screen, for a customer holding up a phone at the counter; Esc closes."""

    def __init__(self, link: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("扫码缴费")
        self.qr = QrCodeView(self, minimum=320)
        self.qr.set_text(link)
        words = QLabel(caption, self)
        words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = words.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        words.setFont(font)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addWidget(self.qr, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)


class ApproveDialog(SmsPreviewDialog):
    """审核通过,发送缴费链接: paste the insurer's link, the premium; the SMS and a QR code of the link."""

    action = Action.APPROVE
    endpoint = "approve"
    send_text = "发送缴费链接"
    schema = ApproveIn
    field_labels = {"payment_link": "缴费链接", "premium": "保费"}

    def build_form(self, form: QFormLayout) -> None:
        """Link and premium on the left with the SMS; the QR code, large, on the right."""
        left = QFormLayout()
        self.link_edit = QLineEdit(self)
        self.link_edit.setObjectName("payment_link")
        self.link_edit.setPlaceholderText("从保险公司系统复制缴费链接,粘贴到这里")
        self.link_edit.setClearButtonEnabled(True)
        self.link_edit.textChanged.connect(self.update_preview)
        paste = QPushButton("粘贴", self)
        paste.setToolTip("粘贴剪贴板中的链接")
        paste.clicked.connect(self.paste_link)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_edit, 1)
        link_row.addWidget(paste)
        left.addRow("缴费链接", link_row)
        self.premium_edit = QLineEdit(self)
        self.premium_edit.setObjectName("premium")
        self.premium_edit.setPlaceholderText("例如 180.00")
        self.premium_edit.setValidator(QRegularExpressionValidator(QRegularExpression(PREMIUM_PATTERN), self))
        self.premium_edit.textChanged.connect(self.update_preview)
        premium_row = QHBoxLayout()
        premium_row.addWidget(self.premium_edit, 1)
        premium_row.addWidget(QLabel("元", self))
        left.addRow("保费", premium_row)
        self.preview = SmsPreview(self.case.owner_phone, self)
        left.addRow(self.preview)

        self.qr = QrCodeView(self)
        self.qr.setObjectName("paymentQr")
        self.enlarge_button = QPushButton("放大二维码", self)
        self.enlarge_button.clicked.connect(self.show_large_qr)
        right = QVBoxLayout()
        right.addWidget(QLabel("客户在窗口可直接扫码缴费:", self))
        right.addWidget(self.qr, 1)
        right.addWidget(self.enlarge_button, 0, Qt.AlignmentFlag.AlignRight)

        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        self.layout_.addLayout(columns, 1)
        if self.case.premium is not None:
            self.premium_edit.setText(f"{self.case.premium:.2f}")
        if self.case.payment_link:
            self.link_edit.setText(self.case.payment_link)

    def paste_link(self) -> None:
        """Put the clipboard's text in the link field."""
        self.link_edit.setText(QGuiApplication.clipboard().text().strip())

    def collect(self) -> dict[str, Any]:
        """Link and premium (as text: the server reads it as a decimal, no float rounding)."""
        return {"payment_link": self.link_edit.text().strip(), "premium": self.premium_edit.text().strip()}

    def check(self, body: dict[str, Any]) -> str | None:
        """Empty fields in plain words first; then the server's own checks."""
        if not body["payment_link"]:
            return "请粘贴缴费链接"
        if not body["premium"]:
            return "请填写保费"
        return super().check(body)

    def update_preview(self) -> None:
        """The SMS and the QR code follow what is typed."""
        link = self.link_edit.text().strip()
        self.preview.set_text(payment_sms(self.templates, self.case.number, self.premium_edit.text(), link))
        self.qr.set_text(link if looks_like_link(link) else "")
        self.enlarge_button.setEnabled(bool(self.qr.text))

    def show_large_qr(self) -> None:
        """The code on its own, maximised."""
        premium = premium_text(self.premium_edit.text())
        caption = f"请用手机扫码缴费  保费 {premium} 元" if premium else "请用手机扫码缴费"
        dialog = QrLargeDialog(self.qr.text, caption, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.showMaximized()


class RecordPaymentDialog(ActionDialog):
    """确认缴费: the insurer's system shows the premium paid; note the reference and, if not just now, the time."""

    action = Action.RECORD_PAYMENT
    endpoint = "record-payment"
    send_text = "确认缴费"
    schema = RecordPaymentIn
    field_labels = {"reference": "缴费流水号", "paid_at": "缴费时间"}

    def build_form(self, form: QFormLayout) -> None:
        """Premium and link for reference; the payment reference; an optional earlier time."""
        if self.case.premium is not None:
            form.addRow("保费", QLabel(f"{self.case.premium:.2f} 元", self))
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setObjectName("reference")
        self.reference_edit.setPlaceholderText("可选,保险公司系统中的缴费流水号")
        self.reference_edit.setMaxLength(60)
        form.addRow("缴费流水号", self.reference_edit)
        self.earlier_check = QCheckBox("不是刚刚缴的,填写缴费时间", self)
        self.paid_at_edit = QDateTimeEdit(self)
        self.paid_at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.paid_at_edit.setTimeZone(QTimeZone(b"Asia/Shanghai"))
        now = self.api.server_now().astimezone(LOCAL_ZONE)
        self.paid_at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp()), QTimeZone(b"Asia/Shanghai")))
        self.paid_at_edit.setEnabled(False)
        self.earlier_check.toggled.connect(self.paid_at_edit.setEnabled)
        form.addRow(self.earlier_check)
        form.addRow("缴费时间", self.paid_at_edit)

    def collect(self) -> dict[str, Any]:
        """Reference and time, each only when given (the server takes "now" on its own clock).

        An explicit null is not sent: the schema's time-zone check would be handed None.
        """
        body: dict[str, Any] = {}
        if reference := self.reference_edit.text().strip():
            body["reference"] = reference
        if self.earlier_check.isChecked():
            seconds = self.paid_at_edit.dateTime().toSecsSinceEpoch()
            body["paid_at"] = datetime.fromtimestamp(seconds, LOCAL_ZONE).isoformat()
        return body
