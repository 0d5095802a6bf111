"""Alembic environment: runs migrations on the connection `server.schema` hands in.

There is no alembic.ini: `server.schema.alembic_config` builds the Config in
code, so the server, the CLI and the tests migrate exactly the same way. The
connection comes in through `config.attributes["connection"]`; offline mode
(``--sql``) uses the URL option instead.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import String
from sqlalchemy.engine import Connection, create_engine
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import server.models  # noqa: F401 - registers every table on SQLModel.metadata
from server.db import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our Python-side column types as plain SQLAlchemy types.

    A migration must keep working after the models change, so it may not
    import `server.db` or sqlmodel: UTCDateTime only converts values in Python
    (the column is a plain DATETIME) and AutoString is a VARCHAR.
    """
    if type_ == "type":
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime()"
        if type(obj) in (AutoString, String):
            return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table there
        # and is a plain ALTER on PostgreSQL, so every revision runs on both.
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
        **kwargs,
    )


def run_offline() -> None:
    """Emit SQL for a DBA to review and run (``alembic upgrade --sql``)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    """Migrate over an open connection."""
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate with the caller's connection, or open one from the URL option."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as own_connection:
            run_on(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
