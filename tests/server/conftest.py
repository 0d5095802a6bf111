"""Server test fixtures: a fresh database per test (SQLite, or PostgreSQL when
NO1WINDOW_TEST_DATABASE_URL is set), a fixed clock, the app and its client."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel

from server.app import build_context, create_app
from server.clock import LOCAL_ZONE, FixedClock
from server.context import AppContext
from server.db import Database
from server.pool import seed_pool
from server.schema import upgrade_to_head
from server.settings import Settings

TEST_DATABASE_URL = os.environ.get("NO1WINDOW_TEST_DATABASE_URL", "")

# Tuesday 2026-03-10, 10:00 in Yancheng: an ordinary working morning.
WORKING_MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=LOCAL_ZONE)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A migrated empty database: a SQLite file to copy per test, or the PostgreSQL schema once."""
    if TEST_DATABASE_URL:
        database = Database(TEST_DATABASE_URL)
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade_to_head(database)
        database.dispose()
        return None
    path = tmp_path_factory.mktemp("schema") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)
    database.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path, schema_template: Path | None) -> Iterator[Database]:
    """An empty, migrated database of its own for each test."""
    if schema_template is None:
        database = Database(TEST_DATABASE_URL)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version")
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "no1window.db"
        shutil.copyfile(schema_template, path)
        database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Time stands still at WORKING_MORNING until a test moves it."""
    return FixedClock(WORKING_MORNING)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults, with the data directory in the test's own folder and no .env file read."""
    return Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture
def ctx(settings: Settings, database: Database, clock: FixedClock) -> AppContext:
    """The server's collaborators over the test database, with the pool (9 counties × 8 members) in place."""
    context = build_context(settings, clock=clock, database=database)
    with database.write() as session:
        seed_pool(session, context.catalog)
    return context


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
