"""The demo's past: six months of applications before the demo day, for the coordinator's pages.

The board, the statistics and the signals (预警) need history to show
anything: completed cases in every month, of every vehicle category, at
several members' windows in several counties, with their handling times,
rejections and ratings. It is made like the demo day's cases: each step is
the service the API calls, at the time it happens (`demo_timeline`), so the
cases' timelines, SMS and the audit chain are what a real server would hold.

What is planned on purpose, for the signals page:

* one phone applying for five different owners within a month (an
  intermediary at work: the default rule flags three);
* a case accepted and then left, now more than a day past its deadline,
  whose applicant complains;
* a low rating after a case that needed a supplement and took days.

The rest is drawn from a seeded random generator: the same data for the same
demo day. Motorcycles come online from citizens; the other categories are
entered at the counter by the window's clerk. Past cases are routed to the
windows that have a clerk (the same liberty as `demo_cases` takes), and their
pictures are small (`SketchPictures`). All past steps end before the demo day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.enums import BusinessType, DocumentKind, VehicleCategory
from server.actor import Actor
from server.cases.action_review import accept
from server.cases.supplement import request_supplement
from server.clock import local
from server.demo_cases import YANDU, CaseFiler
from server.demo_people import (
    DAFENG,
    VEHICLES,
    WINDOW_CLERKS,
    WINDOW_WEIGHTS,
    People,
)
from server.demo_stories import Stories
from server.demo_timeline import Story, Timeline

HISTORY_DAYS = 183
INTERMEDIARY_PHONE = "13900000021"
SEED = 20260310


@dataclass(frozen=True)
class HistorySummary:
    """What the past holds, for the console."""

    completed: int
    rejected: int
    months: int
    clerks: tuple[str, ...]


class History:
    """Plans the past cases (`plan`) and plays them (`fill`) through a `Timeline`."""

    def __init__(
        self,
        timeline: Timeline,
        clerks: dict[str, Actor],
        supervisor: Actor,
        *,
        now: datetime,
    ) -> None:
        self.timeline = timeline
        self.filer: CaseFiler = timeline.filer
        self.clerks = clerks
        self.rng = random.Random(SEED)
        self.people = People(self.rng)
        self.stories = Stories(timeline, self.rng, self.people, supervisor)
        self.today = local(now).date()

    def fill(self, *, until: datetime) -> HistorySummary:
        """File the past (nothing at or after `until`, the demo day's start); how much there is."""
        until = min(until, self.timeline.at(self.today, 0))
        cases = self.timeline.play(self.plan(), until=until)
        return HistorySummary(
            completed=sum(c.status == "completed" for c in cases),
            rejected=sum(c.status == "rejected" for c in cases),
            months=HISTORY_DAYS // 30,
            clerks=tuple(username for username, *_ in WINDOW_CLERKS),
        )

    def plan(self) -> list[Story]:
        """One story per past case: the random everyday ones and the three the signals page needs."""
        days = self.timeline.working_days(self.today - timedelta(days=HISTORY_DAYS), self.today - timedelta(days=1))
        stories = []
        # The last two working days before the demo day are left for cases to finish in.
        for day in days[:-2]:
            for _ in range(self.rng.choice((0, 0, 1, 1, 1, 1, 2))):
                stories.append(self.everyday(day))
        stories += self.intermediary(days)
        stories.append(self.left_overdue(days))
        stories.append(self.slow_and_rated_low(days))
        return stories

    # --- everyday cases ---------------------------------------------------------------

    def everyday(self, day: date) -> Story:
        """A case of a random window and category, mostly completed the same day."""
        username = self.rng.choices(list(WINDOW_WEIGHTS), weights=list(WINDOW_WEIGHTS.values()))[0]
        clerk = self.clerks[username]
        shares = [kind.share for kind in VEHICLES.values()]
        category = self.rng.choices(list(VEHICLES), weights=shares)[0]
        roll = self.rng.random()
        outcome = "rejected" if roll < 0.09 else "supplement" if roll < 0.17 else "completed"
        if category is VehicleCategory.MOTORCYCLE:
            return self.stories.online(day, clerk, outcome=outcome)
        return self.stories.counter(
            day,
            clerk,
            category,
            outcome="rejected" if outcome == "rejected" else "completed",
        )

    def intermediary(self, days: list[date]) -> list[Story]:
        """One phone, five owners in four weeks at 响水县: four completed, the fifth refused.

        Five, not the rule's three: the demo citizen's phone, which applies for
        four owners on the demo day, is flagged too, and this is the one to
        show first (the page lists the most owners first).
        """
        clerk = self.clerks["dajia_xiangshui"]
        stories = [
            self.stories.online(
                self.working_day_before(days, back),
                clerk,
                outcome="completed",
                phone=INTERMEDIARY_PHONE,
            )
            for back in (26, 19, 14, 9)
        ]
        refused = "申请手机号并非车主本人,且无法联系车主核实,请车主本人申请"
        day = self.working_day_before(days, 5)
        return [
            *stories,
            self.stories.online(day, clerk, outcome="rejected", phone=INTERMEDIARY_PHONE, reason=refused),
        ]

    def left_overdue(self, days: list[date]) -> Story:
        """Accepted at 大丰区 and then left: more than a day past its deadline, and the applicant complains."""
        t, clerk = self.timeline, self.clerks["chinalife_dafeng"]
        now = t.at(self.today, 0)
        # The latest working day whose closing (the deadline of a morning filing) is 30 hours before the demo day.
        day = next(d for d in reversed(days) if t.at(d, 17.5) <= now - timedelta(hours=30))
        owner, phone = self.people.owner(DAFENG)
        story = Story()
        at = story.then(
            t.at(day, 9.6),
            lambda _: self.filer.online(owner, BusinessType.NEW, phone, to="chinalife", county=DAFENG),
        )
        at = story.then(t.staff_after(at, 35), self.stories.staff(accept, clerk))
        story.then(
            at + timedelta(hours=26),
            t.complain("提交两天了一直显示审核中,打窗口电话也没人接,请尽快处理"),
        )
        return story

    def slow_and_rated_low(self, days: list[date]) -> Story:
        """盐都区: a supplement, a slow approval and two stars for it."""
        t, clerk = self.timeline, self.clerks["pingan_yandu"]
        owner, phone = self.people.owner(YANDU)
        story = Story()
        at = story.then(
            t.at(self.working_day_before(days, 10), 10.2),
            lambda _: self.filer.online(owner, BusinessType.NEW, phone, to="pingan", county=YANDU),
        )
        at = story.then(t.staff_after(at, 50), self.stories.staff(accept, clerk))
        at = story.then(
            t.staff_after(at, 30),
            self.stories.staff(
                request_supplement,
                clerk,
                kinds=[DocumentKind.PURCHASE_INVOICE],
                message="发票照片反光,请重新拍摄",
            ),
        )
        at = story.then(at + timedelta(hours=3), t.supplement([DocumentKind.PURCHASE_INVOICE]))
        at = story.then(t.staff_after(at, 9 * 60), self.stories.unanswered_call(clerk))
        at = self.stories.pay_and_issue(
            story,
            t.staff_after(at, 6 * 60),
            clerk,
            VehicleCategory.MOTORCYCLE,
            customer_hours=2,
        )
        story.then(
            at + timedelta(hours=4),
            t.rate(2, "补了一次发票照片,前后等了三天才拿到保单,电话也不好打通"),
        )
        return story

    # --- helpers ----------------------------------------------------------------------------

    def working_day_before(self, days: list[date], calendar_days: int) -> date:
        """The last working day at least `calendar_days` before the demo day."""
        return next(d for d in reversed(days) if d <= self.today - timedelta(days=calendar_days))
