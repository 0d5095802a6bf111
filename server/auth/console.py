"""`no1window-server user …`: staff accounts from the central console (list, add, reset-password, deactivate, reactivate).

The console goes through the same service as the coordinator's 账号管理 page
(server/auth/accounts.py), acting as the system: the same checks, the same
rule that the last active coordinator stays, open sessions ended, one event
per change in the coordinator's change feed. Its messages are Chinese like the
page's; a refusal is one line on stderr, a non-zero exit and no change.

A password is never a command-line argument (it would stay in the shell
history and the process list): it is typed twice at a hidden prompt, or piped
in as the first line of stdin with --password-stdin.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, select

from common.catalog import load_catalog
from common.enums import STAFF_ROLES, Role
from common.schemas.users import (
    DisplayName,
    PasswordReset,
    StaffAccountCreate,
    StaffAccountOut,
    Username,
    scope_problem,
)
from server.actor import SYSTEM
from server.api.errors import validation_problems
from server.auth.accounts import (
    INACTIVE_NO_RESET,
    create_account,
    deactivate_account,
    list_accounts,
    reactivate_account,
    reset_password,
)
from server.clock import Clock, SystemClock, local
from server.db import Database
from server.errors import BadInput, Conflict, NotFound
from server.models import StaffUser
from server.stats.text import display_width

T = TypeVar("T")

# The console's time; tests put a fixed clock here.
clock: Clock = SystemClock()

_USERNAME: TypeAdapter[str] = TypeAdapter(Username)
_DISPLAY_NAME: TypeAdapter[str] = TypeAdapter(DisplayName)
_NEW_ACCOUNT = TypeAdapter(StaffAccountCreate)
_RESET = TypeAdapter(PasswordReset)
ROLE_CHOICES = [r.value for r in Role if r in STAFF_ROLES]
NONE = "-"


def add_user_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """The `user` command and its actions; each action's function is the parsed `user_action`."""
    user = commands.add_parser("user", help="staff accounts")
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every staff account, active or not")
    _place_options(listing)
    listing.add_argument("--role", choices=ROLE_CHOICES)
    listing.set_defaults(user_action=list_users)

    add = actions.add_parser("add", help="create a clerk, supervisor or coordinator")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLE_CHOICES)
    add.add_argument("--display-name", required=True, help="the name colleagues see, e.g. 王小明")
    _place_options(add)
    _password_option(add)
    add.set_defaults(user_action=add_user)

    reset = actions.add_parser("reset-password", help="set a new password; the account's open sessions end")
    reset.add_argument("username", metavar="USERNAME")
    _password_option(reset)
    reset.set_defaults(user_action=reset_user_password)

    deactivate = actions.add_parser(
        "deactivate",
        help="stop an account from logging in (never the last active coordinator)",
    )
    deactivate.add_argument("username", metavar="USERNAME")
    deactivate.set_defaults(user_action=deactivate_user)

    reactivate = actions.add_parser(
        "reactivate",
        help="let a deactivated account log in again with its old password",
    )
    reactivate.add_argument("username", metavar="USERNAME")
    reactivate.set_defaults(user_action=reactivate_user)
    return user


# -------------------------------------------------------------------- actions


def list_users(args: argparse.Namespace, database: Database) -> int:
    """Print the accounts (filtered by member, county and role) as a table."""
    member, county = _member(args.member), _county(args.county)
    role = Role(args.role) if args.role else None
    with database.read() as session:
        accounts = list_accounts(session, member_code=member, county_code=county, role=role)
    for line in account_lines(accounts, now=clock.now()):
        print(line)
    return 0


def add_user(args: argparse.Namespace, database: Database) -> int:
    """Create an account with the same checks as the coordinator's page; one ADD_USER event."""
    role = Role(args.role)
    member, county = _member(args.member), _county(args.county)
    # Everything but the password is checked before the password is asked for.
    username = _valid(_USERNAME, args.username)
    display_name = _valid(_DISPLAY_NAME, args.display_name)
    problem = scope_problem(role, member, county)
    if problem:
        raise BadInput(problem)
    password = read_password(args.password_stdin, unchanged="账号未创建")
    request = _valid(
        _NEW_ACCOUNT,
        {
            "username": username,
            "display_name": display_name,
            "role": role,
            "member_code": member,
            "county_code": county,
            "password": password,
        },
    )
    with database.write() as session:
        account = create_account(session, SYSTEM, request, now=clock.now())
    print(f"已创建{account.role_label}账号 {account.username}({_who(account)})。")
    return 0


