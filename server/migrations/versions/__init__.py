"""Alembic revisions, oldest first by their four-digit id."""
