"""Bringing a database to the newest schema with Alembic (revisions in `server/migrations/`).

Alembic is configured here in code rather than by an alembic.ini, so the CLI,
the tests and a developer generating a revision all use the same settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection

import server.models  # noqa: F401 - registers the tables
from server.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any constant will do: concurrent `init`s on PostgreSQL queue on this lock
# instead of both creating the same tables.
_PG_MIGRATION_LOCK = 0x4E6F3157  # "No1W"


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """An Alembic Config pointing at `server/migrations`, running on `connection` (or `url`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    # 0001_initial.py rather than a random hash: revisions read in order in the tree.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    if url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `server/migrations/versions`."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def is_known_revision(revision: str) -> bool:
    """Whether `revision` is one of this version's migrations (a newer server may have gone further)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(database: Database) -> str | None:
    """The revision the database is at; None for an empty (never initialised) database."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_at_head(database: Database) -> bool:
    """Whether the database has every migration applied."""
    return current_revision(database) == head_revision()


def upgrade_to_head(database: Database) -> None:
    """Create or upgrade every table to the current models (`alembic upgrade head`).

    One transaction: a failed revision leaves the database as it was (both
    SQLite and PostgreSQL have transactional DDL).
    """
    with _migration_connection(database) as connection:
        command.upgrade(alembic_config(connection), "head")


@contextmanager
def _migration_connection(database: Database) -> Iterator[Connection]:
    """A connection in a transaction, prepared for migrating."""
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            yield connection
        return
    # Batch migrations recreate a SQLite table (copy, drop, rename); with foreign
    # keys enforced, dropping a referenced table would cascade or fail. The pragma
    # is ignored inside a transaction, so it is set on the raw connection before
    # BEGIN, and integrity is checked once before committing instead.
    engine = database.engine.execution_options(sqlite_begin="IMMEDIATE")
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if violations:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {violations[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
