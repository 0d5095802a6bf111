"""The pages of the coordinator's mode, in the order they are shown beside the queue.

Each page is a QWidget built from the session's `ApiClient` and `TaskRunner`.
The main window calls, when a page has them:

* `refresh()` when the page is first shown and after every (re)login;
* `on_events(events: list[EventOut])` with every change-feed batch, so a
  page can update live without reloading on a timer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from desktop.api.client import ApiClient
from desktop.api.tasks import TaskRunner

PageFactory = Callable[[ApiClient, TaskRunner], QWidget]


@dataclass(frozen=True)
class CoordinatorPage:
    """One page of the coordinator's mode: a stable key, its Chinese tab title, how to build it."""

    key: str
    title: str
    factory: PageFactory


def coordinator_pages() -> tuple[CoordinatorPage, ...]:
    """Every page, in display order. Imported here, not at module level, so the clerk's desktop never loads them."""
    pages: list[CoordinatorPage] = []
    from desktop.coordinator.board import BoardPage

    pages.append(CoordinatorPage("board", "全市看板", BoardPage))
    from desktop.coordinator.pool import PoolPage

    pages.append(CoordinatorPage("pool", "分派设置", PoolPage))
    from desktop.coordinator.users import UsersPage

    pages.append(CoordinatorPage("users", "账号管理", lambda api, runner: UsersPage(api, runner)))
    from desktop.coordinator.statistics import StatisticsPage

    pages.append(CoordinatorPage("statistics", "统计报表", lambda api, runner: StatisticsPage(api, runner)))
    from desktop.coordinator.signals import SignalsPage

    pages.append(CoordinatorPage("signals", "预警", lambda api, runner: SignalsPage(api, runner)))
    return tuple(pages)
