"""Message boxes for the whole desktop: Chinese buttons, and they never block the window behind.

The buttons are made here with Chinese text, the way the action dialogs
make theirs (a button added with its role), not taken from QMessageBox's
standard buttons: those read "OK", "Yes", "No" wherever Qt's own translation
is not installed (`desktop.app` installs it at start-up, tests do not, and a
build may lack the file).

Every box is window-modal and shown with `open()`: the GUI thread keeps
running (the feed, the timers, the background calls) while the user reads,
and an answer comes back through a callback. Every message box in
`desktop/` is made here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

CANCEL_TEXT = "取消"
CLOSE_TEXT = "知道了"


def inform(parent: QWidget, title: str, text: str, *, object_name: str = "") -> QMessageBox:
    """Show a note with one 知道了 button and return the box at once; it deletes itself when closed."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    if object_name:
        box.setObjectName(object_name)
    close = box.addButton(CLOSE_TEXT, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


def ask(
    parent: QWidget,
    title: str,
    text: str,
    *,
    accept_text: str,
    on_answer: Callable[[bool], None],
    default_accept: bool = False,
    object_name: str = "",
) -> QMessageBox:
    """Show the question and return the box at once; `on_answer(True)` when `accept_text` is pressed.

    Closing the box, Esc or 取消 answer False. With `default_accept` False
    (the default) a stray Enter presses 取消, so nothing changes by accident.
    The box deletes itself once answered.
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    if object_name:
        box.setObjectName(object_name)
    accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(CANCEL_TEXT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(accept if default_accept else cancel)
    box.setEscapeButton(cancel)

    def answered(_result: int) -> None:
        accepted = box.clickedButton() is accept
        box.deleteLater()
        on_answer(accepted)

    box.finished.connect(answered)
    box.open()
    return box
