"""`no1window-server user add`: staff accounts from the console, never with a password on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from common.enums import Role
from server import cli
from server.auth.staff_login import log_in_staff
from server.context import AppContext
from server.models import StaffUser
from tests.server.cli_support import PASSWORD, Terminal, cli_ctx, data_dir, initialised, run  # noqa: F401 - fixtures
from tests.server.conftest import WORKING_MORNING


def add_clerk(capsys: pytest.CaptureFixture[str], *extra: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run(
        capsys,
        "user",
        "add",
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
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def test_user_add_creates_a_clerk_who_can_log_in(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = add_clerk(capsys)

    assert code == 0
    assert "Created clerk picc_tinghu (王小明), 人保财险 亭湖区" in out
    with cli_ctx.db.write() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "picc_tinghu")).one()
        assert (user.role, user.member_code, user.county_code) == ("clerk", "picc", "320902")
        assert PASSWORD not in user.password_hash
        login = log_in_staff(
            session, username="picc_tinghu", password=PASSWORD, now=WORKING_MORNING, settings=cli_ctx.settings
        )
    assert (login.user.username, login.user.member_name, login.user.county_name) == (
        "picc_tinghu",
        "人保财险",
        "亭湖区",
    )
    assert login.token


def test_user_add_accepts_member_and_county_by_their_chinese_names(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(
        capsys,
        "user",
        "add",
        "--username",
        "cpic_yandu",
        "--role",
        "clerk",
        "--display-name",
        "李娟",
        "--member",
        "太保财险",
        "--county",
        "盐都区",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert code == 0
    with cli_ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "cpic_yandu")).one()
    assert (user.member_code, user.county_code) == ("cpic", "320903")


def test_user_add_creates_a_coordinator_without_member_or_county(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "user",
        "add",
        "--username",
        "city_lead",
        "--role",
        "coordinator",
        "--display-name",
        "赵主任",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert code == 0, out
    with cli_ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "city_lead")).one()
    assert (user.role, user.member_code, user.county_code) == (Role.COORDINATOR.value, None, None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "admin", "--member", "picc", "--county", "320902"], "invalid choice: 'admin'"),
        (["--role", "clerk", "--county", "320902"], "必须指定所属机构"),
        (["--role", "supervisor"], "必须指定所属机构"),
        (["--role", "clerk", "--member", "acme", "--county", "320902"], "unknown member 'acme'"),
        (["--role", "clerk", "--member", "picc", "--county", "320100"], "unknown county '320100'"),
        (["--role", "coordinator", "--member", "picc"], "a coordinator belongs to no member"),
    ],
    ids=[
        "bad-role",
        "clerk-without-member",
        "supervisor-without-member",
        "unknown-member",
        "county-outside-yancheng",
        "coordinator-with-member",
    ],
)
def test_user_add_refuses_bad_input_and_creates_nobody(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(
        capsys,
        "user",
        "add",
        "--username",
        "someone",
        "--display-name",
        "某人",
        "--password-stdin",
        *argv,
        stdin=PASSWORD + "\n",
    )

    assert code != 0
    assert message in err
    with cli_ctx.db.read() as session:
        assert session.exec(select(StaffUser)).all() == []


def test_user_add_refuses_a_short_password_and_a_taken_username(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = add_clerk(capsys, password="short")
    assert (code, "密码至少需要8位" in err) == (1, True)

    assert add_clerk(capsys)[0] == 0
    code, _, err = add_clerk(capsys)
    assert code == 1
    assert "已存在" in err
    with cli_ctx.db.read() as session:
        assert len(session.exec(select(StaffUser)).all()) == 1


def test_user_add_has_no_password_flag_and_needs_a_terminal_to_prompt(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["user", "add", "--username", "u_one", "--role", "coordinator", "--display-name", "某人"]
    code, _, err = run(capsys, *base, "--password", PASSWORD)
    assert code == 2 and "unrecognized arguments" in err

    code, _, err = run(capsys, *base, stdin="")  # not a terminal: no hidden prompt possible
    assert code == 1 and "--password-stdin" in err


def test_user_add_prompts_twice_and_refuses_different_passwords(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))

    code, _, err = run(
        capsys,
        "user",
        "add",
        "--username",
        "u_two",
        "--role",
        "coordinator",
        "--display-name",
        "某人",
        stdin=Terminal(),
    )

    assert code == 1 and "differ" in err
    with cli_ctx.db.read() as session:
        assert session.exec(select(StaffUser)).all() == []
