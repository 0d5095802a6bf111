"""The queue with 50,000 rows gives the right answers for every tab, search and update.

Its speed (first rows painted < 1 s, a filter < 200 ms) is measured in
`bench/`, not here: timed assertions belong to benchmarks.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import QTableView

from common.enums import CaseStatus
from common.schemas.cases import CaseSummary
from desktop.queue.filters import OPEN, OVERDUE
from desktop.queue.model import CaseQueueModel
from desktop.queue.proxy import CaseFilterProxy
from tests.desktop.summaries import ManualClock, summary

ROWS = 50_000
TEMPLATES = 500


def many_cases() -> list[CaseSummary]:
    rng = random.Random(7)
    statuses = [s for s in CaseStatus if s is not CaseStatus.DRAFT]
    templates = [
        summary(i, status=rng.choice(statuses), due_in=timedelta(minutes=rng.randint(-600, 3000)))
        for i in range(1, TEMPLATES + 1)
    ]
    # Copies with fresh ids: validating 50,000 models would dominate the test's own time.
    return [t.model_copy(update={"id": n * TEMPLATES + t.id}) for n in range(ROWS // TEMPLATES) for t in templates]


def test_fifty_thousand_rows_load_filter_search_and_update_correctly(qtbot: Any) -> None:
    cases = many_cases()
    model = CaseQueueModel(now=ManualClock(), countdown_ms=0)
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.show()

    model.merge(cases)
    assert proxy.rowCount() == ROWS
    open_count = sum(1 for c in cases if CaseStatus(c.status).is_open)
    proxy.set_filter(OPEN)
    assert proxy.rowCount() == open_count
    proxy.set_filter(OVERDUE)
    assert proxy.rowCount() == model.counts()["overdue"]
    proxy.set_search_text("王建国")
    assert proxy.rowCount() > 0
    assert all("王建国" == proxy.index(r, 3).data() for r in range(proxy.rowCount()))
    model.tick()
    model.upsert(summary(ROWS * 10))
    assert model.rowCount() == ROWS + 1
