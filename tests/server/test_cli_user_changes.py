"""`no1window-server user reset-password`, `user deactivate`, `user reactivate`: the coordinator's rules hold too."""

from __future__ import annotations

import logging

import pytest

from common.enums import Action, Role
from server.auth import console
from server.auth.accounts import LAST_COORDINATOR
from server.auth.staff_login import log_in_staff
from server.context import AppContext
from server.errors import NotAuthenticated
from server.models import StaffUser
from tests.server import cli_support
from tests.server.accounts.support import (
    NEW_PASSWORD,
    events,
    open_token,
    stored,
    stored_counts,
    token_works,
)
from tests.server.cli_support import PASSWORD, Terminal, run
from tests.server.factories import make_staff

# The CLI's fixtures, made this module's own so pytest finds them.
cli_ctx, console_clock, data_dir, initialised = (
    cli_support.cli_ctx,
    cli_support.console_clock,
    cli_support.data_dir,
    cli_support.initialised,
)
pytestmark = pytest.mark.usefixtures("console_clock")


@pytest.fixture
def clerk(cli_ctx: AppContext) -> StaffUser:
    """王小明, clerk of 人保财险 in 亭湖区, password PASSWORD."""
    return make_staff(cli_ctx, "picc_tinghu", display_name="王小明")


def coordinator(ctx: AppContext, username: str) -> StaffUser:
    return make_staff(ctx, username, Role.COORDINATOR, member_code=None, county_code=None)


def reset(capsys: pytest.CaptureFixture[str], username: str, password: str = NEW_PASSWORD) -> tuple[int, str, str]:
    return run(
        capsys,
        *["user", "reset-password", username, "--password-stdin"],
        stdin=password + "\n",
    )


def logs_in(ctx: AppContext, username: str, password: str) -> bool:
    try:
        log_in_staff(
            ctx.db,
            username=username,
            password=password,
            now=ctx.clock.now(),
            settings=ctx.settings,
        )
    except NotAuthenticated:
        return False
    return True


# --- user reset-password ----------------------------------------------------------


def test_reset_password_sets_the_new_one_ends_sessions_and_writes_one_event(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    raw = open_token(cli_ctx, clerk.id or 0)

    code, out, err = reset(capsys, "picc_tinghu")

    assert (code, err) == (0, "")
    assert out == ("已重置窗口经办账号 picc_tinghu(王小明,人保财险,亭湖区)的密码,该账号已登录的会话全部结束。\n")
    assert not token_works(cli_ctx, raw)
    assert logs_in(cli_ctx, "picc_tinghu", NEW_PASSWORD)
    assert not logs_in(cli_ctx, "picc_tinghu", PASSWORD)
    [event] = events(cli_ctx, Action.RESET_PASSWORD)
    assert (event.actor_label, event.payload["username"]) == ("系统", "picc_tinghu")


def test_reset_password_prompts_twice_and_changes_nothing_when_they_differ(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clerk: StaffUser,
) -> None:
    answers = iter([NEW_PASSWORD, NEW_PASSWORD + "x", NEW_PASSWORD, NEW_PASSWORD])
    monkeypatch.setattr(console.getpass, "getpass", lambda prompt="": next(answers))
    argv = ["user", "reset-password", "picc_tinghu"]

    code, _, err = run(capsys, *argv, stdin=Terminal())

    assert (code, err) == (1, "error: 两次输入的密码不一致,密码未更改\n")
    assert logs_in(cli_ctx, "picc_tinghu", PASSWORD)
    assert events(cli_ctx, Action.RESET_PASSWORD) == []

    assert run(capsys, *argv, stdin=Terminal())[0] == 0
    assert logs_in(cli_ctx, "picc_tinghu", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "密码至少需要8位"),
        ("short12", "密码至少需要8位"),
        (" " * 9, "密码不能全是空格"),
    ],
    ids=["empty", "short", "blank"],
)
def test_reset_password_refuses_what_the_page_refuses(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    clerk: StaffUser,
    password: str,
    message: str,
) -> None:
    code, _, err = reset(capsys, "picc_tinghu", password)

    assert (code, err) == (1, f"error: {message}\n")
    assert logs_in(cli_ctx, "picc_tinghu", PASSWORD)
    assert stored_counts(cli_ctx) == (1, 0)


def test_reset_password_names_an_unknown_or_inactive_account_before_asking(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clerk: StaffUser,
) -> None:
    monkeypatch.setattr(console.getpass, "getpass", lambda prompt="": pytest.fail("asked"))
    argv = ["user", "reset-password"]

    code, _, err = run(capsys, *argv, "picc_tinhgu", stdin=Terminal())
    assert (code, err) == (1, "error: 没有用户名为“picc_tinhgu”的账号\n")

    assert run(capsys, "user", "deactivate", "picc_tinghu")[0] == 0
    code, _, err = run(capsys, *argv, "picc_tinghu", stdin=Terminal())
    assert (code, err) == (1, "error: 该账号已停用,不能重置密码\n")
    assert events(cli_ctx, Action.RESET_PASSWORD) == []


# --- user deactivate --------------------------------------------------------------


