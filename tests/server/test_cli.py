"""`no1window-server` init, sms outbox, audit verify and serve, run in-process on a temporary data directory."""

from __future__ import annotations

import logging.config
import os
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import select

from server import cli
from server.audit.chain import append_event
from server.context import AppContext
from server.db import Database
from server.models import Branch, County, Member
from server.schema import current_revision, head_revision
from tests.server import cli_support
from tests.server.cli_support import run
from tests.server.conftest import WORKING_MORNING

# The CLI's fixtures, made this module's own so pytest finds them.
cli_ctx, data_dir, initialised = (
    cli_support.cli_ctx,
    cli_support.data_dir,
    cli_support.initialised,
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


def test_init_twice_is_harmless_and_keeps_changes(
    initialised: Path, cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
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


def test_commands_on_an_uninitialised_database_say_to_run_init(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "audit", "verify")

    assert code == 1
    assert "not initialised" in err and "no1window-server init" in err


def test_a_database_from_a_newer_version_is_left_alone(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = Database(f"sqlite:///{initialised / 'no1window.db'}")
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        database.dispose()

    for argv in (["init"], ["audit", "verify"]):
        code, _, err = run(capsys, *argv)
        assert code == 1
        assert "revision 9999, newer than this version knows" in err


def test_bad_settings_are_reported_without_a_traceback(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Production with the development secret key.
    monkeypatch.setenv("NO1WINDOW_ENVIRONMENT", "production")

    code, _, err = run(capsys, "init")

    assert code == 2
    assert "bad settings" in err and "NO1WINDOW_SECRET_KEY" in err
    assert not data_dir.exists()


def test_an_unknown_command_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "frobnicate")

    assert code == 2
    assert "invalid choice" in err


# --- sms outbox ---------------------------------------------------------------------


def test_sms_outbox_lists_the_newest_messages_first_in_local_time(
    cli_ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    with cli_ctx.db.write() as session:
        for minutes, (phone, number) in enumerate(
            [("13912345678", "YC20260310-0001"), ("13812345678", "YC20260310-0002")]
        ):
            cli_ctx.sms.send(
                session,
                phone=phone,
                template="assigned",
                now=WORKING_MORNING + timedelta(minutes=minutes),
                params={
                    "number": number,
                    "member": "人保财险",
                    "window_phone": "0515-88886666",
                },
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
            cli_ctx.sms.send(
                session,
                phone="13912345678",
                template="login_code",
                params={"code": f"00000{n}"},
                now=WORKING_MORNING,
            )
        cli_ctx.sms.send(
            session,
            phone="13812345678",
            template="login_code",
            params={"code": "999999"},
            now=WORKING_MORNING,
        )

    code, out, _ = run(capsys, "sms", "outbox", "--phone", "13912345678", "--limit", "2")

    assert code == 0
    assert [line.split()[2] for line in out.splitlines()] == [
        "13912345678",
        "13912345678",
    ]
    assert "000002" in out and "000000" not in out


def test_sms_outbox_refuses_a_malformed_phone_and_says_when_empty(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "sms", "outbox", "--phone", "12345")
    assert code == 2 and "11 digits" in err

    assert run(capsys, "sms", "outbox")[1].strip() == "No messages."


# --- audit verify -------------------------------------------------------------------


def append_events(ctx: AppContext, count: int) -> None:
    with ctx.db.write() as session:
        for n in range(count):
            append_event(
                session,
                created_at=WORKING_MORNING + timedelta(minutes=n),
                action="note",
                actor_role="system",
                actor_label="系统",
                payload={"n": n},
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


@pytest.fixture
def logging_configs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The logging configurations `serve` applies, recorded instead of applied.

    Applied, its handler would keep writing to this test's captured stderr, closed
    afterwards: later tests' log lines would end in "--- Logging error ---" there.
    """
    configs: list[dict[str, Any]] = []
    monkeypatch.setattr(logging.config, "dictConfig", configs.append)
    return configs


def test_serve_runs_uvicorn_on_the_app_factory_without_its_access_log(
    initialised: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    logging_configs: list[dict[str, Any]],
) -> None:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))

    code, _, _ = run(capsys, "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "1")

    assert code == 0
    ((args, kwargs),) = calls
    assert args == ("server.cli:app_factory",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("0.0.0.0", 8080, 1)
    assert kwargs["access_log"] is False
    assert kwargs["log_config"]["root"]["level"] == "INFO"
    assert logging_configs == [cli.LOG_CONFIG]  # the same lines before uvicorn starts


def test_serve_with_workers_gives_each_its_own_socket_on_the_port(
    initialised: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    logging_configs: list[dict[str, Any]],
) -> None:
    from server import serving

    if not serving.can_share_port():
        pytest.skip("needs SO_REUSEPORT")
    started: list[tuple[str, int, int]] = []
    monkeypatch.setattr(serving._Workers, "run", lambda self: started.append((*self._args[:2], self._count)) or 0)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    code, _, _ = run(capsys, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "3")

    assert code == 0
    assert started == [("127.0.0.1", port, 3)]


def test_serve_runs_one_worker_per_cpu_unless_told(
    initialised: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    logging_configs: list[dict[str, Any]],
) -> None:
    from server import serving

    asked: list[int] = []
    monkeypatch.setattr(serving, "serve", lambda **kwargs: asked.append(kwargs["workers"]) or 0)

    assert run(capsys, "serve")[0] == 0
    assert asked == [len(os.sched_getaffinity(0))]


def test_serve_with_workers_reports_a_port_in_use(
    initialised: Path,
    capsys: pytest.CaptureFixture[str],
    logging_configs: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()

        port = taken.getsockname()[1]
        code, _, _ = run(capsys, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2")

    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in caplog.text


def test_serve_refuses_an_uninitialised_database(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    logging_configs: list[dict[str, Any]],
) -> None:
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
