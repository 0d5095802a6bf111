"""Alembic migrations of the server's database (configured in code by `server.schema`, no alembic.ini).

A new revision after a model change: ``python -m server.migrations "what changed"``;
review the generated file in ``versions/`` before committing it.
"""