def reset_user_password(args: argparse.Namespace, database: Database) -> int:
    """Give the account a new password (its lockout cleared, its open sessions ended); one event."""
    with database.read() as session:
        user_id, active = _find(session, args.username)
    if not active:
        raise Conflict(INACTIVE_NO_RESET)
    password = read_password(args.password_stdin, unchanged="密码未更改")
    reset = _valid(_RESET, {"password": password})
    with database.write() as session:
        account = reset_password(session, SYSTEM, user_id, reset.password, now=clock.now())
    print(f"已重置{account.role_label}账号 {account.username}({_who(account)})的密码,该账号已登录的会话全部结束。")
    return 0


def deactivate_user(args: argparse.Namespace, database: Database) -> int:
    """Stop the account from logging in and end its sessions; refused for the last active coordinator."""
    with database.write() as session:
        user_id, active = _find(session, args.username)
        account = deactivate_account(session, SYSTEM, user_id, now=clock.now()) if active else None
    if account is None:
        print(f"账号 {args.username} 已经停用,未作更改。")
    else:
        print(f"已停用{account.role_label}账号 {account.username}({_who(account)}),该账号已登录的会话全部结束。")
    return 0


def reactivate_user(args: argparse.Namespace, database: Database) -> int:
    """Let a deactivated account log in again with its old password; one event, none when already active."""
    with database.write() as session:
        user_id, active = _find(session, args.username)
        account = None if active else reactivate_account(session, SYSTEM, user_id, now=clock.now())
    if account is None:
        print(f"账号 {args.username} 已经在用,未作更改。")
    else:
        print(f"已启用{account.role_label}账号 {account.username}({_who(account)}),该账号可用原密码重新登录。")
    return 0


# ------------------------------------------------------------------- helpers


def account_lines(accounts: Sequence[StaffAccountOut], *, now: datetime) -> list[str]:
    """The accounts as a table (Chinese headers, columns aligned on a terminal) and a count."""
    if not accounts:
        return ["没有符合条件的账号。"]
    header = ["用户名", "姓名", "角色", "机构", "区县", "状态"]
    rows = [
        [
            a.username,
            a.display_name,
            a.role_label,
            a.member_name or NONE,
            a.county_name or NONE,
            account_state(a, now=now),
        ]
        for a in accounts
    ]
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    active = sum(a.active for a in accounts)
    return [*lines, "", f"共 {len(accounts)} 个账号,在用 {active} 个。"]


def account_state(account: StaffAccountOut, *, now: datetime) -> str:
    """在用, 已停用, or until when too many wrong passwords keep it locked (local time)."""
    if not account.active:
        return "已停用"
    if account.locked_until is not None and account.locked_until > now:
        return f"锁定至 {local(account.locked_until):%Y-%m-%d %H:%M}"
    return "在用"


def read_password(from_stdin: bool, *, unchanged: str) -> str:
    """A new password: the first line piped on stdin, or typed twice at a hidden prompt.

    `unchanged` says what did not happen when the two typed passwords differ.
    """
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadInput("没有可以输入密码的终端:请用 --password-stdin 从标准输入传入密码")
    password = getpass.getpass("新密码:")
    if getpass.getpass("再次输入新密码:") != password:
        raise BadInput(f"两次输入的密码不一致,{unchanged}")
    return password


def _valid(adapter: TypeAdapter[T], value: object) -> T:
    # The schema's own Chinese message; never pydantic's text, which repeats the input (a password).
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        problems = validation_problems(list(exc.errors()))
        raise BadInput(problems[0]["message"] if problems else "填写内容不正确") from None


def _find(session: Session, username: str) -> tuple[int, bool]:
    # Only the columns: the service locks and reads the row itself.
    found = session.exec(select(StaffUser.id, StaffUser.active).where(StaffUser.username == username.strip())).first()
    if found is None or found[0] is None:
        raise NotFound(f"没有用户名为“{username}”的账号")
    return found[0], found[1]


def _member(value: str | None) -> str | None:
    """A member code from its code, short name or full name."""
    if value is None:
        return None
    members = load_catalog().members
    for member in members:
        if value.strip().lower() in (member.code, member.short, member.name):
            return member.code
    known = "、".join(f"{m.code}({m.short})" for m in members)
    raise BadInput(f"没有成员机构“{value}”,可选:{known}")


def _county(value: str | None) -> str | None:
    """A county code from its code or its name."""
    if value is None:
        return None
    counties = load_catalog().counties
    for county in counties:
        if value.strip() in (county.code, county.name):
            return county.code
    known = "、".join(f"{c.code}({c.name})" for c in counties)
    raise BadInput(f"没有区县“{value}”,可选:{known}")


def _who(account: StaffAccountOut) -> str:
    return ",".join(x for x in (account.display_name, account.member_name, account.county_name) if x)


def _place_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--member", help="pool member code or short name, e.g. picc or 人保财险")
    parser.add_argument("--county", help="county code or name, e.g. 320902 or 亭湖区")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (else: prompt twice)",
    )
