"""`no1window-server` commands, run in-process on a temporary data directory."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import select

from common.enums import Role
from server import cli
from server.app import build_context
from server.audit.chain import append_event
from server.auth.staff_login import log_in_staff
from server.clock import FixedClock
from server.context import AppContext
from server.db import Database
from server.models import Branch, County, Member, StaffUser
from server.schema import current_revision, head_revision
from server.settings import Settings
from tests.server.conftest import WORKING_MORNING

PASSWORD = "window-pass-2026"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's settings point at an empty data directory (no .env, no outside database)."""
    monkeypatch.chdir(tmp_path)
    for name in ("NO1WINDOW_DATABASE_URL", "NO1WINDOW_ENVIRONMENT", "NO1WINDOW_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "data"
    monkeypatch.setenv("NO1WINDOW_DATA_DIR", str(directory))
    return directory


@pytest.fixture
def initialised(data_dir: Path) -> Path:
    assert cli.main(["init"]) == 0
    return data_dir


@pytest.fixture
def cli_ctx(initialised: Path) -> Iterator[AppContext]:
    """The server's context over the CLI's database, to set things up and look at results."""
    settings = Settings(_env_file=None, data_dir=initialised)  # type: ignore[call-arg]
    context = build_context(settings, clock=FixedClock(WORKING_MORNING))
    yield context
    context.db.dispose()


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal (so the CLI may prompt)."""

    def isatty(self) -> bool:
        return True


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | io.StringIO | None = None) -> tuple[int, str, str]:
    """Run a command; its exit code, stdout and stderr."""
    capsys.readouterr()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdin = saved
    out, err = capsys.readouterr()
    return code, out, err


def add_clerk(capsys: pytest.CaptureFixture[str], *extra: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run(
        capsys,
        "user", "add", "--username", "picc_tinghu", "--role", "clerk", "--display-name", "王小明",
        "--member", "picc", "--county", "320902", "--password-stdin", *extra,
        stdin=password + "\n",
    )


# --- init ---------------------------------------------------------------------------


def test_init_creates_the_schema_and_the_pool(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init")

    assert code == 0
    assert f"created at revision {head_revision()}" in out
    assert "added 9 counties, 8 members, 72 branches" in out
    database = Database(f"sqlite:///{data_dir / 'no1window.db'}")
    try:
        assert current_revision(database) == head_revision()
        with database.read() as session:
            assert len(session.exec(select(County)).all()) == 9
            assert len(session.exec(select(Member)).all()) == 8
            assert len(session.exec(select(Branch)).all()) == 72
    finally:
        database.dispose()


def test_init_twice_is_harmless_and_keeps_changes(initialised: Path, cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    with cli_ctx.db.write() as session:
        branch = session.exec(select(Branch)).first()
        assert branch is not None
        branch.window_phone, branch_id = "0515-88886666", branch.id

    code, out, _ = run(capsys, "init")

    assert code == 0
    assert "already at the newest revision" in out
    assert "already in place (9 counties, 8 members, 72 branches)" in out
    with cli_ctx.db.read() as session:
        assert session.get(Branch, branch_id).window_phone == "0515-88886666"  # type: ignore[union-attr]
        assert len(session.exec(select(Branch)).all()) == 72


def test_commands_on_an_uninitialised_database_say_to_run_init(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "audit", "verify")

    assert code == 1
    assert "not initialised" in err and "no1window-server init" in err


def test_bad_settings_are_reported_without_a_traceback(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NO1WINDOW_ENVIRONMENT", "production")  # with the development secret key

    code, _, err = run(capsys, "init")

    assert code == 2
    assert "bad settings" in err and "NO1WINDOW_SECRET_KEY" in err
    assert not data_dir.exists()


def test_an_unknown_command_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "frobnicate")

    assert code == 2
    assert "invalid choice" in err


# --- user add -----------------------------------------------------------------------


def test_user_add_creates_a_clerk_who_can_log_in(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = add_clerk(capsys)

    assert code == 0
    assert "Created clerk picc_tinghu (王小明), 人保财险 亭湖区" in out
    with cli_ctx.db.write() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "picc_tinghu")).one()
        assert (user.role, user.member_code, user.county_code) == ("clerk", "picc", "320902")
        assert PASSWORD not in user.password_hash
        login = log_in_staff(session, username="picc_tinghu", password=PASSWORD, now=WORKING_MORNING, settings=cli_ctx.settings)
    assert (login.user.username, login.user.member_name, login.user.county_name) == ("picc_tinghu", "人保财险", "亭湖区")
    assert login.token


def test_user_add_accepts_member_and_county_by_their_chinese_names(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys,
        "user", "add", "--username", "cpic_yandu", "--role", "clerk", "--display-name", "李娟",
        "--member", "太保财险", "--county", "盐都区", "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert code == 0
    with cli_ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == "cpic_yandu")).one()
    assert (user.member_code, user.county_code) == ("cpic", "320903")


def test_user_add_creates_a_coordinator_without_member_or_county(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "user", "add", "--username", "city_lead", "--role", "coordinator", "--display-name", "赵主任",
        "--password-stdin", stdin=PASSWORD + "\n",
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
    ids=["bad-role", "clerk-without-member", "supervisor-without-member", "unknown-member", "county-outside-yancheng", "coordinator-with-member"],
)
def test_user_add_refuses_bad_input_and_creates_nobody(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(
        capsys, "user", "add", "--username", "someone", "--display-name", "某人", "--password-stdin", *argv,
        stdin=PASSWORD + "\n",
    )

    assert code != 0
    assert message in err
    with cli_ctx.db.read() as session:
        assert session.exec(select(StaffUser)).all() == []


def test_user_add_refuses_a_short_password_and_a_taken_username(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = add_clerk(capsys, password="short")
    assert (code, "密码至少需要8位" in err) == (1, True)

    assert add_clerk(capsys)[0] == 0
    code, _, err = add_clerk(capsys)
    assert code == 1
    assert "已存在" in err
    with cli_ctx.db.read() as session:
        assert len(session.exec(select(StaffUser)).all()) == 1


def test_user_add_has_no_password_flag_and_needs_a_terminal_to_prompt(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
        capsys, "user", "add", "--username", "u_two", "--role", "coordinator", "--display-name", "某人", stdin=Terminal()
    )

    assert code == 1 and "differ" in err
    with cli_ctx.db.read() as session:
        assert session.exec(select(StaffUser)).all() == []


# --- sms outbox ---------------------------------------------------------------------


def test_sms_outbox_lists_the_newest_messages_first_in_local_time(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    with cli_ctx.db.write() as session:
        for minutes, (phone, number) in enumerate([("13912345678", "YC20260310-0001"), ("13812345678", "YC20260310-0002")]):
            cli_ctx.sms.send(
                session, phone=phone, template="assigned", now=WORKING_MORNING + timedelta(minutes=minutes),
                params={"number": number, "member": "人保财险", "window_phone": "0515-88886666"},
            )

    code, out, _ = run(capsys, "sms", "outbox")

    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("2026-03-10 10:01:00  13812345678  assigned")
    assert "YC20260310-0002" in lines[0] and "0515-88886666" in lines[0]
    assert lines[1].startswith("2026-03-10 10:00:00  13912345678")


def test_sms_outbox_filters_by_phone_and_limits(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    with cli_ctx.db.write() as session:
        for n in range(3):
            cli_ctx.sms.send(session, phone="13912345678", template="login_code", params={"code": f"00000{n}"}, now=WORKING_MORNING)
        cli_ctx.sms.send(session, phone="13812345678", template="login_code", params={"code": "999999"}, now=WORKING_MORNING)

    code, out, _ = run(capsys, "sms", "outbox", "--phone", "13912345678", "--limit", "2")

    assert code == 0
    assert [line.split()[2] for line in out.splitlines()] == ["13912345678", "13912345678"]
    assert "000002" in out and "000000" not in out


def test_sms_outbox_refuses_a_malformed_phone_and_says_when_empty(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sms", "outbox", "--phone", "12345")
    assert code == 2 and "11 digits" in err

    assert run(capsys, "sms", "outbox")[1].strip() == "No messages."


# --- audit verify -------------------------------------------------------------------


def append_events(ctx: AppContext, count: int) -> None:
    with ctx.db.write() as session:
        for n in range(count):
            append_event(
                session, created_at=WORKING_MORNING + timedelta(minutes=n), action="note", actor_role="system",
                actor_label="系统", payload={"n": n},
            )


def test_audit_verify_reports_ok_with_the_event_count(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    append_events(cli_ctx, 5)

    assert run(capsys, "audit", "verify")[:2] == (0, "OK: 5 events\n")


def test_audit_verify_names_the_first_altered_event(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    append_events(cli_ctx, 5)
    with cli_ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE event SET actor_label = '别人' WHERE seq IN (3, 4)"))

    code, out, _ = run(capsys, "audit", "verify")

    assert code == 1
    assert out.startswith("FAILED at event 3: event 3 was altered")


def test_audit_verify_notices_a_deleted_event(cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    append_events(cli_ctx, 5)
    with cli_ctx.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM event WHERE seq = 2"))

    code, out, _ = run(capsys, "audit", "verify")

    assert code == 1
    assert "event 2 is missing" in out


# --- serve --------------------------------------------------------------------------


def test_serve_runs_uvicorn_on_the_app_factory_without_its_access_log(
    initialised: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))

    code, _, _ = run(capsys, "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "3")

    assert code == 0
    (args, kwargs), = calls
    assert args == ("server.cli:app_factory",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("0.0.0.0", 8080, 3)
    assert kwargs["access_log"] is False
    assert kwargs["log_config"]["root"]["level"] == "INFO"


def test_serve_refuses_an_uninitialised_database(data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("must not start"))

    code, _, err = run(capsys, "serve")

    assert code == 1 and "no1window-server init" in err


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--workers", "0"], ["--port", "http"]])
def test_serve_refuses_bad_numbers(initialised: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert run(capsys, "serve", *argv)[0] == 2


def test_the_app_factory_builds_the_app_from_the_environment(initialised: Path) -> None:
    app = cli.app_factory()

    assert isinstance(app, FastAPI)
    assert app.state.ctx.settings.data_dir == initialised
    app.state.ctx.db.dispose()
