"""Bringing a database to the newest schema."""

from __future__ import annotations

from sqlmodel import SQLModel

import server.models  # noqa: F401 - registers the tables
from server.db import Database


def upgrade_to_head(database: Database) -> None:
    """Create or upgrade every table to the current models."""
    SQLModel.metadata.create_all(database.engine)
