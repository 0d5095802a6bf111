"""Message boxes speak Chinese and never block: no translation is loaded, so standard buttons would say "OK"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QWidget

from common.consent import load_consent
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.app import install_qt_translation
from desktop.boxes import CANCEL_TEXT, CLOSE_TEXT, ask, inform
from desktop.intake.form import IntakeDialog
from desktop.main_window import MainWindow
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from tests.desktop.garbled import garbled_api  # noqa: F401 - fixture

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
TIMEOUT_MS = 5_000


def button_texts(box: QMessageBox) -> list[str]:
    return sorted(button.text() for button in box.buttons())


def deleted(box: QMessageBox) -> bool:
    """Whether the box has been deleted (after its deferred delete ran)."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    try:
        box.objectName()
    except RuntimeError:
        return True
    return False


def click_without_hanging(qtbot: Any, button: QPushButton) -> bool:
    """Click `button`; True if the click only came back because a blocking box was closed from inside its loop.

    A box shown with exec() would otherwise hang the test until someone
    closes it: a zero timer runs inside that nested loop and closes it.
    """
    state = {"returned": False, "checked": False, "blocked": False}

    def check() -> None:
        state["checked"] = True
        modal = QApplication.activeModalWidget()
        if not state["returned"] and isinstance(modal, QMessageBox):
            state["blocked"] = True
            modal.done(0)

    QTimer.singleShot(0, check)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    state["returned"] = True
    qtbot.waitUntil(lambda: state["checked"], timeout=TIMEOUT_MS)
    return state["blocked"]


def test_a_note_has_one_chinese_button_returns_at_once_and_goes_away_when_read(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    box = inform(parent, "申请详情", "申请详情页面即将上线。", object_name="note")

    assert box.isVisible()  # open(), not exec(): the call came back with the box on screen
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert button_texts(box) == [CLOSE_TEXT] and box.standardButtons() == QMessageBox.StandardButton.NoButton
    assert parent.findChild(QMessageBox, "note") is box
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: deleted(box), timeout=TIMEOUT_MS)


def test_a_question_answers_true_only_for_its_own_button_and_cancel_is_the_default(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    answers: list[bool] = []

    box = ask(parent, "停用账号", "确定停用吗?", accept_text="停用", on_answer=answers.append)
    assert box.isVisible() and answers == []
    assert button_texts(box) == sorted(["停用", CANCEL_TEXT])
    assert box.defaultButton().text() == CANCEL_TEXT
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answers == [False], timeout=TIMEOUT_MS)

    box = ask(parent, "停用账号", "确定停用吗?", accept_text="停用", on_answer=answers.append)
    [accept] = [button for button in box.buttons() if button.text() == "停用"]
    qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answers == [False, True], timeout=TIMEOUT_MS)


def test_the_intake_forms_consent_text_has_a_chinese_button(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
) -> None:
    dialog = IntakeDialog(garbled_api, runner, user=None)
    qtbot.addWidget(dialog)
    dialog.show()
    [show_consent] = [b for b in dialog.findChildren(QPushButton) if b.text() == "查看同意书"]

    blocked = click_without_hanging(qtbot, show_consent)

    assert not blocked, "the consent box waited in exec(): the form stood still until it was closed"
    box = dialog.findChild(QMessageBox, "consentText")
    assert box is not None and box.isVisible()
    assert box.windowTitle() == load_consent().title
    assert button_texts(box) == [CLOSE_TEXT]
    box.close()
    runner.wait_for_idle(TIMEOUT_MS)


def test_the_case_placeholder_of_the_queue_has_a_chinese_button(
    qtbot: Any,
    garbled_api: ApiClient,  # noqa: F811 - the fixture
    runner: TaskRunner,
    prefs: Preferences,
) -> None:
    window = MainWindow(garbled_api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    qtbot.addWidget(window)
    window.show()
    window.case_open_requested.disconnect(window.case_windows.open_case)  # no case view: the placeholder

    window.request_open_case(7)

    box = window.findChild(QMessageBox, "casePlaceholder")
    assert box is not None and box.isVisible() and "申请 7" in box.text()
    assert button_texts(box) == [CLOSE_TEXT]
    box.close()


# Ways to make a box with English standard buttons, or one that blocks the GUI thread.
_UNTRANSLATED = re.compile(
    r"QMessageBox\.(information|warning|critical|question|about)\(|StandardButton\.(Ok|Cancel|Yes|No|Close)\b"
    r"|QDialogButtonBox\((QDialogButtonBox\.)?StandardButton|\.exec\(\)"
)


def test_no_desktop_code_makes_a_box_with_standard_buttons_or_waits_in_exec() -> None:
    found = []
    for path in sorted(DESKTOP.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _UNTRANSLATED.search(line) and not (path.name == "app.py" and "app.exec()" in line):
                found.append(f"{path.relative_to(DESKTOP)}:{number}: {line.strip()}")
    assert found == []


def test_qt_writes_its_own_words_in_chinese_once_its_translation_is_installed(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translator = install_qt_translation(app)
    try:
        assert translator is not None, "PySide6 ships qtbase_zh_CN.qm"
        # What Qt writes by itself: a standard button, the file dialog's (Qt's own, not the system's) buttons.
        box = QMessageBox(QMessageBox.Icon.Information, "说明", "内容", QMessageBox.StandardButton.Ok)
        qtbot.addWidget(box)
        chooser = QFileDialog(None, "导出统计报表")
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(chooser)
        assert box.button(QMessageBox.StandardButton.Ok).text() == "确定"
        assert "取消" in [b.text() for b in chooser.findChildren(QPushButton)]
    finally:
        if translator is not None:  # the rest of the session runs as the app does without it
            app.removeTranslator(translator)
            translator.deleteLater()
