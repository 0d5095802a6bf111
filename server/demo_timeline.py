"""Playing the demo's past in time order: stories of timed steps, merged into one timeline.

Each past case is a story: filed at one moment, accepted, approved, paid,
rated at later ones. Stories overlap (a case filed at 10:00 is paid at 15:00,
after another was filed at 11:00), so they are not played one after the
other: every step of every story is taken in order of its time, on a clock
that only moves forward. The events' sequence numbers then follow their
times, as they would have on a real server.

The steps are the services' own functions, staff actions through
`CaseFiler.act`, and the citizen's: supplementing documents, rating and
complaining.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from common.enums import DocumentKind, Role
from common.schemas.feedback import ComplaintIn, RatingIn
from server.actor import Actor
from server.cases.feedback import file_complaint, rate_case
from server.cases.uploads import finish_supplement, upload_document
from server.clock import LOCAL_ZONE
from server.context import AppContext
from server.demo_cases import CaseFiler, DemoClock
from server.demo_pictures import DemoOwner, DemoVehicle
from server.models import Case
from server.sla.deadlines import add_working_seconds

# A step gets the case as the story's previous step left it (None before it is filed) and returns it.
StepAction = Callable[[Case | None], Case]


@dataclass
class Story:
    """One past case: its steps, each at the moment it happens."""

    steps: list[tuple[datetime, StepAction]] = field(default_factory=list)

    def then(self, at: datetime, action: StepAction) -> datetime:
        """Add a step at `at` (not before the previous one); returns its time, for planning the next."""
        if self.steps:
            at = max(at, self.steps[-1][0])
        self.steps.append((at, action))
        return at


class Timeline:
    """Working-time arithmetic for planning stories, and the player that runs them in time order."""

    def __init__(self, ctx: AppContext, clock: DemoClock, filer: CaseFiler) -> None:
        self.ctx = ctx
        self.clock = clock
        self.filer = filer

    # --- planning -------------------------------------------------------------------

    def at(self, day: date, hour: float) -> datetime:
        """`hour` o'clock (8.5 is 08:30) on `day`, local time."""
        return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE) + timedelta(hours=hour)

    def working_days(self, first: date, last: date) -> list[date]:
        """The working days from `first` to `last`, both included."""
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [d for d in days if self.ctx.calendar.is_working_day(d)]

    def staff_after(self, moment: datetime, minutes: float) -> datetime:
        """`minutes` of the windows' working time after `moment` (a clerk works in opening hours)."""
        return add_working_seconds(moment, int(minutes * 60), calendar=self.ctx.calendar, hours=self.ctx.hours)

    # --- the citizen's steps ----------------------------------------------------------

    def supplement(self, kinds: list[DocumentKind]) -> StepAction:
        """The applicant uploads the pictures asked for and sends the case back to the window."""

        def run(case: Case | None) -> Case:
            assert case is not None and case.applicant_phone
            citizen = Actor(role=Role.CITIZEN, phone=case.applicant_phone)
            # GB 11643: the 17th digit is odd for a man.
            sex = "男" if int(case.owner_id_number[16]) % 2 else "女"
            owner = DemoOwner(case.owner_name, "DEMO OWNER", case.owner_id_number, sex)
            vehicle = DemoVehicle(case.vin, case.engine_number or "", case.brand_model or "", case.plate)
            for kind in kinds:
                data = self.filer.pictures.document(kind, owner, vehicle)
                upload_document(self.ctx, citizen, case.id or 0, kind=kind.value, data=data)
                self.clock.tick()
            with self.ctx.db.write() as session:
                return finish_supplement(session, self.ctx, citizen, case.id or 0)

        return run

    def rate(self, stars: int, comment: str = "") -> StepAction:
        """The applicant rates the completed case."""

        def run(case: Case | None) -> Case:
            assert case is not None and case.applicant_phone
            citizen = Actor(role=Role.CITIZEN, phone=case.applicant_phone)
            with self.ctx.db.write() as session:
                rate_case(
                    session,
                    self.ctx,
                    citizen,
                    case.id or 0,
                    RatingIn(stars=stars, comment=comment),
                )
                fresh = session.get(Case, case.id)
            assert fresh is not None
            return fresh

        return run

    def complain(self, text: str) -> StepAction:
        """The applicant writes a complaint about the handling."""

        def run(case: Case | None) -> Case:
            assert case is not None and case.applicant_phone
            citizen = Actor(role=Role.CITIZEN, phone=case.applicant_phone)
            with self.ctx.db.write() as session:
                file_complaint(session, self.ctx, citizen, case.id or 0, ComplaintIn(text=text))
                fresh = session.get(Case, case.id)
            assert fresh is not None
            return fresh

        return run

    # --- playing ------------------------------------------------------------------------

    def play(self, stories: list[Story], *, until: datetime) -> list[Case]:
        """Run every step in time order; steps planned after `until` are left out. The cases as they end."""
        cases: dict[int, Case] = {}
        queue = [(story.steps[0][0], n, 0) for n, story in enumerate(stories) if story.steps]
        heapq.heapify(queue)
        while queue:
            at, n, k = heapq.heappop(queue)
            if at >= until:
                continue
            self.clock.move_to(at)
            cases[n] = stories[n].steps[k][1](cases.get(n))
            if k + 1 < len(stories[n].steps):
                # A step never starts before the one that went just before it had finished.
                heapq.heappush(queue, (max(stories[n].steps[k + 1][0], self.clock.now()), n, k + 1))
        return [cases[n] for n in sorted(cases)]
