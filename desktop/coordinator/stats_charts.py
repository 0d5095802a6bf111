"""A statistics chart drawn with QtCharts: horizontal bars for named groups, a line over months.

Horizontal bars because the groups have long Chinese names (摩托车(含电动摩托车),
中国人民财产保险…): on the left axis they stay readable, where a vertical bar
chart would have to tilt or cut them. The value axis counts vehicles, so its
ticks are whole numbers chosen here (QValueAxis would happily print 0.5 台).
"""

from __future__ import annotations

import math
from typing import TypeVar

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.coordinator.stats_views import ChartData, ChartKind

BAR_COLOUR = QColor("#1565c0")
LABEL_COLOUR = QColor("#212121")
MAX_TICKS = 5

_T = TypeVar("_T")


def count_axis_range(top: int) -> tuple[int, int]:
    """(maximum, tick interval) for a count axis that reaches `top`: whole-number ticks, at most MAX_TICKS steps."""
    if top <= 0:
        return 1, 1
    rough = top / MAX_TICKS
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return math.ceil(top / step) * step, max(1, int(step))


class CountChart(QChartView):
    """One `ChartData` on screen; `labels()` and `values()` read back what the chart itself holds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        chart = QChart()
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 12, 4))
        chart.setBackgroundRoundness(0)
        self.setChart(chart)
        self._data: ChartData | None = None

    @property
    def shown(self) -> ChartData | None:
        """What is shown, as given."""
        return self._data

    def show_data(self, data: ChartData) -> None:
        """Replace whatever was drawn by `data`."""
        self._data = data
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(data.title)
        if data.kind is ChartKind.LINE:
            self._show_line(chart, data)
        else:
            self._show_bars(chart, data)

    def clear(self) -> None:
        """Draw nothing (no report yet)."""
        self._data = None
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle("")

    def labels(self) -> list[str]:
        """The category axis' labels, in the data's order (first group on top, first month on the left)."""
        for axis in self.chart().axes():
            if isinstance(axis, QBarCategoryAxis):
                return self._in_data_order(list(axis.categories()))
        return []

    def values(self) -> list[float]:
        """The values the series holds, in the data's order."""
        for series in self.chart().series():
            if isinstance(series, QAbstractBarSeries):
                [bar_set] = series.barSets()
                return self._in_data_order([bar_set.at(i) for i in range(bar_set.count())])
            if isinstance(series, QLineSeries):
                return [point.y() for point in series.points()]
        return []

    def _in_data_order(self, items: list[_T]) -> list[_T]:
        bars = self._data is not None and self._data.kind is ChartKind.BAR
        return items[::-1] if bars else items

    def _show_bars(self, chart: QChart, data: ChartData) -> None:
        # A horizontal bar chart draws its first group at the bottom; the table lists it on top, so
        # the groups go in reversed (the axis' own `reverse` property is ignored by bar series).
        bars = QBarSet("承保车辆")
        bars.setColor(BAR_COLOUR)
        bars.setLabelColor(LABEL_COLOUR)
        bars.append([float(v) for v in reversed(data.values)])
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        groups = QBarCategoryAxis()
        groups.append(list(reversed(data.labels)))
        chart.addAxis(groups, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(groups)
        counts = self._count_axis(data)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(counts)

    def _show_line(self, chart: QChart, data: ChartData) -> None:
        series = QLineSeries()
        series.setPen(QPen(BAR_COLOUR, 2))
        series.setPointsVisible(True)
        series.setPointLabelsVisible(True)
        series.setPointLabelsFormat("@yPoint")
        series.setPointLabelsClipping(False)
        series.setPointLabelsColor(LABEL_COLOUR)
        series.append([QPointF(i, float(v)) for i, v in enumerate(data.values)])
        chart.addSeries(series)
        months = QBarCategoryAxis()
        months.append(list(data.labels))
        chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(months)
        counts = self._count_axis(data)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(counts)

    @staticmethod
    def _count_axis(data: ChartData) -> QValueAxis:
        # Headroom above the largest value so its label fits inside the plot.
        top, step = count_axis_range(math.ceil(max(data.values, default=0) * 1.1))
        axis = QValueAxis()
        axis.setRange(0, top)
        axis.setTickType(QValueAxis.TickType.TicksDynamic)
        axis.setTickAnchor(0)
        axis.setTickInterval(step)
        axis.setLabelFormat("%d")
        return axis
