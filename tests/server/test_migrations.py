"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from server.db import Database
from server.schema import MIGRATIONS_DIR, alembic_config, current_revision, head_revision, is_at_head, upgrade_to_head

TEST_DATABASE_URL = os.environ.get("NO1WINDOW_TEST_DATABASE_URL", "")


def schema_differences(database: Database) -> list:
    """What autogenerate would still change: empty when the database matches the models."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, SQLModel.metadata)


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    yield database
    database.dispose()


@pytest.fixture
def empty_postgres_schema() -> Iterator[Database]:
    """A throwaway schema of its own, so the shared test schema the fixtures use stays untouched."""
    if not TEST_DATABASE_URL:
        pytest.skip("NO1WINDOW_TEST_DATABASE_URL is not set: the PostgreSQL migration check needs a server")
    schema = f"migration_check_{uuid.uuid4().hex[:12]}"
    admin = Database(TEST_DATABASE_URL)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # search_path set at connect time, so the dialect's default schema *is* the new one.
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(url.render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrading_an_empty_sqlite_database_yields_exactly_the_models(empty_sqlite: Database) -> None:
    upgrade_to_head(empty_sqlite)

    assert schema_differences(empty_sqlite) == []


@pytest.mark.postgres
def test_upgrading_an_empty_postgres_schema_yields_exactly_the_models(empty_postgres_schema: Database) -> None:
    upgrade_to_head(empty_postgres_schema)

    assert schema_differences(empty_postgres_schema) == []
    assert current_revision(empty_postgres_schema) == head_revision()


def test_an_empty_database_is_not_at_head_until_upgraded(empty_sqlite: Database) -> None:
    assert current_revision(empty_sqlite) is None
    assert not is_at_head(empty_sqlite)

    upgrade_to_head(empty_sqlite)

    assert current_revision(empty_sqlite) == head_revision()
    assert is_at_head(empty_sqlite)


def test_upgrading_twice_changes_nothing_and_keeps_the_data(empty_sqlite: Database) -> None:
    upgrade_to_head(empty_sqlite)
    with empty_sqlite.engine.begin() as connection:
        connection.execute(text("INSERT INTO county (code, name) VALUES ('320902', '亭湖区')"))

    upgrade_to_head(empty_sqlite)

    with empty_sqlite.engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM county")).scalars().all() == ["亭湖区"]


def test_foreign_keys_stay_enforced_after_migrating(empty_sqlite: Database) -> None:
    # The migration turns them off on its own connection; they must be back on for everyone after.
    upgrade_to_head(empty_sqlite)

    with empty_sqlite.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_downgrading_to_base_removes_every_table_and_upgrading_restores_them(empty_sqlite: Database) -> None:
    upgrade_to_head(empty_sqlite)
    with empty_sqlite.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")

    assert set(inspect(empty_sqlite.engine).get_table_names()) <= {"alembic_version"}

    upgrade_to_head(empty_sqlite)
    assert schema_differences(empty_sqlite) == []


def test_revisions_are_numbered_and_never_import_the_application() -> None:
    # A revision must run the same way years later, whatever the models look like by then.
    revisions = sorted((MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    assert revisions, "no revisions found"
    for path in revisions:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.py", path.name), path.name
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(server|sqlmodel|common)\b", source, re.MULTILINE), path.name
