"""One case in its own window: loads it, keeps it fresh, opens the action dialogs and the document viewer.

Nothing here blocks: the case is read with `GET /staff/cases/{id}` on the
`TaskRunner` (retried while the server is away), and re-read when the feed
says it changed (`reload`). A copy that is not newer than the one shown is
ignored, so the view never flickers or steps back. Actions go through the
dialogs of `desktop.actions`; what they return is shown at once and
announced (`case_acted`) so the queue row follows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from common.enums import Action
from common.schemas.cases import CaseDetail
from desktop.actions.base import ActionDialog
from desktop.actions.call import CallDialog
from desktop.actions.registry import DIALOGS
from desktop.api.client import ApiClient, NotFound
from desktop.api.tasks import TaskRunner
from desktop.case.documents import ordered
from desktop.case.view import CaseView
from desktop.messages import error_text
from desktop.viewer.source import DocumentSource
from desktop.viewer.window import DocumentViewer

GONE_TEXT = "该申请已不在您的办理范围内(可能已改派给其他机构),无法再办理。"


class CaseWindow(QMainWindow):
    """The case `case_id`; see the module docstring. `now` is the server's clock (injected for tests)."""

    case_shown = Signal(object)
    """Every `CaseDetail` put on screen."""
    case_acted = Signal(object)
    """The `CaseDetail` an action returned: the queue shows it without waiting for the feed."""

    def __init__(
        self,
        case_id: int,
        api: ApiClient,
        runner: TaskRunner,
        source: DocumentSource,
        *,
        role: str | None,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.case_id = case_id
        self.api = api
        self.runner = runner
        self.source = source
        self.now = now or api.server_now
        self.case: CaseDetail | None = None
        self.active_dialog: ActionDialog | None = None
        self.viewer: DocumentViewer | None = None
        self._loading = False
        self._reload_again = False
        self.view = CaseView(source, role=role, parent=self)
        self.view.action_requested.connect(self.open_action)
        self.view.reveal_requested.connect(self.reveal_id)
        self.view.document_activated.connect(self.open_document)
        self.setCentralWidget(self.view)
        self.setWindowTitle("正在加载申请…")
        QShortcut(QKeySequence("F5"), self, activated=self.reload)
        QShortcut(QKeySequence("Esc"), self, activated=self.close)
        self.resize(1100, 800)

    # ------------------------------------------------------------ loading ----

    @property
    def loading(self) -> bool:
        """Whether a read of the case is under way."""
        return self._loading

    def reload(self) -> None:
        """Read the case again (F5, or the feed said it changed); calls arriving meanwhile make one more read."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self.runner.run(
            lambda: CaseDetail.model_validate(self.api.get_json(f"/staff/cases/{self.case_id}")),
            on_done=self._on_loaded,
            on_error=self._on_load_failed,
            retry=True,
            context=self,
        )

    def _on_loaded(self, case: CaseDetail) -> None:
        self._loading = False
        self.apply(case)
        self._reload_if_asked()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        if isinstance(exc, NotFound):
            self.show_gone()
        else:
            self.view.set_notice(error_text(exc))
        self._reload_if_asked()

    def _reload_if_asked(self) -> None:
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def apply(self, case: CaseDetail) -> bool:
        """Show `case` if it is newer than what is shown (True) — older or equal copies change nothing."""
        if self.case is not None and case.version <= self.case.version:
            return False
        self.case = case
        self.setWindowTitle(f"{case.number} {case.owner_name} - 申请详情")
        self.view.show_case(case, self.now())
        if self.active_dialog is None:
            self.view.set_notice("")
        self.case_shown.emit(case)
        return True

    def show_gone(self) -> None:
        """The case left this clerk's scope: say so and offer no action."""
        self.view.set_notice(GONE_TEXT)
        self.view.set_allowed([])
        self.view.reveal_button.setEnabled(False)

    # ------------------------------------------------------------ actions ----

    def open_action(self, action: str) -> ActionDialog | None:
        """Open the dialog of `action` for the case as shown (its version is what the server will check)."""
        case = self.case
        if case is None or self.active_dialog is not None:
            return self.active_dialog
        kind = Action(action)
        cls = DIALOGS[kind]
        if cls is CallDialog:
            dialog: ActionDialog = CallDialog(case, self.api, self.runner, self, now=self.now)
        else:
            dialog = cls(case, self.api, self.runner, self)
        dialog.sent.connect(self._on_action_done)
        dialog.case_refreshed.connect(self._on_conflict)
        dialog.finished.connect(lambda _result: self._forget_dialog(dialog))
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: ActionDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None
        # Detached first: a child with a deferred delete pending, deleted along with this window in the
        # same pass, is deleted twice (PySide crashes). On its own the dialog goes exactly once.
        dialog.setParent(None)
        dialog.deleteLater()

    def _on_action_done(self, case: CaseDetail) -> None:
        self.apply(case)
        self.view.set_notice("")
        self.case_acted.emit(case)

    def _on_conflict(self, fresh: CaseDetail) -> None:
        self.apply(fresh)
        self.view.set_notice(f"该申请已被他人更新,已显示最新内容(当前状态:{fresh.status_label})。")
        self.case_acted.emit(fresh)

    def reveal_id(self) -> None:
        """Ask for the full ID number (the server records that it was shown)."""
        self.view.reveal_button.setEnabled(False)
        self.runner.run(
            lambda: str(self.api.post_json(f"/staff/cases/{self.case_id}/reveal-id")["id_number"]),
            on_done=self.view.show_revealed_id,
            on_error=self._on_reveal_failed,
            context=self,
        )

    def _on_reveal_failed(self, exc: BaseException) -> None:
        self.view.reveal_button.setEnabled(True)
        if isinstance(exc, NotFound):
            self.show_gone()
        else:
            self.view.set_notice(error_text(exc))

    # ------------------------------------------------------------ documents ----

    def open_document(self, document_id: int) -> DocumentViewer | None:
        """The viewer on `document_id`, with the case's other documents a 上一份/下一份 away."""
        if self.case is None:
            return None
        documents = ordered(self.case.documents)
        index = next((i for i, d in enumerate(documents) if d.id == document_id), 0)
        if self.viewer is None:
            self.viewer = DocumentViewer(self.source, parent=self)
            self.viewer.finished.connect(self._forget_viewer)
        self.viewer.show_documents(documents, index, title=f"{self.case.number} {self.case.owner_name}")
        self.viewer.show()
        self.viewer.raise_()
        self.viewer.activateWindow()
        return self.viewer

    def _forget_viewer(self) -> None:
        if self.viewer is not None:
            self.viewer.decoder.wait_for_idle(2000)
            self.viewer.setParent(None)  # see _forget_dialog
            self.viewer.deleteLater()
        self.viewer = None

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the viewer and a dialog with the window."""
        if self.viewer is not None:
            self.viewer.close()
        if self.active_dialog is not None:
            self.active_dialog.reject()
        super().closeEvent(event)