def test_deactivate_stops_logins_ends_sessions_and_writes_one_event(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    raw = open_token(cli_ctx, clerk.id or 0)

    code, out, err = run(capsys, "user", "deactivate", "picc_tinghu")

    assert (code, err) == (0, "")
    assert out == ("已停用窗口经办账号 picc_tinghu(王小明,人保财险,亭湖区),该账号已登录的会话全部结束。\n")
    assert stored(cli_ctx, clerk.id or 0).active is False
    assert not token_works(cli_ctx, raw)
    assert not logs_in(cli_ctx, "picc_tinghu", PASSWORD)
    [event] = events(cli_ctx, Action.DEACTIVATE_USER)
    assert (event.actor_role, event.member_code, event.county_code) == (
        "system",
        None,
        None,
    )
    assert event.payload["county_code"] == "320902"

    code, out, _ = run(capsys, "user", "deactivate", "picc_tinghu")
    assert (code, out) == (0, "账号 picc_tinghu 已经停用,未作更改。\n")
    assert len(events(cli_ctx, Action.DEACTIVATE_USER)) == 1


def test_the_last_active_coordinator_cannot_be_deactivated_from_the_console(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = coordinator(cli_ctx, "city_a"), coordinator(cli_ctx, "city_b")
    raw = open_token(cli_ctx, second.id or 0)

    assert run(capsys, "user", "deactivate", "city_a")[0] == 0
    code, out, err = run(capsys, "user", "deactivate", "city_b")

    assert (code, out, err) == (1, "", f"error: {LAST_COORDINATOR}\n")
    assert stored(cli_ctx, second.id or 0).active is True
    assert token_works(cli_ctx, raw)
    assert logs_in(cli_ctx, "city_b", PASSWORD)
    [event] = events(cli_ctx, Action.DEACTIVATE_USER)
    assert event.payload["user_id"] == first.id


def test_deactivate_names_an_unknown_account(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    code, out, err = run(capsys, "user", "deactivate", "nobody")

    assert (code, out, err) == (1, "", "error: 没有用户名为“nobody”的账号\n")
    assert stored_counts(cli_ctx) == (1, 0)


def test_user_deactivate_takes_exactly_one_username(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    assert run(capsys, "user", "deactivate")[0] == 2
    assert run(capsys, "user", "deactivate", "picc_tinghu", "city_a")[0] == 2
    assert stored(cli_ctx, clerk.id or 0).active is True


# --- user reactivate --------------------------------------------------------------


def test_reactivate_lets_the_old_password_log_in_again_and_writes_one_event(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    assert run(capsys, "user", "deactivate", "picc_tinghu")[0] == 0

    code, out, err = run(capsys, "user", "reactivate", "picc_tinghu")

    assert (code, err) == (0, "")
    assert out == "已启用窗口经办账号 picc_tinghu(王小明,人保财险,亭湖区),该账号可用原密码重新登录。\n"
    assert stored(cli_ctx, clerk.id or 0).active is True
    assert logs_in(cli_ctx, "picc_tinghu", PASSWORD)
    [event] = events(cli_ctx, Action.REACTIVATE_USER)
    assert (event.actor_role, event.member_code, event.county_code) == ("system", None, None)
    assert event.payload["county_code"] == "320902"

    code, out, _ = run(capsys, "user", "reactivate", "picc_tinghu")
    assert (code, out) == (0, "账号 picc_tinghu 已经在用,未作更改。\n")
    assert len(events(cli_ctx, Action.REACTIVATE_USER)) == 1


def test_reactivate_names_an_unknown_account(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], clerk: StaffUser
) -> None:
    code, out, err = run(capsys, "user", "reactivate", "nobody")

    assert (code, out, err) == (1, "", "error: 没有用户名为“nobody”的账号\n")
    assert stored_counts(cli_ctx) == (1, 0)
    assert run(capsys, "user", "reactivate")[0] == 2


# --- no password anywhere ---------------------------------------------------------


def test_no_password_reaches_the_output_the_log_or_the_events(
    cli_ctx: AppContext,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    first, second, short = "first-pass-2026", "second-pass-2026", "tiny-7"
    argv = ["user", "add", "--username", "picc_tinghu", "--role", "clerk"]
    argv += ["--display-name", "王小明", "--member", "picc", "--county", "320902"]
    said: list[str] = []

    for command, password in [
        ([*argv, "--password-stdin"], first),
        (["user", "reset-password", "picc_tinghu", "--password-stdin"], second),
        (["user", "reset-password", "picc_tinghu", "--password-stdin"], short),
    ]:
        code, out, err = run(capsys, *command, stdin=password + "\n")
        said += [out, err]
    code, out, err = run(capsys, "user", "list")
    said += [out, err]

    assert code == 0 and "picc_tinghu" in said[-2]
    everything = "\n".join([*said, caplog.text, *(r.getMessage() for r in caplog.records)])
    assert "staff password reset" in caplog.text  # the service did log, without it
    payloads = [str(e.payload) for action in (Action.ADD_USER, Action.RESET_PASSWORD) for e in events(cli_ctx, action)]
    assert len(payloads) == 2
    for password in (first, second, short):
        assert password not in everything
        assert all(password not in payload for payload in payloads)
