"""What every action dialog shares: send in the background, keep the input on failure, retry, and 409s.

A dialog subclass says what it sends (`collect`), may check it first with the
same request schema the server uses (`schema`, so the Chinese messages are the
server's), and may override `perform` when the action needs more than one
call (an upload before the action). The base does the rest:

* The request runs on the `TaskRunner`; the dialog stays responsive and
  Esc still closes it.
* Server unreachable, a server error or an expired login: the dialog stays
  open with everything typed, an error line and a 重试 button. A retry of
  the same content reuses the same idempotency key.
* 409 stale version: plain words, the fresh case is fetched and announced
  (`case_refreshed`), so the case view shows what the other person did. If a
  retry's 409 is our own first attempt having arrived after all (the answer
  was lost), that is a success, not a conflict.
* Success: `sent(CaseDetail)` and the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

# Only ValidationError from pydantic here: a lazy `BaseModel` import ahead of PySide6 trips shiboken's import hook.
from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.enums import Action, CaseStatus
from common.schemas.actions import VersionedIn
from common.schemas.cases import CaseDetail
from desktop.actions.sms_preview import SmsTemplates
from desktop.api.client import (
    ApiClient,
    Refused,
    ServerFailed,
    ServerUnreachable,
    SessionExpired,
    StaleVersion,
    new_idempotency_key,
)
from desktop.api.tasks import TaskRunner
from desktop.messages import error_text

Progress = Callable[[int, int], None]

UNREACHABLE_TEXT = "无法连接服务器,请检查网络。填写的内容已保留,网络恢复后请点击“重试”。"
EXPIRED_TEXT = "登录已过期。请重新登录,然后点击“重试”,填写的内容已保留。"
STALE_LOADING_TEXT = "该申请已被他人更新,正在载入最新内容…"
ERROR_STYLE = "color: #c62828;"
NOTICE_STYLE = "color: #8a5a00;"

# Pydantic's own error types in Chinese, for the few a dialog can produce before our validators run.
_PYDANTIC_ZH = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}太长",
    "decimal_parsing": "{label}应为数字",
    "int_parsing": "{label}应为整数",
    "too_short": "请至少选择一项{label}",
    "enum": "{label}不是可选的值",
}


def request_body(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without the dialog's own "_" keys: what goes to the server."""
    return {k: v for k, v in body.items() if not k.startswith("_")}


def first_problem(error: ValidationError, labels: dict[str, str]) -> str:
    """The first problem of a local check, in the same words the server would answer with."""
    problem = error.errors()[0]
    field = str(problem["loc"][0]) if problem.get("loc") else ""
    if problem["type"] == "value_error":
        cause = problem.get("ctx", {}).get("error")
        return str(cause) if cause else str(problem["msg"])
    template = _PYDANTIC_ZH.get(problem["type"], "{label}填写不正确")
    return template.format(label=labels.get(field, "此项"))


