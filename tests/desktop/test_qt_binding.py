"""The Qt binding the desktop runs on keeps Python's reference counts straight.

PySide6 6.12.0 dropped a reference to True on every signal emit; on Python
3.11 that aborts the process after enough emits (the queue's countdown emits
many a second). pyproject.toml excludes that release; this guards the pin.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Ticker(QObject):
    ticked = Signal(int)


def test_emitting_signals_leaves_the_reference_count_of_true_unchanged() -> None:
    ticker = _Ticker()
    received: list[int] = []
    ticker.ticked.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(2000):
        ticker.ticked.emit(n)
    assert len(received) == 2000
    # Other objects may take or drop a reference meanwhile; the broken release lost one per emit.
    assert abs(sys.getrefcount(True) - before) < 100
