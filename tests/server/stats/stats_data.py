"""A generated data set with known counts, for the statistics in the service, the API, the CLI and Excel.

The range is the first quarter of 2026 (local dates). Cases sit on the month
and range edges in local time, where UTC storage puts them on the other side
of midnight: 00:30 local on 1 March is 16:30 UTC on 28 February, 23:30 local
on 28 February is 15:30 UTC the same day. The expected counts below are
written out by hand, not computed from the plan.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.enums import BusinessType, CaseStatus, Channel, VehicleCategory
from server.clock import LOCAL_ZONE
from server.db import Database
from server.models import Case
from tests.server.factories import id_number, vin

FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)
TINGHU, YANDU, DAFENG, BINHAI, DONGTAI = (
    "320902",
    "320903",
    "320904",
    "320922",
    "320981",
)

_serials = itertools.count(1)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) moment."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_ZONE)


@dataclass(frozen=True)
class Batch:
    """`n` cases alike: what they are, and when they were finished (local time)."""

    n: int
    category: VehicleCategory
    member: str | None
    county: str
    finished: datetime | None
    status: CaseStatus = CaseStatus.COMPLETED
    reason: str | None = None
    handling: timedelta = timedelta(hours=2)


PLAN: tuple[Batch, ...] = (
    Batch(5, VehicleCategory.MOTORCYCLE, "picc", TINGHU, at(2026, 1, 15, 10)),
    Batch(3, VehicleCategory.MOTORCYCLE, "cpic", YANDU, at(2026, 2, 10, 11)),
    # Late on the last day of February: 15:30 UTC the same day, February either way.
    Batch(2, VehicleCategory.OPERATING_TRUCK, "picc", DONGTAI, at(2026, 2, 28, 23, 30)),
    # Just after midnight on 1 March: still 28 February in UTC, but March here.
    Batch(4, VehicleCategory.NONOPERATING_TRUCK, "pingan", BINHAI, at(2026, 3, 1, 0, 30)),
    # The last minute of the range, and its first ten minutes (31 December in UTC).
    Batch(1, VehicleCategory.SPECIAL, "chinalife", TINGHU, at(2026, 3, 31, 23, 59)),
    Batch(1, VehicleCategory.TRACTOR, "picc", YANDU, at(2026, 1, 1, 0, 10)),
    # Outside the range: New Year's Eve local time, and 1 April 00:05 local (31 March in UTC).
    Batch(2, VehicleCategory.MOTORCYCLE, "picc", TINGHU, at(2025, 12, 31, 23, 50)),
    Batch(2, VehicleCategory.MOTORCYCLE, "picc", TINGHU, at(2026, 4, 1, 0, 5)),
    # Rejections: the same reason with blanks around it is one reason; none given is its own row.
    Batch(
        3,
        VehicleCategory.MOTORCYCLE,
        "picc",
        TINGHU,
        at(2026, 2, 2, 10),
        CaseStatus.REJECTED,
        "材料不全",
    ),
    Batch(
        1,
        VehicleCategory.MOTORCYCLE,
        "cpic",
        YANDU,
        at(2026, 2, 3, 10),
        CaseStatus.REJECTED,
        " 材料不全 ",
    ),
    Batch(
        2,
        VehicleCategory.OPERATING_BUS,
        "picc",
        DAFENG,
        at(2026, 3, 5, 9),
        CaseStatus.REJECTED,
        "车辆不属于兜底范围",
    ),
    Batch(
        1,
        VehicleCategory.MOTORCYCLE,
        "picc",
        TINGHU,
        at(2026, 3, 6, 9),
        CaseStatus.REJECTED,
        None,
    ),
    Batch(
        1,
        VehicleCategory.MOTORCYCLE,
        "picc",
        TINGHU,
        at(2026, 4, 1, 0, 5),
        CaseStatus.REJECTED,
        "材料不全",
    ),
    # Neither completed nor rejected: never counted.
    Batch(
        2,
        VehicleCategory.OPERATING_BUS,
        "picc",
        DAFENG,
        at(2026, 2, 5, 9),
        CaseStatus.CANCELLED,
        "申请人撤销",
    ),
    Batch(2, VehicleCategory.OPERATING_BUS, "zijin", DAFENG, None, CaseStatus.REVIEWING),
)

COMPLETED = 16
BY_CATEGORY = {
    "motorcycle": 8,
    "operating_truck": 2,
    "nonoperating_truck": 4,
    "special": 1,
    "operating_bus": 0,
    "tractor": 1,
}
BY_MEMBER = {
    "picc": 8,
    "cpic": 3,
    "pingan": 4,
    "chinalife": 1,
    "cic": 0,
    "sunshine": 0,
    "zijin": 0,
    "dajia": 0,
}
BY_COUNTY = {
    "320902": 6,
    "320903": 4,
    "320904": 0,
    "320921": 0,
    "320922": 4,
    "320923": 0,
    "320924": 0,
    "320925": 0,
    "320981": 2,
}
BY_MONTH = {"2026-01": 6, "2026-02": 5, "2026-03": 5}
REJECTED = 7
REJECTIONS = [("材料不全", 4), ("车辆不属于兜底范围", 2), ("未填写原因", 1)]
# The county × member table: the non-zero cells.
COUNTY_MEMBER = {
    (TINGHU, "picc"): 5,
    (TINGHU, "chinalife"): 1,
    (YANDU, "cpic"): 3,
    (YANDU, "picc"): 1,
    (DONGTAI, "picc"): 2,
    (BINHAI, "pingan"): 4,
}
# The category × month table: the non-zero cells.
CATEGORY_MONTH = {
    ("motorcycle", "2026-01"): 5,
    ("tractor", "2026-01"): 1,
    ("motorcycle", "2026-02"): 3,
    ("operating_truck", "2026-02"): 2,
    ("nonoperating_truck", "2026-03"): 4,
    ("special", "2026-03"): 1,
}


def add_cases(database: Database, batches: tuple[Batch, ...] = PLAN, **fields: object) -> list[int]:
    """Insert the batches' cases (submitted `handling` before they finished); their ids."""
    cases = []
    for batch in batches:
        for _ in range(batch.n):
            cases.append(case_row(batch, **fields))
    with database.write() as session:
        session.add_all(cases)
        session.flush()
        return [case.id or 0 for case in cases]


def case_row(batch: Batch, **fields: object) -> Case:
    """One case of `batch`; `fields` override columns (rating, submitted_at ...)."""
    serial = next(_serials)
    finished = batch.finished
    submitted = (finished or at(2026, 3, 10, 9)) - batch.handling
    values: dict[str, object] = {
        "number": f"YC20260101-{serial:04d}",
        "channel": Channel.ONLINE.value,
        "category": batch.category.value,
        "business_type": BusinessType.NEW.value,
        "county_code": batch.county,
        "status": batch.status.value,
        "owner_name": "王建国",
        "owner_id_number": id_number(sequence=f"{serial % 1000:03d}"),
        "owner_phone": "13912345678",
        "vin": vin(serial),
        "member_code": batch.member,
        "created_at": submitted,
        "updated_at": finished or submitted,
        "submitted_at": submitted,
        "finished_at": finished,
        "closing_reason": batch.reason,
    }
    values.update(fields)
    return Case(**values)
