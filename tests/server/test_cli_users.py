"""`no1window-server user add` and `user list`: staff accounts from the console, through the coordinator's service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from common.enums import Action, Role
from server.auth import console
from server.auth.staff_login import log_in_staff
from server.context import AppContext
from server.models import StaffUser
from server.stats.text import display_width
from tests.server import cli_support
from tests.server.accounts.support import events, stored_counts
from tests.server.cli_support import PASSWORD, Terminal, run
from tests.server.conftest import WORKING_MORNING
from tests.server.factories import make_staff

# The CLI's fixtures, made this module's own so pytest finds them.
cli_ctx, console_clock, data_dir, initialised = (
    cli_support.cli_ctx,
    cli_support.console_clock,
    cli_support.data_dir,
    cli_support.initialised,
)
pytestmark = pytest.mark.usefixtures("console_clock")

CLERK = [
    "--username",
    "picc_tinghu",
    "--role",
    "clerk",
    "--display-name",
    "王小明",
    "--member",
    "picc",
    "--county",
    "320902",
]


def add(capsys: pytest.CaptureFixture[str], *argv: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run(capsys, "user", "add", *argv, "--password-stdin", stdin=password + "\n")


def usernames(ctx: AppContext) -> list[str]:
    with ctx.db.read() as session:
        return sorted(session.exec(select(StaffUser.username)).all())


# --- user add -------------------------------------------------------------------


def test_user_add_creates_a_clerk_who_can_log_in_and_writes_one_event(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = add(capsys, *CLERK)

    assert (code, err) == (0, "")
    assert out == "已创建窗口经办账号 picc_tinghu(王小明,人保财险,亭湖区)。\n"
    with cli_ctx.db.write() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "picc_tinghu")).one()
        assert (user.role, user.member_code, user.county_code) == (
            "clerk",
            "picc",
            "320902",
        )
        assert PASSWORD not in user.password_hash
    login = log_in_staff(
        cli_ctx.db,
        username="picc_tinghu",
        password=PASSWORD,
        now=WORKING_MORNING,
        settings=cli_ctx.settings,
    )
    assert (login.user.member_name, login.user.county_name) == ("人保财险", "亭湖区")
    [event] = events(cli_ctx, Action.ADD_USER)
    assert (event.actor_role, event.actor_label) == ("system", "系统")
    assert (event.member_code, event.county_code) == (None, None)
    assert (event.payload["member_code"], event.payload["county_code"]) == (
        "picc",
        "320902",
    )
    assert event.payload["username"] == "picc_tinghu"
    assert PASSWORD not in str(event.payload)


def test_user_add_accepts_member_and_county_by_their_chinese_names(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = add(
        capsys,
        *["--username", "cpic_yandu", "--role", "clerk", "--display-name", "李娟"],
        *["--member", "太保财险", "--county", "盐都区"],
    )

    assert code == 0
    with cli_ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "cpic_yandu")).one()
    assert (user.member_code, user.county_code) == ("cpic", "320903")


def test_user_add_creates_a_coordinator_without_member_or_county(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = add(
        capsys,
        *["--username", "city_lead", "--role", "coordinator"],
        *["--display-name", "赵主任"],
    )

    assert code == 0, out
    assert out == "已创建市级协调员账号 city_lead(赵主任)。\n"
    with cli_ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "city_lead")).one()
    assert (user.role, user.member_code, user.county_code) == (
        Role.COORDINATOR.value,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "clerk", "--county", "320902"], "必须指定所属机构和区县"),
        (["--role", "supervisor"], "上级审批人员必须指定所属机构"),
        (
            ["--role", "supervisor", "--member", "picc", "--county", "320902"],
            "不要指定区县",
        ),
        (
            ["--role", "clerk", "--member", "acme", "--county", "320902"],
            "没有成员机构“acme”",
        ),
        (
            ["--role", "clerk", "--member", "picc", "--county", "320100"],
            "没有区县“320100”",
        ),
        (["--role", "coordinator", "--member", "picc"], "市级协调员不属于任何机构"),
        (["--role", "coordinator", "--username", "a b"], "用户名应为3至40位"),
        (["--role", "coordinator", "--username", "ab"], "用户名应为3至40位"),
        (["--role", "coordinator", "--display-name", "  "], "请填写姓名"),
        (["--role", "coordinator", "--display-name", "名" * 41], "姓名不能超过40个字"),
    ],
    ids=[
        "clerk-without-member",
        "supervisor-without-member",
        "supervisor-with-county",
        "unknown-member",
        "county-outside-yancheng",
        "coordinator-with-member",
        "username-with-a-space",
        "username-too-short",
        "blank-display-name",
        "display-name-too-long",
    ],
)
def test_user_add_refuses_bad_input_with_the_pages_message_and_creates_nobody(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    base = {"--username": "someone", "--display-name": "某人"}
    defaults = [x for flag, value in base.items() if flag not in argv for x in (flag, value)]

    code, out, err = add(capsys, *defaults, *argv)

    assert (code, out) == (1, "")
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1
    assert stored_counts(cli_ctx) == (0, 0)


def test_user_add_offers_only_staff_roles(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = add(capsys, "--username", "u_one", "--display-name", "某人", "--role", "admin")

    assert code == 2 and "invalid choice: 'admin'" in err
    assert "(choose from 'clerk', 'supervisor', 'coordinator')" in err
    assert stored_counts(cli_ctx) == (0, 0)


def test_user_add_refuses_a_short_password_and_a_taken_username(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = add(capsys, *CLERK, password="short12")
    assert (code, err) == (1, "error: 密码至少需要8位\n")

    assert add(capsys, *CLERK)[0] == 0
    code, _, err = add(capsys, *CLERK)
    assert (code, err) == (1, "error: 用户名“picc_tinghu”已存在\n")
    assert stored_counts(cli_ctx) == (1, 1)


def test_user_add_has_no_password_flag_and_needs_a_terminal_to_prompt(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["user", "add", "--username", "u_one", "--role", "coordinator"]
    base += ["--display-name", "某人"]
    code, _, err = run(capsys, *base, "--password", PASSWORD)
    assert code == 2 and "unrecognized arguments" in err

    code, _, err = run(capsys, *base, stdin="")  # not a terminal: no hidden prompt
    assert code == 1 and "--password-stdin" in err
    assert stored_counts(cli_ctx) == (0, 0)


def test_user_add_prompts_twice_and_refuses_different_passwords(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(console.getpass, "getpass", lambda prompt="": next(answers))
    base = ["user", "add", "--username", "u_two", "--role", "coordinator"]

    code, _, err = run(capsys, *base, "--display-name", "某人", stdin=Terminal())

    assert (code, err) == (1, "error: 两次输入的密码不一致,账号未创建\n")
    assert stored_counts(cli_ctx) == (0, 0)


def test_user_add_asks_for_no_password_when_the_rest_is_wrong(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(console.getpass, "getpass", lambda prompt="": pytest.fail("asked"))

    code, _, err = run(
        capsys,
        *["user", "add", "--username", "x", "--role", "coordinator"],
        *["--display-name", "某人"],
        stdin=Terminal(),
    )

    assert code == 1 and "用户名应为3至40位" in err


# --- user list ------------------------------------------------------------------


def test_user_list_shows_every_account_with_role_place_and_state(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    make_staff(
        cli_ctx,
        "city_lead",
        Role.COORDINATOR,
        member_code=None,
        county_code=None,
        display_name="赵主任",
    )
    make_staff(cli_ctx, "picc_tinghu", display_name="王小明")
    make_staff(
        cli_ctx,
        "cpic_sup",
        Role.SUPERVISOR,
        member_code="cpic",
        county_code=None,
        display_name="李娟",
    )
    gone = make_staff(cli_ctx, "picc_old", display_name="钱旧")
    locked = make_staff(cli_ctx, "picc_locked", display_name="孙锁")
    with cli_ctx.db.write() as session:
        for user_id, field, value in [
            (gone.id, "active", False),
            (locked.id, "locked_until", WORKING_MORNING + timedelta(minutes=15)),
        ]:
            user = session.get(StaffUser, user_id)
            setattr(user, field, value)
            session.add(user)

    code, out, err = run(capsys, "user", "list")

    assert (code, err) == (0, "")
    rows = [" ".join(line.split()) for line in out.splitlines()]
    assert rows == [
        "用户名 姓名 角色 机构 区县 状态",
        "city_lead 赵主任 市级协调员 - - 在用",
        "cpic_sup 李娟 上级审批 太保财险 - 在用",
        "picc_locked 孙锁 窗口经办 人保财险 亭湖区 锁定至 2026-03-10 10:15",
        "picc_old 钱旧 窗口经办 人保财险 亭湖区 已停用",
        "picc_tinghu 王小明 窗口经办 人保财险 亭湖区 在用",
        "",
        "共 5 个账号,在用 4 个。",
    ]
    # Aligned on a terminal, where a Chinese character takes two columns.
    header, first = out.splitlines()[:2]
    state_column = display_width(header[: header.index("状态")])
    assert display_width(first[: first.index("在用")]) == state_column


def test_user_list_filters_by_member_county_and_role(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    make_staff(cli_ctx, "picc_tinghu")
    make_staff(cli_ctx, "picc_yandu", county_code="320903")
    make_staff(cli_ctx, "cpic_tinghu", member_code="cpic")
    make_staff(cli_ctx, "picc_sup", Role.SUPERVISOR, county_code=None)

    def listed(*argv: str) -> list[str]:
        code, out, _ = run(capsys, "user", "list", *argv)
        assert code == 0
        return [line.split()[0] for line in out.splitlines()[1:-2]]

    assert listed("--member", "人保财险") == ["picc_sup", "picc_tinghu", "picc_yandu"]
    assert listed("--member", "picc", "--county", "盐都区") == ["picc_yandu"]
    assert listed("--role", "supervisor") == ["picc_sup"]
    code, out, _ = run(capsys, "user", "list", "--role", "coordinator")
    assert (code, out) == (0, "没有符合条件的账号。\n")
    code, _, err = run(capsys, "user", "list", "--county", "南京")
    assert code == 1 and "没有区县“南京”" in err
    assert usernames(cli_ctx) == [
        "cpic_tinghu",
        "picc_sup",
        "picc_tinghu",
        "picc_yandu",
    ]


def test_user_commands_need_an_initialised_database(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "user", "list")

    assert code == 1 and "no1window-server init" in err
