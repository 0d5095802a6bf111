"""The coordinator's mode of the main window: the queue and the coordinator's pages side by side as tabs.

For clerks and supervisors nothing changes: the queue panel sits alone in
the window, as before. When a coordinator logs in, the panel moves into a
tab widget as its first tab (申请列表), followed by `coordinator_pages()` in
their order; when someone else logs in on the same PC, the pages go away and
the panel is put back.

The page contract (desktop/coordinator/pages.py), as this shell keeps it:

* `refresh()` when a page is first shown after a login (or F5, or the
  feed's reset), and at once for the page on screen: pages nobody looks at
  fetch nothing;
* `on_events(events)` with every feed batch, once the page has been
  refreshed (until then it has nothing to keep up to date);
* a page with a `case_open_requested(int)` signal gets it connected to the
  main window's "open this case".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QBoxLayout, QTabWidget, QWidget

from common.enums import Role
from common.schemas.cases import EventOut
from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner
from desktop.coordinator.pages import coordinator_pages

QUEUE_TAB_TITLE = "申请列表"


class CoordinatorShell(QObject):
    """Installs and removes the coordinator's tabs around the queue panel in `layout`."""

    def __init__(
        self,
        api: ApiClient,
        runner: TaskRunner,
        *,
        layout: QBoxLayout,
        queue: QWidget,
        open_case: Callable[[int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._layout = layout
        self._queue = queue
        self._open_case = open_case
        self.tabs: QTabWidget | None = None
        self.pages: dict[str, QWidget] = {}
        self._stale: set[str] = set()

    @property
    def active(self) -> bool:
        """Whether the coordinator's tabs are on screen."""
        return self.tabs is not None

    def set_role(self, role: str | None) -> None:
        """After a login: tabs for a coordinator, the plain queue for everyone else."""
        if role == Role.COORDINATOR.value:
            self._install()
        else:
            self._remove()

    def reload(self) -> None:
        """Every page is out of date: refresh the one on screen now, the others when shown."""
        self._stale = set(self.pages)
        self._refresh_current()

    def on_events(self, events: list[EventOut]) -> None:
        """Hand a feed batch to every page that is loaded."""
        for key, page in self.pages.items():
            handler = getattr(page, "on_events", None)
            if key not in self._stale and handler is not None:
                handler(events)

    def page(self, key: str) -> QWidget | None:
        """The page with `key`, when the coordinator's tabs are on screen."""
        return self.pages.get(key)

    def show_page(self, key: str) -> bool:
        """Bring a page to the front (refreshing it if it is out of date); False when there is none."""
        page = self.pages.get(key)
        if page is None or self.tabs is None:
            return False
        self.tabs.setCurrentWidget(page)
        return True

    def show_queue(self) -> None:
        """Bring the queue to the front."""
        if self.tabs is not None:
            self.tabs.setCurrentWidget(self._queue)

    # ------------------------------------------------------------ internals ----

    def _install(self) -> None:
        if self.tabs is not None:
            return
        parent = self._queue.parentWidget()
        tabs = QTabWidget(parent)
        tabs.setObjectName("coordinatorTabs")
        tabs.setDocumentMode(True)
        self._layout.replaceWidget(self._queue, tabs)
        tabs.addTab(self._queue, QUEUE_TAB_TITLE)
        for spec in coordinator_pages():
            page = spec.factory(self._api, self._runner)
            page.setObjectName(f"coordinatorPage_{spec.key}")
            tabs.addTab(page, spec.title)
            self.pages[spec.key] = page
            opener: Any = getattr(page, "case_open_requested", None)
            if opener is not None:
                opener.connect(self._open_case)
        self.tabs = tabs
        self._stale = set(self.pages)
        tabs.currentChanged.connect(self._refresh_current)

    def _remove(self) -> None:
        tabs, self.tabs = self.tabs, None
        if tabs is None:
            return
        tabs.currentChanged.disconnect(self._refresh_current)
        tabs.removeTab(tabs.indexOf(self._queue))
        self._layout.replaceWidget(tabs, self._queue)
        self._queue.show()
        self.pages.clear()
        self._stale.clear()
        tabs.hide()
        tabs.deleteLater()  # and the pages with it

    def _refresh_current(self) -> None:
        if self.tabs is None:
            return
        current = self.tabs.currentWidget()
        for key, page in self.pages.items():
            if page is current and key in self._stale:
                self._stale.discard(key)
                refresh = getattr(page, "refresh", None)
                if refresh is not None:
                    refresh()
