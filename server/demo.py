"""Demo data: staff of every role and citizens' cases in every stage, made through the real services.

First six months of past cases at eight windows (`server.demo_history`: what
the coordinator's board, statistics and signals show), then the demo day's
cases in every stage (`server.demo_cases`), on one clock that only moves
forward. Nothing is written behind the services' backs: every case has its
events, dispatch decision and SMS messages, and the audit chain verifies.
Only a fresh database is filled, and only with the SMS outbox.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from common.catalog import load_catalog
from common.enums import Role
from server.actor import Actor
from server.context import AppContext
from server.demo_cases import CITIZEN_PHONE, TINGHU, CaseFiler, DemoCase, DemoClock
from server.demo_history import HISTORY_DAYS, History, HistorySummary
from server.demo_people import WINDOW_CLERKS
from server.demo_pictures import SketchPictures
from server.demo_timeline import Timeline
from server.models import Case, StaffUser
from server.pool import create_user, seed_pool

__all__ = ["CITIZEN_PHONE", "DEMO_PASSWORD", "STAFF", "DemoLogins", "DemoRefused", "demo_logins", "fill_demo"]

DEMO_PASSWORD = "demo-pass-2026"

# username, role, display name, member, county. The coordinator comes last: its
# presence marks a complete demo (see `demo_loaded`).
StaffRow = tuple[str, Role, str, str | None, str | None]
STAFF: tuple[StaffRow, ...] = (
    ("picc_tinghu", Role.CLERK, "王经办", "picc", TINGHU),
    ("cpic_tinghu", Role.CLERK, "陈经办", "cpic", TINGHU),
    ("picc_supervisor", Role.SUPERVISOR, "刘主管", "picc", None),
    ("coordinator", Role.COORDINATOR, "周协调", None, None),
)
# The clerks of the other windows the demo's past was handled at (not listed with the logins above).
HISTORY_STAFF: tuple[StaffRow, ...] = tuple(
    (username, Role.CLERK, name, member, county) for username, name, member, county in WINDOW_CLERKS
)


@dataclass(frozen=True)
class DemoLogin:
    """One staff account of the demo."""

    username: str
    password: str
    role: Role
    member: str | None
    county: str | None


@dataclass(frozen=True)
class DemoLogins:
    """What to tell the person trying the demo."""

    staff: tuple[DemoLogin, ...]
    citizen_phone: str
    cases: tuple[DemoCase, ...] = ()
    history: HistorySummary | None = None


class DemoRefused(Exception):
    """The demo will not fill this database; `already_loaded` when it is there already."""

    def __init__(self, message: str, *, already_loaded: bool) -> None:
        super().__init__(message)
        self.message = message
        self.already_loaded = already_loaded


def demo_logins() -> DemoLogins:
    """The demo's accounts (they do not depend on the database)."""
    catalog = load_catalog()
    return DemoLogins(
        staff=tuple(
            DemoLogin(
                name,
                DEMO_PASSWORD,
                role,
                catalog.member_names.get(member or ""),
                catalog.county_names.get(county or ""),
            )
            for name, role, _, member, county in STAFF
        ),
        citizen_phone=CITIZEN_PHONE,
    )


def format_logins(logins: DemoLogins) -> str:
    """The logins (and cases) as a small table for the console."""
    lines = [
        "Demo logins:",
        "  " + _columns(("username", 18), ("password", 17), ("role", 13), ("member", 10), ("county", 0)),
    ]
    for login in logins.staff:
        lines.append(
            "  "
            + _columns(
                (login.username, 18),
                (login.password, 17),
                (login.role.value, 13),
                (login.member or "-", 10),
                (login.county or "-", 0),
            )
        )
    lines.append(
        f"Citizen: phone {logins.citizen_phone} on the /m/ pages; read the login code with "
        f"`no1window-server sms outbox --phone {logins.citizen_phone}`."
    )
    if logins.history is not None:
        past = logins.history
        lines.append(
            f"History: {past.completed} completed and {past.rejected} rejected applications over the last "
            f"{past.months} months, also at the windows of {', '.join(past.clerks)} (same password)."
        )
    if logins.cases:
        lines.append("Cases:")
        lines += [
            "  "
            + _columns(
                (c.number, 17), (c.status.value, 22), (c.status.label, 12), (c.member or "-", 10), (c.applicant, 0)
            )
            for c in logins.cases
        ]
    return "\n".join(lines)


