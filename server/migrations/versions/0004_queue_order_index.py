"""An index in the queue's own order for a window's cases.

`ix_cases_scope_deadline` (member, county, due_at IS NULL, due_at, id,
status) holds a window's cases in the order the queue shows them: earliest
deadline first, undated last, then by id. A page of a clerk's queue is then
read from the front of the index and stops after its fifty rows, instead of
sorting all of the window's thousands of cases to show fifty. The status is
last so that a status filter is tested in the index, without reading rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_scope_deadline",
        "cases",
        ["member_code", "county_code", sa.text("(due_at IS NULL)"), "due_at", "id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_scope_deadline", table_name="cases")
