"""Where the bundled resources (domain catalog, SMS templates, holiday file, pictures) live."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder: next to the packages in a checkout, or inside a frozen build.

    `NO1WINDOW_RESOURCES_DIR` overrides both (an administrator's own holiday file, say).
    """
    override = os.environ.get("NO1WINDOW_RESOURCES_DIR")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a built desktop
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
