"""A yes/no question for the coordinator's pages: Chinese buttons, and it never blocks the page.

No Qt translation is loaded, so QMessageBox's standard buttons would read
"Yes"/"No"; the buttons are made here with Chinese text, the way the action
dialogs make theirs. The box is window-modal and shown with `open()`: the
GUI thread keeps running (the feed, the timers, the background calls) while
the coordinator reads, and the answer comes back through `on_answer`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

CANCEL_TEXT = "取消"


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
