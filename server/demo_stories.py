"""One past case as a story: what happens to it and when, from filing to the rating.

A story is planned ahead (`demo_timeline.Story`): each step is a service
call at the time it happens. Staff steps fall in the windows' opening hours
(`Timeline.staff_after`); citizens file, pay and rate at any hour. The
dice (a seeded `random.Random`) choose the hours, the business type, how
long the customer takes to pay and whether they rate.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from common.enums import BusinessType, CallOutcome, DocumentKind, VehicleCategory
from server.actor import Actor
from server.cases.action_contact import log_call
from server.cases.action_payment import approve, issue_policy, record_payment
from server.cases.action_review import accept, decide, escalate, reject
from server.cases.supplement import request_supplement
from server.demo_cases import TINGHU, CaseFiler
from server.demo_people import PRAISE, REJECTIONS, VEHICLES, People
from server.demo_timeline import StepAction, Story, Timeline
from server.models import Case


class Stories:
    """Plans the stories of past cases at the demo's windows."""

    def __init__(self, timeline: Timeline, rng: random.Random, people: People, supervisor: Actor) -> None:
        self.timeline = timeline
        self.filer: CaseFiler = timeline.filer
        self.rng = rng
        self.people = people
        # picc's supervisor, who lets picc's escalated cases proceed.
        self.supervisor = supervisor

    def online(
        self,
        day: date,
        clerk: Actor,
        *,
        outcome: str,
        phone: str | None = None,
        reason: str | None = None,
    ) -> Story:
        """A citizen's motorcycle application, filed in a working day's daytime or evening."""
        t, rng = self.timeline, self.rng
        business_type = BusinessType.NEW if rng.random() < 2 / 3 else BusinessType.RENEWAL
        owner, own_phone = self.people.owner(clerk.county_code or TINGHU)
        phone = phone or own_phone
        story = Story()
        # A quarter apply after the day's cut-off, in the evening: their promise is the next working day.
        hour = rng.uniform(8, 16) if rng.random() < 0.75 else rng.uniform(16, 21.5)
        at = story.then(
            t.at(day, hour),
            lambda _: self.filer.online(
                owner,
                business_type,
                phone,
                to=clerk.member_code,
                county=clerk.county_code or TINGHU,
            ),
        )
        at = story.then(t.staff_after(at, rng.uniform(5, 45)), self.staff(accept, clerk))
        if outcome == "rejected":
            reason = reason or rng.choice(REJECTIONS)
            story.then(
                t.staff_after(at, rng.uniform(10, 60)),
                self.staff(reject, clerk, reason=reason),
            )
            return story
        if outcome == "supplement":
            kind = DocumentKind.PURCHASE_INVOICE if business_type is BusinessType.NEW else DocumentKind.ID_BACK
            at = story.then(
                t.staff_after(at, rng.uniform(10, 40)),
                self.staff(
                    request_supplement,
                    clerk,
                    kinds=[kind],
                    message="照片模糊看不清,请重新拍摄上传",
                ),
            )
            at = story.then(at + timedelta(hours=rng.uniform(1, 20)), t.supplement([kind]))
        elif clerk.member_code == "picc" and rng.random() < 0.1:
            at = story.then(
                t.staff_after(at, rng.uniform(10, 40)),
                self.staff(escalate, clerk, reason="车主年满70周岁,按规定请上级确认"),
            )
            at = story.then(
                t.staff_after(at, rng.uniform(60, 600)),
                self.staff(decide, self.supervisor, comment="同意承保"),
            )
        at = self.pay_and_issue(
            story,
            at,
            clerk,
            VehicleCategory.MOTORCYCLE,
            customer_hours=rng.uniform(0.2, 5),
        )
        if rng.random() < 0.6:
            stars = rng.choice((5, 5, 5, 5, 5, 4, 4, 3))
            story.then(
                at + timedelta(hours=rng.uniform(0.5, 30)),
                t.rate(stars, rng.choice(PRAISE) if stars > 3 else ""),
            )
        return story

    def counter(self, day: date, clerk: Actor, category: VehicleCategory, *, outcome: str) -> Story:
        """A walk-in customer's vehicle: entered, checked and paid for during one visit to the window."""
        t, rng = self.timeline, self.rng
        owner, phone = self.people.owner(clerk.county_code or TINGHU)
        business_type = BusinessType.RENEWAL if rng.random() < 0.7 else BusinessType.NEW
        kind = VEHICLES[category]
        story = Story()

        def enter(_: Case | None) -> Case:
            vehicle = self.filer.vehicle(business_type, model=kind.model)
            return self.filer.intake(
                clerk,
                owner,
                vehicle,
                category,
                phone=phone,
                to=clerk.member_code,
                displacement_cc=kind.displacement_cc,
                power_kw=kind.power_kw,
            )

        at = story.then(t.staff_after(t.at(day, 8.5), rng.uniform(0, 7.5 * 60)), enter)
        at = story.then(t.staff_after(at, rng.uniform(2, 10)), self.staff(accept, clerk))
        if outcome == "rejected":
            story.then(
                t.staff_after(at, rng.uniform(5, 20)),
                self.staff(reject, clerk, reason=rng.choice(REJECTIONS)),
            )
            return story
        self.pay_and_issue(story, at, clerk, category, customer_hours=rng.uniform(0.1, 0.6))
        return story

    def pay_and_issue(
        self,
        story: Story,
        at: datetime,
        clerk: Actor,
        category: VehicleCategory,
        *,
        customer_hours: float,
    ) -> datetime:
        """Approval with the payment link, the customer paying (at any hour), the policy issued as a link."""
        t, rng = self.timeline, self.rng
        payment = {
            "payment_link": "https://pay.example.com/demo/ctpl",
            "premium": VEHICLES[category].premium,
        }
        at = story.then(t.staff_after(at, rng.uniform(5, 50)), self.staff(approve, clerk, **payment))
        # The clerk records the payment in working hours, with the time the customer paid.
        paid = at + timedelta(hours=customer_hours)
        at = story.then(
            t.staff_after(paid, rng.uniform(2, 15)),
            self.staff(record_payment, clerk, reference="DEMO-PAY", paid_at=paid),
        )

        def issue(case: Case | None) -> Case:
            assert case is not None
            number = f"DEMO{case.number.replace('-', '')}"
            link = f"https://epolicy.example.com/demo/{clerk.member_code}/{number}"
            return self.filer.act(issue_policy, clerk, case, policy_number=number, policy_link=link)

        return story.then(t.staff_after(at, rng.uniform(3, 25)), issue)

    # --- steps ---------------------------------------------------------------------------

    def staff(self, action: Callable[..., Case], actor: Actor, **fields: Any) -> StepAction:
        """A step: the staff action `action` by `actor` on the story's case."""

        def run(case: Case | None) -> Case:
            assert case is not None
            return self.filer.act(action, actor, case, **fields)

        return run

    def unanswered_call(self, clerk: Actor) -> StepAction:
        """A step: the clerk calls the applicant, who does not answer (logged a minute after dialling)."""

        def run(case: Case | None) -> Case:
            assert case is not None
            started = self.filer.clock.now() - timedelta(minutes=1)
            fields = {
                "outcome": CallOutcome.NO_ANSWER,
                "duration_seconds": 0,
                "started_at": started,
            }
            return self.filer.act(log_call, clerk, case, **fields)

        return run
