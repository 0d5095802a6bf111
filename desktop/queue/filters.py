"""The queue's tabs: which cases each one shows (pure Python; the proxy applies them)."""

from __future__ import annotations

from dataclasses import dataclass

from common.enums import OPEN_STATUSES, CaseStatus, Role


@dataclass(frozen=True)
class QueueFilter:
    """One tab of the queue. `statuses` None means any status; the flags narrow further."""

    key: str
    label: str
    statuses: frozenset[str] | None = None
    overdue: bool = False
    due_today: bool = False

    @property
    def count_key(self) -> str:
        """The key of this tab's number in `CaseQueueModel.counts()`."""
        return self.key


def _status(status: CaseStatus) -> QueueFilter:
    return QueueFilter(status.value, status.label, frozenset({status.value}))


ALL = QueueFilter("all", "全部")
OPEN = QueueFilter("open", "办理中", frozenset(s.value for s in OPEN_STATUSES))
OVERDUE = QueueFilter("overdue", "超时", overdue=True)
DUE_TODAY = QueueFilter("due_today", "今日到期", due_today=True)
UNASSIGNED = _status(CaseStatus.SUBMITTED)  # 待分派: the coordinator's queue of cases no window could take

_BY_STATUS = tuple(
    _status(s)
    for s in (
        CaseStatus.ASSIGNED,
        CaseStatus.REVIEWING,
        CaseStatus.SUPPLEMENT_REQUESTED,
        CaseStatus.ESCALATED,
        CaseStatus.AWAITING_PAYMENT,
        CaseStatus.PAID,
        CaseStatus.OFFLINE,
        CaseStatus.COMPLETED,
        CaseStatus.REJECTED,
        CaseStatus.CANCELLED,
    )
)

DEFAULT_FILTER_KEY = OPEN.key
"""What a clerk sees first: the work still to do."""


def filters_for(role: str | None) -> tuple[QueueFilter, ...]:
    """The tabs, in display order; the unassigned queue only for the coordinator, who can act on it."""
    head = (ALL, OPEN, OVERDUE, DUE_TODAY)
    if role == Role.COORDINATOR.value:
        return (*head, UNASSIGNED, *_BY_STATUS)
    return (*head, *_BY_STATUS)


def filter_by_key(key: str) -> QueueFilter | None:
    """The tab with `key` (as remembered in the settings), or None."""
    return next((f for f in filters_for(Role.COORDINATOR.value) if f.key == key), None)
