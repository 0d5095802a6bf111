"""窗口受理: the counter intake form for a walk-in customer, any of the 6 vehicle categories.

Each field is checked when the clerk leaves it, with the validators the
server uses (same Chinese words); the server's own 422 answers are put on
the same fields. On 提交 the case is created, each scan uploaded with a
progress bar, and submitted with the customer's paper-signed consent; the
form then says which pool member took the case. A failure on the way keeps
everything and 重试 continues where it stopped (`IntakeSubmission`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from common.catalog import Catalog, load_catalog
from common.consent import load_consent
from common.enums import BusinessType
from common.schemas.auth import StaffUserOut
from common.schemas.cases import CaseDetail
from desktop.api.client import ApiClient, Refused, ServerFailed, ServerUnreachable, SessionExpired
from desktop.api.tasks import TaskRunner
from desktop.boxes import inform
from desktop.intake import checks
from desktop.intake.business import BusinessBox
from desktop.intake.documents import DocumentSlots
from desktop.intake.fields import IntakeFields
from desktop.intake.submit import IntakeSubmission
from desktop.messages import error_text

ERROR_STYLE = "color: #c62828;"
RESULT_STYLE = "background: #e8f5e9; color: #1b5e20; padding: 8px; font-weight: bold;"


class IntakeDialog(QDialog):
    """The intake form; `submitted(CaseDetail)` once the case is submitted and dispatched."""

    submitted = Signal(object)

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        user: StaffUserOut | None,
        catalog: Catalog | None = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.user = user
        self.catalog = catalog or load_catalog()
        self.today = today or date.today()
        self.consent_version = load_consent().version
        self.submission = IntakeSubmission()
        self.result: CaseDetail | None = None
        self._sending = False
        self.setWindowTitle("窗口受理 - 录入客户申请")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self.business_box = BusinessBox(self.catalog, user, self)
        self.business_box.business_type_changed.connect(self._business_type_changed)
        self.category_combo = self.business_box.category_combo
        self.new_radio = self.business_box.new_radio
        self.renewal_radio = self.business_box.renewal_radio
        self.county_combo = self.business_box.county_combo
        self.fields = IntakeFields(self, self.check_field)
        self.edits = self.fields.edits
        self.field_errors = self.fields.errors
        documents_box = QGroupBox("材料扫描件", self)
        self.slots = DocumentSlots(documents_box)
        self.documents_error = QLabel(documents_box)
        self.documents_error.setStyleSheet(ERROR_STYLE)
        self.documents_error.setWordWrap(True)
        self.documents_error.setVisible(False)
        documents_layout = QVBoxLayout(documents_box)
        documents_layout.addWidget(self.slots)
        documents_layout.addWidget(self.documents_error)

        self.consent_check = QCheckBox("客户已阅读并在纸质《个人敏感信息处理单独同意书》上签字", self)
        self.consent_check.setObjectName("consent")
        consent_text = QPushButton("查看同意书", self)
        consent_text.clicked.connect(self._show_consent)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent_check, 1)
        consent_row.addWidget(consent_text)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        for box in (self.business_box, self.fields.owner_box, self.fields.vehicle_box, documents_box):
            body_layout.addWidget(box)
        body_layout.addLayout(consent_row)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.step_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLine")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("result")
        self.result_label.setStyleSheet(RESULT_STYLE)
        self.result_label.setWordWrap(True)
        self.result_label.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.submit_button = QPushButton("提交", self)
        self.retry_button = QPushButton("重试", self)
        self.new_button = QPushButton("再录一件", self)
        self.close_button = QPushButton("关闭", self)
        for button, role in (
            (self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole),
            (self.retry_button, QDialogButtonBox.ButtonRole.ActionRole),
            (self.new_button, QDialogButtonBox.ButtonRole.ActionRole),
            (self.close_button, QDialogButtonBox.ButtonRole.RejectRole),
        ):
            self.buttons.addButton(button, role)
        self.retry_button.setVisible(False)  # after addButton, which shows what it adds
        self.new_button.setVisible(False)
        self.submit_button.clicked.connect(self.submit)
        self.retry_button.clicked.connect(self.submit)
        self.new_button.clicked.connect(self.start_over)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.step_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._business_type_changed()
        self.runner.run(
            lambda: self.api.get_json("/catalog"), on_done=self._on_catalog, on_error=lambda _e: None, context=self
        )
        self.resize(760, 860)

    # ------------------------------------------------------------ the form ----

    @property
    def business_type(self) -> BusinessType:
        """新车投保 or 非新车投保."""
        return self.business_box.business_type

    def values(self) -> dict[str, str]:
        """The texts of the fields, by field path."""
        return self.fields.values()

    def _business_type_changed(self) -> None:
        business_type = self.business_type
        plate = self.edits[checks.PLATE]
        plate.setEnabled(business_type is BusinessType.RENEWAL)
        if business_type is BusinessType.NEW:
            plate.clear()
            self.set_field_error(checks.PLATE, "")
        self.slots.set_kinds(list(self.catalog.required_for(business_type)))

    def check_field(self, path: str) -> bool:
        """Check one field now (on leaving it); True when fine."""
        problem = checks.check_field(path, self.edits[path].text(), self.business_type, today=self.today)
        self.set_field_error(path, problem or "")
        return problem is None

    def set_field_error(self, path: str, text: str) -> None:
        """Show (or clear) the problem under a field."""
        if path in self.edits:
            self.fields.set_error(path, text)
        else:
            self.show_error(text)

    def show_error(self, text: str, *, retry: bool = False) -> None:
        """The line above the buttons; with `retry` the 重试 button appears."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.retry_button.setVisible(retry)

    def _show_consent(self) -> None:
        consent = load_consent()
        inform(self, consent.title, consent.text, object_name="consentText")

    def _on_catalog(self, data: object) -> None:
        # The server's consent version is the one it will check: prefer it to the bundled copy.
        if isinstance(data, dict) and data.get("consent_version"):
            self.consent_version = str(data["consent_version"])

    # ------------------------------------------------------------ sending ----

    @property
    def sending(self) -> bool:
        """Whether a submission is under way."""
        return self._sending

    def submit(self) -> None:
        """Check everything, then create, upload and submit (or carry on after a failure)."""
        if self._sending or self.result is not None:
            return
        self.show_error("")
        self.documents_error.setVisible(False)
        if not self.submission.created and not self._form_ok():
            return
        missing = self.slots.missing()
        if missing:
            self.documents_error.setText(checks.missing_documents_text(missing))
            self.documents_error.setVisible(True)
            return
        if not self.consent_check.isChecked():
            self.show_error("请确认客户已在纸质同意书上签字(勾选同意书)")
            return
        payload = checks.build_payload(
            self.values(),
            category=self.business_box.category,
            business_type=self.business_type,
            county_code=self.business_box.county_code,
        )
        files = self.slots.files()
        submission, version = self.submission, self.consent_version
        self._set_sending(True)
        self.runner.run(
            lambda progress: submission.run(self.api, payload, files, consent_version=version, progress=progress),
            on_done=self._on_submitted,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            context=self,
        )

    def _form_ok(self) -> bool:
        problems = checks.check_form(
            self.values(),
            category=self.business_box.category,
            business_type=self.business_type,
            county_code=self.business_box.county_code,
            today=self.today,
        )
        for path in self.edits:
            self.set_field_error(path, problems.get(path, ""))
        general = [text for path, text in problems.items() if path not in self.edits]
        if general:
            self.show_error("\n".join(general))
        if problems:
            first = next((self.edits[p] for p in self.edits if p in problems), None)
            if first is not None:
                first.setFocus()
            return False
        return True

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        self.progress.setVisible(sending)
        self.submit_button.setEnabled(not sending)
        self.retry_button.setEnabled(not sending)
        if sending:
            self.progress.setRange(0, 0)
            self.step_label.setText("正在创建申请…" if not self.submission.created else "正在继续提交…")
        # Once the draft exists its data is on the server: only documents can still be added.
        locked = self.submission.created or sending
        for widget in self.edits.values():
            widget.setEnabled(
                not locked and not (widget is self.edits[checks.PLATE] and self.business_type is BusinessType.NEW)
            )
        self.business_box.set_locked(locked)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.step_label.setText("正在提交…" if done >= total - 1 else "正在上传材料…")
        self._mark_uploads()

    def _mark_uploads(self) -> None:
        for kind, path in list(self.submission.uploads.done):
            slot = self.slots.slots.get(kind)
            if slot is not None and Path(path) not in slot.uploaded:
                slot.mark_uploaded(Path(path))

    def _on_submitted(self, case: CaseDetail) -> None:
        self._set_sending(False)
        self._mark_uploads()
        self.result = case
        self.step_label.setText("")
        self.show_error("")
        if case.member_name:
            phone = f",窗口电话 {case.window_phone}" if case.window_phone else ""
            text = f"已提交。申请编号 {case.number},由 {case.member_name} 承办{phone}。"
        else:
            text = f"已提交。申请编号 {case.number},本区县暂无可承办的机构,已转市级协调员分派。"
        self.result_label.setText(text)
        self.result_label.setVisible(True)
        self.submit_button.setVisible(False)
        self.new_button.setVisible(True)
        self.slots.setEnabled(False)
        self.consent_check.setEnabled(False)
        self.submitted.emit(case)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_sending(False)
        self._mark_uploads()
        created = f"申请已创建(编号 {self.submission.draft.number}),尚未提交。" if self.submission.draft else ""
        self.step_label.setText(created)
        if isinstance(exc, ServerUnreachable):
            self.show_error("无法连接服务器,请检查网络。填写的内容已保留,网络恢复后请点击“重试”。", retry=True)
        elif isinstance(exc, SessionExpired):
            self.show_error("登录已过期。请重新登录,然后点击“重试”。", retry=True)
        elif isinstance(exc, ServerFailed):
            self.show_error(f"{exc.message}。请点击“重试”。", retry=True)
        elif isinstance(exc, Refused):
            self.show_refusal(exc)
        else:
            self.show_error(error_text(exc), retry=True)

    def show_refusal(self, exc: Refused) -> None:
        """The server said no: a refused scan on its slot, field problems under their fields, the rest below."""
        failed = self.submission.uploading
        if failed is not None and self.submission.created:
            kind, path = failed
            self.slots.slots[kind].set_error(f"{path.name}:{exc.message}")
            self.show_error("有材料未能上传,请更换文件后点击“提交”。")
            return
        if exc.code == "consent_required" or exc.code == "consent_outdated":
            self.show_error(exc.message)
            return
        if exc.code == "missing_documents":
            self.documents_error.setText(exc.message)
            self.documents_error.setVisible(True)
            return
        if not exc.errors:
            path = checks.field_of_message(exc.message)
            if path is not None:
                self.set_field_error(path, exc.message)
                self.edits[path].setFocus()
            else:
                self.show_error(exc.message)
            return
        general = []
        for problem in exc.errors:
            if problem.field in self.edits:
                self.set_field_error(problem.field, problem.message)
            else:
                general.append(problem.message)
        self.show_error("\n".join(general) if general else "请按提示修改后再提交")

    def start_over(self) -> None:
        """再录一件: an empty form for the next customer (category, county and business type stay)."""
        self.submission = IntakeSubmission()
        self.result = None
        self.fields.clear()
        self.consent_check.setChecked(False)
        self.consent_check.setEnabled(True)
        self.slots.setEnabled(True)
        self.slots.set_kinds(list(self.catalog.required_for(self.business_type)), keep=False)
        self.result_label.setVisible(False)
        self.submit_button.setVisible(True)
        self.new_button.setVisible(False)
        self.show_error("")
        self._set_sending(False)
        self.edits[checks.NAME].setFocus()
