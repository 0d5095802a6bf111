"""The audit chain's head row from the start, and an index for the pool's change history.

* `chain_head` gets its single row (sequence 0, the genesis hash) here rather
  than from the first event: two first events written at the same moment
  would otherwise both try to create it, and one of them would fail.
* `ix_event_action_county_seq` serves the history of a county's window
  settings (events of one action in one county, newest first), which would
  otherwise read the whole event table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64  # server.audit.chain.GENESIS_HASH; a migration keeps its own copy of the values it writes


def upgrade() -> None:
    op.create_index("ix_event_action_county_seq", "event", ["action", "county_code", "seq"], unique=False)
    op.execute(
        sa.text(
            "INSERT INTO chain_head (id, seq, hash) SELECT 1, 0, :genesis "
            "WHERE NOT EXISTS (SELECT 1 FROM chain_head WHERE id = 1)"
        ).bindparams(genesis=GENESIS_HASH)
    )


def downgrade() -> None:
    # The head row stays: it is the chain's state, not schema.
    op.drop_index("ix_event_action_county_seq", table_name="event")
