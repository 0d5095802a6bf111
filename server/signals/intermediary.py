"""Phones that look like an illegal intermediary at work: one phone applying for several owners.

What counts, and why:

* **The applying phone** is the verified login phone of an online
  application (`applicant_phone`). A counter intake has none, so there it is
  the phone the customer gave at the window (`owner_phone`): an intermediary
  who applies online for others logs in with their own phone, and one who
  brings other people's papers to the counter leaves their own number there.
  Both channels are counted together, so switching channel does not hide
  anyone.
* **An application counts once it was submitted**, within the window
  `[now - window_days, now]` by `submitted_at`, whatever became of it later:
  a rejected or cancelled application was still made. Drafts are unfinished
  paperwork and do not count.
* **Owners are told apart by their ID number** (required and checked on
  submission, so always present). One owner applying twice (a second
  vehicle, or again after a rejection) is one owner.
* A phone is flagged when its distinct owners reach the threshold: with the
  default rule, 3 owners in 30 days flags it, 2 do not.

The full phone number never leaves this module: flags carry it masked
(``138****1234``), and nothing here logs it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func
from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import CaseStatus
from common.schemas.signals import FlaggedApplication, IntermediaryFlag
from common.validators import mask_phone
from server.models import Case
from server.signals.refs import ROW_LIMIT

_PHONE = func.coalesce(Case.applicant_phone, Case.owner_phone)
_OWNERS = func.count(distinct(Case.owner_id_number))


def _in_window(now: datetime, window_days: int) -> Any:
    """Submitted (drafts have no submission time) within the window ending now."""
    start = now - timedelta(days=window_days)
    return and_(
        Case.submitted_at.is_not(None),  # type: ignore[union-attr]
        Case.submitted_at >= start,  # type: ignore[operator]
        Case.submitted_at <= now,  # type: ignore[operator]
    )


def flag_intermediaries(
    session: Session,
    catalog: Catalog,
    *,
    threshold: int,
    window_days: int,
    now: datetime,
    limit: int = ROW_LIMIT,
) -> tuple[list[IntermediaryFlag], int]:
    """The flagged phones (most owners first, at most `limit`) and how many are flagged in all.

    One aggregate statement finds the phones (GROUP BY phone HAVING
    COUNT(DISTINCT owner) >= threshold), a second reads their applications.
    """
    in_window = _in_window(now, window_days)
    flagged = session.exec(
        select(_PHONE.label("phone"), _OWNERS.label("owners"))
        .where(in_window)
        .group_by(_PHONE)
        .having(_OWNERS >= threshold)
        .order_by(_OWNERS.desc(), _PHONE)
    ).all()
    shown = flagged[:limit]
    if not shown:
        return [], len(flagged)
    rows = session.exec(
        select(
            _PHONE.label("phone"),
            Case.id,
            Case.number,
            Case.owner_name,
            Case.county_code,
            Case.status,
            Case.submitted_at,
        )
        .where(in_window, _PHONE.in_([phone for phone, _owners in shown]))
        .order_by(Case.submitted_at, Case.id)  # type: ignore[arg-type]
    ).all()
    applications: dict[str, list[FlaggedApplication]] = defaultdict(list)
    for row in rows:
        applications[row.phone].append(
            FlaggedApplication(
                case_id=row.id,
                case_number=row.number,
                owner_name=row.owner_name,
                county_name=catalog.county_names.get(row.county_code, row.county_code),
                status_label=CaseStatus(row.status).label,
                submitted_at=row.submitted_at,
            )
        )
    flags = [
        IntermediaryFlag(
            phone_masked=mask_phone(phone),
            owners=owners,
            applications=applications[phone],
        )
        for phone, owners in shown
    ]
    return flags, len(flagged)
