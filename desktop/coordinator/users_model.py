"""The staff accounts of the coordinator's 账号管理 page as a Qt table model; inactive accounts greyed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from common.schemas.users import StaffAccountOut
from desktop.coordinator.table_model import DISPLAY, FOREGROUND, TOOLTIP, RowsTableModel
from desktop.queue.rows import LOCAL_ZONE

INACTIVE_COLOUR = QColor("#9e9e9e")
LOCKED_COLOUR = QColor("#c62828")


class AccountColumn(IntEnum):
    USERNAME = 0
    DISPLAY_NAME = 1
    ROLE = 2
    MEMBER = 3
    COUNTY = 4
    STATE = 5
    CREATED = 6


COLUMN_TITLES = {
    AccountColumn.USERNAME: "用户名",
    AccountColumn.DISPLAY_NAME: "姓名",
    AccountColumn.ROLE: "角色",
    AccountColumn.MEMBER: "所属机构",
    AccountColumn.COUNTY: "区县",
    AccountColumn.STATE: "状态",
    AccountColumn.CREATED: "创建时间",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def is_locked(account: StaffAccountOut, now: datetime) -> bool:
    """Locked out by wrong passwords right now (a reset password unlocks it)."""
    return account.active and account.locked_until is not None and account.locked_until > now


def state_text(account: StaffAccountOut, now: datetime) -> str:
    """在用, 已停用, or 已锁定(至 HH:MM) for an account locked by wrong passwords."""
    if not account.active:
        return "已停用"
    if is_locked(account, now):
        assert account.locked_until is not None
        return f"已锁定(至 {account.locked_until.astimezone(LOCAL_ZONE):%H:%M})"
    return "在用"


class AccountModel(RowsTableModel[StaffAccountOut]):
    """`StaffAccountOut` rows in the server's order (coordinators, then by member, county, username).

    The list is small (a few hundred accounts at most) and comes whole from
    the server, so `set_accounts` replaces it in one reset.
    """

    AccountRole = int(Qt.ItemDataRole.UserRole) + 1
    """data(index, AccountRole) → the row's `StaffAccountOut`, on every column."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(tuple(COLUMN_TITLES[c] for c in AccountColumn), parent)
        self._now = now

    @property
    def accounts(self) -> list[StaffAccountOut]:
        """The rows, in order."""
        return self.rows

    def set_accounts(self, accounts: list[StaffAccountOut]) -> None:
        """Show these accounts instead of the previous ones."""
        self.set_rows(accounts)

    def row_of(self, user_id: int) -> int:
        """The row of an account, or -1."""
        for row, account in enumerate(self._rows):
            if account.id == user_id:
                return row
        return -1

    def cell(self, row: StaffAccountOut, column: int, role: int) -> object:
        """The account's texts; inactive accounts grey, a locked one's state red."""
        account_column = AccountColumn(column)
        if role == DISPLAY:
            return self._text(row, account_column)
        if role == self.AccountRole:
            return row
        if role == FOREGROUND:
            if not row.active:
                return INACTIVE_COLOUR
            if account_column is AccountColumn.STATE and is_locked(row, self._now()):
                return LOCKED_COLOUR
            return None
        if role == TOOLTIP and not row.active:
            return "该账号已停用,不能登录"
        return None

    def _text(self, account: StaffAccountOut, column: AccountColumn) -> str:
        if column is AccountColumn.USERNAME:
            return account.username
        if column is AccountColumn.DISPLAY_NAME:
            return account.display_name
        if column is AccountColumn.ROLE:
            return account.role_label
        if column is AccountColumn.MEMBER:
            return account.member_name or "—"
        if column is AccountColumn.COUNTY:
            # A supervisor covers every county of the member; a coordinator the whole city.
            if account.county_name:
                return account.county_name
            return "全部区县" if account.member_code else "全市"
        if column is AccountColumn.STATE:
            return state_text(account, self._now())
        return f"{account.created_at.astimezone(LOCAL_ZONE):%Y-%m-%d %H:%M}"
