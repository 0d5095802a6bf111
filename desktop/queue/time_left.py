"""How the queue's 剩余时间 (time left) cell looks: colours by urgency, bold when overdue, the deadline as tooltip.

The text itself is the row's countdown (`QueueRow.time_text`); this is what
the model answers for the other roles of that one column.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from desktop.queue.rows import QueueRow, Urgency

FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
LOOK_ROLES = (FOREGROUND, BACKGROUND, FONT, TOOLTIP)
"""The roles whose answer changes with the countdown."""

# Text and background per urgency (readable on the light default palette).
COLOURS: dict[Urgency, tuple[QColor, QColor | None]] = {
    Urgency.PLENTY: (QColor("#1b5e20"), None),
    Urgency.SOON: (QColor("#7a4100"), QColor("#ffe7b3")),
    Urgency.OVERDUE: (QColor("#ffffff"), QColor("#c62828")),
    Urgency.PAUSED: (QColor("#616161"), None),
}


class TimeLeftLook:
    """The time-left cell's colours, font, tooltip and alignment for a row; the bold font is made on first use."""

    def __init__(self) -> None:
        self._bold: QFont | None = None

    def data(self, row: QueueRow, role: int) -> object:
        """What the cell answers for `role` (not the display text), or None."""
        if role == FOREGROUND or role == BACKGROUND:
            colours = COLOURS.get(row.urgency)
            if colours is None:
                return None
            return colours[0] if role == FOREGROUND else colours[1]
        if role == FONT and row.urgency is Urgency.OVERDUE:
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == TOOLTIP:
            return row.due_text()
        if role == ALIGNMENT:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        return None
