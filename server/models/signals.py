"""The coordinator's warning rules (预警规则), stored so every server process applies the same ones."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class SignalRule(SQLModel, table=True):
    """The single row (id 1) of the intermediary rule; with no row, the defaults apply.

    Flag a phone that applied for at least `intermediary_threshold` different
    owners within the last `intermediary_window_days` days. Who changed it and
    how is in the event chain (set_signal_rule); the row only keeps the latest.
    """

    __tablename__ = "signal_rule"

    # Always 1: one rule for the whole city, not a sequence.
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    intermediary_threshold: int
    intermediary_window_days: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by: str = Field(max_length=60)
