"""The desktop installer: build_installer.spec builds a one-folder app that starts and quits with --smoke.

Slow (PyInstaller analyses and copies Qt: about a minute); deselect with `-m "not slow"`.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PyInstaller", reason="pyinstaller is in the [dev] extra")

ROOT = Path(__file__).resolve().parents[2]
NAME = "no1window-desk"
SERVER_SIDE = {"server", "fastapi", "starlette", "sqlmodel", "sqlalchemy", "uvicorn", "alembic", "argon2", "holidays"}


@pytest.mark.slow
def test_the_spec_builds_an_app_that_starts_and_quits_with_smoke(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "build"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(ROOT / "build_installer.spec"),
            "--noconfirm",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    app_dir = dist / NAME
    program = app_dir / (NAME + ".exe" if sys.platform == "win32" else NAME)
    assert program.is_file()

    # Only the desktop side: its packages and the resources, none of the server's.
    bundled_modules = {entry[0].split(".")[0] for entry in _pyz_entries(work)}
    assert {"desktop", "common", "pypdfium2", "segno", "httpx"} <= bundled_modules
    assert not bundled_modules & SERVER_SIDE
    internal = app_dir / "_internal"
    assert (internal / "resources" / "sms_templates.toml").is_file()
    assert (internal / "resources" / "domain.json").is_file()
    assert not {p.name for p in internal.iterdir()} & SERVER_SIDE
    # QtCharts (the coordinator's statistics) goes in; Qt Quick, which nothing uses, does not.
    bundled_files = {p.name.lower() for p in internal.rglob("*")}
    assert any(name.startswith("qtcharts.") for name in bundled_files)
    assert not any("qt6quick" in name or "virtualkeyboard" in name for name in bundled_files)

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env.pop("QT_SCALE_FACTOR", None)
    smoke = subprocess.run([str(program), "--smoke"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert smoke.returncode == 0, smoke.stderr[-4000:]
    assert "Traceback" not in smoke.stderr


def _pyz_entries(work: Path) -> list[tuple[str, ...]]:
    """The modules PyInstaller put in the app's archive, from its table of contents."""
    [toc] = work.glob("*/PYZ-00.toc")
    data = ast.literal_eval(toc.read_text(encoding="utf-8"))
    return list(data[1])
