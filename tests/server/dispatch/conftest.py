"""Dispatch test helpers: submitted cases inserted directly, pool settings, and the pure rule as a model."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from common.enums import Action, BusinessType, CaseStatus, Channel, Role, VehicleCategory
from server.actor import Actor
from server.cases.history import record
from server.context import AppContext
from server.dispatch.rule import Candidate, choose
from server.dispatch.service import dispatch_case
from server.models import Branch, Case, DispatchDecision
from tests.server.factories import id_number, vin

COUNTY = "320902"  # 亭湖区
OTHER_COUNTY = "320903"  # 盐都区
MOTORCYCLE = VehicleCategory.MOTORCYCLE.value
TRACTOR = VehicleCategory.TRACTOR.value


class CaseFactory:
    """Builds cases the way the submitter leaves them: status submitted, deadline set, SUBMIT event written.

    Serial numbers come from one counter shared by threads, so numbers, VINs
    and phones stay unique however the cases are made.
    """

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._serials = itertools.count(1)
        self._lock = threading.Lock()

    def using(self, ctx: AppContext) -> CaseFactory:
        """The same factory (same serial counter) over another context, e.g. after a restart."""
        other = CaseFactory(ctx)
        other._serials, other._lock = self._serials, self._lock
        return other

    def next_serial(self) -> int:
        with self._lock:
            return next(self._serials)

    def add(
        self,
        session: Session,
        *,
        county_code: str = COUNTY,
        category: str = MOTORCYCLE,
        vehicle_vin: str | None = None,
        submitted_at: datetime | None = None,
        status: CaseStatus = CaseStatus.SUBMITTED,
        member_code: str | None = None,
        dispatched_at: datetime | None = None,
    ) -> Case:
        """Insert one case in `session` (submitted unless told otherwise)."""
        serial = self.next_serial()
        when = submitted_at or self.ctx.clock.now()
        phone = f"139{serial:08d}"
        case = Case(
            number=f"YC20260310-{serial:05d}",
            channel=Channel.ONLINE.value,
            category=category,
            business_type=BusinessType.NEW.value,
            county_code=county_code,
            status=status.value,
            owner_name="王建国",
            owner_id_number=id_number(sequence=f"{serial % 1000:03d}"),
            owner_phone=phone,
            vin=vehicle_vin or vin(serial),
            applicant_phone=phone,
            created_at=when,
            updated_at=when,
            submitted_at=when,
            due_at=when + timedelta(hours=6),
            member_code=member_code,
            dispatched_at=dispatched_at,
        )
        if member_code is not None:
            case.branch_id = branch_of(session, member_code, county_code).id
        session.add(case)
        record(session, case, Action.SUBMIT, Actor(role=Role.CITIZEN, phone=phone), now=when)
        return case

    def submit(self, **options: object) -> DispatchDecision:
        """Insert a submitted case and dispatch it in one write transaction, as the submitter does."""
        with self.ctx.db.write() as session:
            case = self.add(session, **options)  # type: ignore[arg-type]
            return dispatch_case(session, self.ctx, case)


@pytest.fixture
def cases(ctx: AppContext) -> CaseFactory:
    return CaseFactory(ctx)


def member_codes(ctx: AppContext) -> list[str]:
    """The 8 members in catalog order."""
    return [member.code for member in ctx.catalog.members]


def branch_of(session: Session, member_code: str, county_code: str) -> Branch:
    branch = session.exec(
        select(Branch).where(Branch.member_code == member_code, Branch.county_code == county_code)
    ).one()
    return branch


def configure_county(
    ctx: AppContext,
    county_code: str = COUNTY,
    *,
    weights: Sequence[int] | None = None,
    unavailable: Iterable[str] = (),
    available: Iterable[str] | None = None,
) -> None:
    """Set the county's branch weights (in catalog order) and availability switches."""
    off = set(unavailable)
    on = set(available) if available is not None else None
    with ctx.db.write() as session:
        for index, code in enumerate(member_codes(ctx)):
            branch = branch_of(session, code, county_code)
            if weights is not None:
                branch.weight = weights[index]
            branch.available = (code in on) if on is not None else (code not in off)
            session.add(branch)


def county_branches(ctx: AppContext, county_code: str = COUNTY) -> dict[str, Branch]:
    """The county's branches by member code."""
    with ctx.db.read() as session:
        rows = session.exec(select(Branch).where(Branch.county_code == county_code).order_by(col(Branch.id))).all()
    return {branch.member_code: branch for branch in rows}


@dataclass
class RuleModel:
    """The pure rule run in memory over the same branches: what the database must reproduce.

    Keys are branch ids as the service passes them, so ties break the same way.
    """

    branches: dict[str, Branch]
    state: dict[str, int] = field(init=False)
    counts: Counter[str] = field(init=False, default_factory=Counter)
    picks: int = 0

    def __post_init__(self) -> None:
        self.state = {str(b.id): 0 for b in self.branches.values()}
        self._member_of = {str(b.id): code for code, b in self.branches.items()}

    def step(self) -> str | None:
        """One plain round-robin dispatch; the member chosen."""
        outcome = choose(
            [Candidate(str(b.id), b.weight, b.available, self.state[str(b.id)]) for b in self.branches.values()]
        )
        self.state = dict(outcome.new_weights)
        if outcome.chosen is None:
            return None
        member = self._member_of[outcome.chosen]
        self.counts[member] += 1
        self.picks += 1
        return member


def off_share(counts: Counter[str], branches: dict[str, Branch]) -> dict[str, float]:
    """Members whose count is a whole case or more off ``n * w_i / W`` among available branches."""
    available = {code: b.weight for code, b in branches.items() if b.available}
    total = sum(available.values())
    picks = sum(counts[code] for code in available)
    # Integer form of |count_i - n*w_i/W| < 1, so no rounding hides a miss.
    return {
        code: (counts[code] * total - picks * weight) / total
        for code, weight in available.items()
        if abs(counts[code] * total - picks * weight) >= total
    }


def run_threads(workers: Sequence[Callable[[], None]], *, timeout: float = 120) -> list[BaseException]:
    """Start the workers together behind a barrier; the exceptions they raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def wrap(work: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=timeout)
            work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test thread
            errors.append(error)

    threads = [threading.Thread(target=wrap, args=(work,), daemon=True) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        errors.append(TimeoutError(f"threads still running after {timeout}s: {stuck}"))
    return errors
