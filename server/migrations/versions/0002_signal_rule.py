"""The coordinator's warning rule: one row holding the intermediary threshold and window.

Generated from the models by autogenerate and reviewed. No row is inserted:
with the table empty the server applies its defaults (3 owners in 30 days),
so the defaults live in one place, the code.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 00:03:45.170035
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal_rule",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("intermediary_threshold", sa.Integer(), nullable=False),
        sa.Column("intermediary_window_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("signal_rule")
