"""Loading the clerk's whole queue, page by page, without blocking the window.

The server pages its list (at most 200 a page, earliest deadline first), so
the loader asks for open cases first and finished ones after: the work to do
shows up within the first request, the history fills in behind it. Each
page is a retried background read; each arrives as `page_loaded` for the
model to merge. `finished` carries every id seen, so the caller can drop the
rows that are gone (`CaseQueueModel.retain`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from common.enums import FINISHED_STATUSES, OPEN_STATUSES
from common.schemas.cases import QueuePage
from desktop.api.client import ApiClient
from desktop.api.tasks import Task, TaskRunner

QUEUE_PATH = "/staff/cases"
PAGE_SIZE = 200  # the server's maximum
# Open work first, then history; drafts are the citizen's, never the window's.
PASSES: tuple[tuple[str, ...], ...] = (
    tuple(sorted(s.value for s in OPEN_STATUSES)),
    tuple(sorted(s.value for s in FINISHED_STATUSES)),
)


class QueueLoader(QObject):
    """Fetches every case in the clerk's scope; `start()` again to reload (an ongoing load is dropped)."""

    page_loaded = Signal(list)
    """A page of `CaseSummary` rows."""
    progress = Signal(int, int)
    """(cases loaded so far, cases expected so far): for the status bar."""
    finished = Signal(object)
    """The load is complete: the set of every case id seen."""
    failed = Signal(object)
    """A page could not be loaded (not a network outage: those are retried); carries the exception."""

    def __init__(
        self, api: ApiClient, runner: TaskRunner, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._page_size = page_size
        self._task: Task | None = None
        self._seen: set[int] = set()
        self._pass = 0
        self._loaded = 0
        self._expected = 0

    @property
    def loading(self) -> bool:
        """Whether a load is under way."""
        return self._task is not None

    def start(self) -> None:
        """Load from the first page (dropping a load in progress)."""
        self.cancel()
        self._seen = set()
        self._pass = 0
        self._loaded = 0
        self._expected = 0
        self._fetch(1)

    def cancel(self) -> None:
        """Stop loading; nothing more is emitted for the current load."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _fetch(self, page: int) -> None:
        params = {"status": list(PASSES[self._pass]), "page": page, "page_size": self._page_size}

        def read() -> QueuePage:
            return QueuePage.model_validate(self._api.get_json(QUEUE_PATH, params))

        self._task = self._runner.run(
            read, on_done=lambda result: self._on_page(page, result), on_error=self._on_error, retry=True, context=self
        )

    def _on_page(self, page: int, result: QueuePage) -> None:
        if page == 1:
            self._expected += result.total
        self._seen.update(case.id for case in result.items)
        self._loaded += len(result.items)
        if result.items:
            self.page_loaded.emit(result.items)
        self.progress.emit(self._loaded, max(self._expected, self._loaded))
        if result.items and page * result.page_size < result.total:
            self._fetch(page + 1)
        elif self._pass + 1 < len(PASSES):
            self._pass += 1
            self._fetch(1)
        else:
            self._task = None
            self.finished.emit(set(self._seen))

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.failed.emit(exc)
