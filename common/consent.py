"""The current text of the separate consent to processing ID data (PIPL art. 29)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from common.resources import resources_dir


@dataclass(frozen=True)
class ConsentText:
    version: str
    title: str
    text: str


def load_consent(path: Path | None = None) -> ConsentText:
    """Read `resources/consent.toml` (or `path`)."""
    raw = tomllib.loads((path or resources_dir() / "consent.toml").read_text(encoding="utf-8"))
    return ConsentText(version=raw["version"], title=raw["title"], text=raw["text"].strip())
