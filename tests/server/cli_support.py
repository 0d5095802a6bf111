"""Running `no1window-server` in-process in tests: a temporary data directory and the captured output."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import cli
from server.app import build_context
from server.auth import console
from server.clock import FixedClock
from server.context import AppContext
from server.settings import Settings
from tests.server.conftest import WORKING_MORNING

PASSWORD = "window-pass-2026"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's settings point at an empty data directory (no .env, no outside database)."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "NO1WINDOW_DATABASE_URL",
        "NO1WINDOW_ENVIRONMENT",
        "NO1WINDOW_SECRET_KEY",
    ):
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


@pytest.fixture
def console_clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The `user` commands' clock, fixed at WORKING_MORNING like `cli_ctx`'s (token expiry, lockouts, events)."""
    clock = FixedClock(WORKING_MORNING)
    monkeypatch.setattr(console, "clock", clock)
    return clock


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal (so the CLI may prompt)."""

    def isatty(self) -> bool:
        return True


def run(
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: str | io.StringIO | None = None,
) -> tuple[int, str, str]:
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
