"""The intake form's text fields (owner and vehicle), each with its problem shown right under it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.intake import checks

ERROR_STYLE = "color: #c62828;"
FIELD_ERROR_STYLE = "border: 1px solid #c62828;"
LABELS = {
    checks.NAME: ("车主姓名", "与身份证一致"),
    checks.ID_NUMBER: ("身份证号", "18位"),
    checks.PHONE: ("手机号", "用于接收短信"),
    checks.PLATE: ("车牌号", "例如 苏J12345"),
    checks.VIN: ("车架号(VIN)", "17位,见合格证或行驶证"),
    checks.ENGINE: ("发动机号", "可选"),
    checks.BRAND: ("品牌型号", "例如 雅迪 DT3"),
    checks.DISPLACEMENT: ("排量(毫升)", "可选"),
    checks.POWER: ("功率(千瓦)", "可选"),
}
OWNER_FIELDS = (checks.NAME, checks.ID_NUMBER, checks.PHONE)
VEHICLE_FIELDS = (checks.PLATE, checks.VIN, checks.ENGINE, checks.BRAND, checks.DISPLACEMENT, checks.POWER)


class IntakeFields:
    """Builds the 车主 and 车辆 boxes; `edits` and `errors` by field path (the server's 422 paths)."""

    def __init__(self, parent: QWidget, on_leave: Callable[[str], None]) -> None:
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.owner_box = QGroupBox("车主(投保人)", parent)
        self.vehicle_box = QGroupBox("车辆", parent)
        for box, paths in ((self.owner_box, OWNER_FIELDS), (self.vehicle_box, VEHICLE_FIELDS)):
            form = QFormLayout(box)
            for path in paths:
                self._add(form, box, path, on_leave)

    def _add(self, form: QFormLayout, box: QWidget, path: str, on_leave: Callable[[str], None]) -> None:
        label, placeholder = LABELS[path]
        edit = QLineEdit(box)
        edit.setObjectName(path)
        edit.setPlaceholderText(placeholder)
        edit.editingFinished.connect(lambda: on_leave(path))
        error = QLabel(box)
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setVisible(False)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(edit)
        column.addWidget(error)
        form.addRow(label, column)
        self.edits[path] = edit
        self.errors[path] = error

    def values(self) -> dict[str, str]:
        """The texts, by field path."""
        return {path: edit.text() for path, edit in self.edits.items()}

    def set_error(self, path: str, text: str) -> None:
        """Show (or clear, with "") the problem under a field."""
        self.errors[path].setText(text)
        self.errors[path].setVisible(bool(text))
        self.edits[path].setStyleSheet(FIELD_ERROR_STYLE if text else "")

    def clear(self) -> None:
        """Empty every field and its problem."""
        for path, edit in self.edits.items():
            edit.clear()
            self.set_error(path, "")
