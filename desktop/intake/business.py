"""The intake form's 车辆类别与业务 box: vehicle category, 新车/非新车投保 and the county of the case."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QWidget,
)

from common.catalog import Catalog
from common.enums import BusinessType, Role, VehicleCategory
from common.schemas.auth import StaffUserOut


class BusinessBox(QGroupBox):
    """What kind of case this is; `business_type_changed` when the clerk switches 新车/非新车投保."""

    business_type_changed = Signal()

    def __init__(self, catalog: Catalog, user: StaffUserOut | None, parent: QWidget | None = None) -> None:
        super().__init__("车辆类别与业务", parent)
        self.catalog = catalog
        self.user = user
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("category")
        for category in VehicleCategory:
            self.category_combo.addItem(category.label, category.value)
        self.new_radio = QRadioButton(BusinessType.NEW.label, self)
        self.renewal_radio = QRadioButton(BusinessType.RENEWAL.label, self)
        self.renewal_radio.setChecked(True)
        self.business_group = QButtonGroup(self)
        self.business_group.addButton(self.new_radio)
        self.business_group.addButton(self.renewal_radio)
        self.business_group.buttonToggled.connect(lambda _b, checked: checked and self._business_type_changed())
        self.business_hint = QLabel(self)
        self.business_hint.setWordWrap(True)
        self.business_hint.setStyleSheet("color: #555555;")
        self.county_combo = QComboBox(self)
        self.county_combo.setObjectName("county")
        for county in catalog.counties:
            self.county_combo.addItem(county.name, county.code)
        own_county = user.county_code if user else None
        if own_county:
            self.county_combo.setCurrentIndex(self.county_combo.findData(own_county))
            # A clerk takes cases for their own county only (the server says the same).
            self.county_combo.setEnabled(self._county_choosable())

        form = QFormLayout(self)
        form.addRow("车辆类别", self.category_combo)
        business_row = QHBoxLayout()
        business_row.addWidget(self.renewal_radio)
        business_row.addWidget(self.new_radio)
        business_row.addStretch(1)
        form.addRow("业务类型", business_row)
        form.addRow(self.business_hint)
        form.addRow("区县", self.county_combo)
        self._show_hint()

    @property
    def business_type(self) -> BusinessType:
        """新车投保 or 非新车投保."""
        return BusinessType.NEW if self.new_radio.isChecked() else BusinessType.RENEWAL

    @property
    def category(self) -> str:
        """The chosen vehicle category's value."""
        return self.category_combo.currentData()

    @property
    def county_code(self) -> str:
        """The chosen county's code."""
        return self.county_combo.currentData()

    def set_locked(self, locked: bool) -> None:
        """Freeze the choices (while sending, and once the case exists on the server)."""
        for widget in (self.category_combo, self.new_radio, self.renewal_radio):
            widget.setEnabled(not locked)
        self.county_combo.setEnabled(not locked and self._county_choosable())

    def _county_choosable(self) -> bool:
        return self.user is None or self.user.role != Role.CLERK.value

    def _show_hint(self) -> None:
        self.business_hint.setText(self.catalog.business_type_hints.get(self.business_type, ""))

    def _business_type_changed(self) -> None:
        self._show_hint()
        self.business_type_changed.emit()
