"""Case numbers like YC20260525-0001, numbered per local day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from server.models import CaseCounter


def next_case_number(session: Session, day: date) -> str:
    """Take the next number of `day` atomically (one upsert, no read-then-write race)."""
    key = day.strftime("%Y%m%d")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(CaseCounter)
        .values(day=key, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": CaseCounter.last + 1})
        .returning(CaseCounter.last)
    )
    last = session.execute(statement).scalar_one()
    return f"YC{key}-{last:04d}"