def _columns(*cells: tuple[str, int]) -> str:
    """Cells padded to display widths: a Chinese character takes two columns on a terminal."""
    out = []
    for text, width in cells:
        shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        out.append(text + " " * max(width - shown, 1 if width else 0))
    return "".join(out).rstrip()


def demo_loaded(session: Session) -> bool:
    """Whether a complete demo is in the database (its last account exists)."""
    return session.exec(select(StaffUser).where(StaffUser.username == STAFF[-1][0])).first() is not None


def fill_demo(ctx: AppContext) -> DemoLogins:
    """Fill a fresh database (schema at head) with the pool, demo staff and demo cases.

    Raises DemoRefused when the demo is there already, when the database
    holds other data, or when SMS would leave the outbox (the demo's phone
    numbers are made up: nobody may be texted).
    """
    if not ctx.sms.gateway.is_outbox:
        raise DemoRefused(
            "The demo only runs with the SMS outbox: its phone numbers are made up.", already_loaded=False
        )
    with ctx.db.write() as session:
        if demo_loaded(session):
            raise DemoRefused("Demo data is already loaded; nothing changed.", already_loaded=True)
        cases = session.exec(select(func.count()).select_from(Case)).one()
        users = session.exec(select(func.count()).select_from(StaffUser)).one()
        if cases or users:
            raise DemoRefused(
                f"The database already holds {cases} cases and {users} staff accounts: the demo only fills a fresh one "
                "(point NO1WINDOW_DATA_DIR or NO1WINDOW_DATABASE_URL at an empty database).",
                already_loaded=False,
            )
        seed_pool(session, ctx.catalog)
    # One clock for the whole demo, moving forward only: the past first (from a week before its
    # first case, when the staff accounts are opened), then the demo day's last three hours.
    clock = DemoClock(ctx.clock, hours_back=(HISTORY_DAYS + 7) * 24)
    demo_ctx = dataclasses.replace(ctx, clock=clock)
    staff = _create_staff(ctx, STAFF[:-1] + HISTORY_STAFF, now=clock.now())
    day_starts = ctx.clock.now() - timedelta(hours=3)
    past = CaseFiler(demo_ctx, clock, pictures=SketchPictures.on_this_machine(), first_serial=1000)
    history = History(Timeline(demo_ctx, clock, past), staff, staff["picc_supervisor"], now=ctx.clock.now())
    summary = history.fill(until=day_starts)
    clock.move_to(day_starts)
    # On the demo day picc_supervisor acts on nothing: the escalated case waits for whoever tries the demo.
    made = CaseFiler(demo_ctx, clock).fill(staff["picc_tinghu"], staff["cpic_tinghu"])
    _create_staff(ctx, STAFF[-1:], now=clock.now())
    return dataclasses.replace(demo_logins(), cases=tuple(made), history=summary)


def _create_staff(ctx: AppContext, rows: tuple[StaffRow, ...], *, now: datetime) -> dict[str, Actor]:
    """The accounts, all with the demo password; as actors for the services, by username."""
    actors: dict[str, Actor] = {}
    with ctx.db.write() as session:
        for username, role, display_name, member, county in rows:
            user = create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display_name,
                now=now,
                member_code=member,
                county_code=county,
            )
            actors[username] = Actor(
                role=role,
                user_id=user.id,
                display_name=display_name,
                member_code=user.member_code,
                county_code=user.county_code,
            )
    return actors
