"""Fixtures of the citizen-page and feedback tests.

Until the initial migration is regenerated from the final models, the
migrated test schema may lack the rating columns and the complaint table;
`ensure_feedback_schema` adds exactly those (a no-op once the migration has
them), so these tests run against the models as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from server.db import Database
from server.models import Complaint

_CASE_COLUMNS = {
    "rating": "INTEGER",
    "rating_comment": "VARCHAR(200)",
    "rated_at": "TIMESTAMP",
}


def ensure_feedback_schema(database: Database) -> None:
    """Add the rating columns and the complaint table when the migration does not have them yet."""
    present = {c["name"] for c in inspect(database.engine).get_columns("cases")}
    with database.engine.begin() as connection:
        for name, sql_type in _CASE_COLUMNS.items():
            if name not in present:
                connection.execute(text(f"ALTER TABLE cases ADD COLUMN {name} {sql_type}"))
    SQLModel.metadata.create_all(database.engine, tables=[Complaint.__table__])  # type: ignore[list-item]


@pytest.fixture(scope="session")
def schema_template(schema_template: Path | None) -> Path | None:
    """The parent's migrated template, completed with the feedback schema."""
    if schema_template is None:
        from tests.server.conftest import TEST_DATABASE_URL

        database = Database(TEST_DATABASE_URL)
    else:
        database = Database(f"sqlite:///{schema_template}")
    ensure_feedback_schema(database)
    database.dispose()
    return schema_template