class ActionDialog(QDialog):
    """Base of the action dialogs; see the module docstring. Subclasses build their form in `build_form`."""

    action: ClassVar[Action]
    endpoint: ClassVar[str]
    """The last part of POST /staff/cases/{id}/<endpoint>."""
    send_text: ClassVar[str] = "确定"
    schema: ClassVar[type[VersionedIn]] = VersionedIn
    field_labels: ClassVar[dict[str, str]] = {}

    sent = Signal(object)
    """The case as the server returned it after the action (`CaseDetail`)."""
    case_refreshed = Signal(object)
    """A fresher `CaseDetail` loaded after a 409: show it."""

    def __init__(self, case: CaseDetail, api: ApiClient, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.api = api
        self.runner = runner
        self._key: str | None = None
        self._last_body: dict[str, Any] | None = None
        self._attempts = 0
        self._sending = False
        self.setWindowTitle(f"{self.action.label} - {case.number}")
        self.setObjectName(f"action_{self.action.value}")

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLine")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)

        self.buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.send_text, self)
        self.send_button.setDefault(True)
        self.retry_button = QPushButton("重试", self)
        self.cancel_button = QPushButton("取消", self)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.retry_button.setVisible(False)  # after addButton, which shows what it adds
        self.send_button.clicked.connect(self.submit)
        self.retry_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.heading)
        self.layout_.addLayout(self.form)
        self.build_form(self.form)
        self.layout_.addWidget(self.error_label)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.buttons)
        self._show_heading()

    # ------------------------------------------------------------ for subclasses ----

    def build_form(self, form: QFormLayout) -> None:
        """Add the dialog's fields (to `form`, or below it with `self.layout_`)."""

    def collect(self) -> dict[str, Any]:
        """The request body without `version`, from the fields (GUI thread).

        Keys starting with "_" are the dialog's own (files to upload first): they
        make a changed choice a new request, but are not sent as part of the body.
        """
        return {}

    def check(self, body: dict[str, Any]) -> str | None:
        """A problem with `body` in the server's words, or None; by default the server's own schema decides."""
        try:
            self.schema.model_validate({**request_body(body), "version": self.case.version})
        except ValidationError as error:
            return first_problem(error, self.field_labels)
        return None

    def perform(self, body: dict[str, Any], version: int, key: str, progress: Progress) -> CaseDetail:
        """Send the action (worker thread: touch no widget here)."""
        data = self.api.post_json(
            f"/staff/cases/{self.case.id}/{self.endpoint}",
            {**request_body(body), "version": version},
            idempotency_key=key,
        )
        return CaseDetail.model_validate(data)

    def case_changed(self) -> None:
        """`self.case` was replaced by a fresher copy (after a 409): update what depends on it."""

    # ------------------------------------------------------------ sending ----

    @property
    def sending(self) -> bool:
        """Whether a request is under way."""
        return self._sending

    @property
    def idempotency_key(self) -> str | None:
        """The key of the current content; kept across retries of the same content."""
        return self._key

    def submit(self) -> None:
        """Check the input and send it (the 发送 and 重试 buttons)."""
        if self._sending:
            return
        body = self.collect()
        problem = self.check(body)
        if problem is not None:
            self.show_error(problem)
            return
        if body != self._last_body or self._key is None:
            # Changed content is a new request; the same content again is a retry of the old one.
            self._key = new_idempotency_key()
            self._last_body = body
            self._attempts = 0
        self._attempts += 1
        self._set_sending(True)
        self.error_label.setVisible(False)
        version, key = self.case.version, self._key
        self.runner.run(
            lambda progress: self.perform(body, version, key, progress),
            on_done=self._on_sent,
            on_error=partial(self._on_failed, version),
            on_progress=self._on_progress,
            context=self,
        )

    def show_error(self, text: str, *, retry: bool = False, style: str = ERROR_STYLE) -> None:
        """Show one line of trouble under the form; with `retry` the 重试 button appears."""
        self.error_label.setText(text)
        self.error_label.setStyleSheet(style)
        self.error_label.setVisible(True)
        self.retry_button.setVisible(retry)

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        self.progress.setVisible(sending)
        self.progress.setRange(0, 0)
        self.send_button.setEnabled(not sending)
        self.retry_button.setEnabled(not sending)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_sent(self, detail: CaseDetail) -> None:
        self._set_sending(False)
        self.sent.emit(detail)
        self.accept()

    def _on_failed(self, sent_version: int, exc: BaseException) -> None:
        self._set_sending(False)
        if isinstance(exc, StaleVersion):
            self.show_error(STALE_LOADING_TEXT, style=NOTICE_STYLE)
            self.send_button.setEnabled(False)
            self.runner.run(
                lambda: CaseDetail.model_validate(self.api.get_json(f"/staff/cases/{self.case.id}")),
                on_done=partial(self._on_fresh_case, sent_version),
                on_error=lambda e: self.show_error(error_text(e)),
                retry=True,
                context=self,
            )
        elif isinstance(exc, ServerUnreachable):
            self.show_error(UNREACHABLE_TEXT, retry=True)
        elif isinstance(exc, SessionExpired):
            self.show_error(EXPIRED_TEXT, retry=True)
        elif isinstance(exc, ServerFailed):
            self.show_error(f"{exc.message}。填写的内容已保留,可点击“重试”。", retry=True)
        elif isinstance(exc, Refused):
            self.show_error(self.refusal_text(exc))
        else:
            self.show_error(error_text(exc), retry=True)

    def refusal_text(self, exc: Refused) -> str:
        """What to say when the server refused the input (422 per-field messages when there are any)."""
        if exc.errors:
            return "\n".join(problem.message for problem in exc.errors)
        return exc.message

    def _on_fresh_case(self, sent_version: int, fresh: CaseDetail) -> None:
        if self._attempts > 1 and self._already_done(fresh, sent_version):
            # The first attempt did arrive; only its answer was lost. Done, not a conflict.
            self._on_sent(fresh)
            return
        self.case = fresh
        self._key = None  # acting on a new version is a new request
        self.case_changed()
        self._show_heading()
        self.case_refreshed.emit(fresh)
        status = CaseStatus(fresh.status).label
        if self.action.value in fresh.allowed_actions:
            self.send_button.setEnabled(True)
            self.show_error(
                f"该申请已被他人更新,已载入最新内容(当前状态:{status})。请核对后再点击“{self.send_text}”。",
                style=NOTICE_STYLE,
            )
        else:
            self.send_button.setEnabled(False)
            self.show_error(f"该申请已被他人更新,当前状态为“{status}”,不能再执行“{self.action.label}”。")

    def _already_done(self, fresh: CaseDetail, sent_version: int) -> bool:
        return any(
            e.action == self.action.value and int(str(e.payload.get("version", 0))) > sent_version for e in fresh.events
        )

    def _show_heading(self) -> None:
        case = self.case
        self.heading.setText(f"{case.number}  {case.owner_name}  ·  当前状态:{case.status_label}")


class SmsPreviewDialog(ActionDialog):
    """An action dialog whose action texts the customer: it shows that SMS before it goes.

    Subclasses set up what `build_form` needs in `prepare` and keep the
    preview current in `update_preview`.
    """

    def __init__(
        self,
        case: CaseDetail,
        api: ApiClient,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        templates: SmsTemplates | None = None,
    ) -> None:
        self.templates = templates or SmsTemplates.load()
        self.prepare()
        super().__init__(case, api, runner, parent)
        self.update_preview()

    def prepare(self) -> None:
        """State the form relies on, made before it is built; nothing by default."""

    def update_preview(self) -> None:
        """Render the SMS the customer will receive from what is typed now."""
        raise NotImplementedError
