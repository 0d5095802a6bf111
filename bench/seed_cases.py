"""A benchmark database: the pool, three staff users and N cases with their hash-chained events.

Cases and events are written with SQLAlchemy core `executemany` in batches,
because filing 100,000 cases through the services would take hours. What the
server's own code defines is reused: the schema (`upgrade_to_head`), the pool
(`seed_pool`), users (`create_user`), deadlines (`initial_deadline`,
`escalated_deadline` on the real holiday calendar), ID and VIN check
characters, actor labels, and every event's hash (`event_hash`), so that
`no1window-server audit verify` accepts the chain.

The mix follows the first year's figures (DESIGN.md §1) and a running
service: ~62 % motorcycles, most cases finished over the last two years,
about 5.5 % open (submitted in the last days, deadlines around "now", a
part of them overdue), 1 % drafts. Members get unequal shares (人保财险 the largest),
counties roughly by population. Each case gets the events that matter for
the feed and the audit trail, not its whole life: submit and dispatch, plus
the action that brought it to its present status (drafts: create). That is
2.97 events per case, 297,017 for 100,000 cases (a completed case really has
about twelve; 1.2 million rows would take minutes to hash and insert).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import SQLModel, select

from common.catalog import load_catalog
from common.consent import load_consent
from common.enums import Action, BusinessType, Channel, Role
from common.resources import resources_dir
from common.validators import resident_id_check_char, vin_check_digit
from server.actor import SYSTEM, Actor
from server.audit.chain import GENESIS_HASH, event_hash
from server.clock import LOCAL_ZONE, local
from server.db import Database
from server.models import Branch, CaseCounter, ChainHead, Event
from server.models import Case as CaseRow
from server.pool import create_user, seed_pool
from server.schema import upgrade_to_head
from server.sla.calendar import WorkCalendar
from server.sla.deadlines import WorkingHours, escalated_deadline, initial_deadline

STAFF_PASSWORD = "bench-password-2026"
CLERK, SUPERVISOR, COORDINATOR = "bench.clerk", "bench.supervisor", "bench.coordinator"
# The clerk sits at the busiest window: the largest member in the city's central district.
CLERK_MEMBER, CLERK_COUNTY = "picc", "320902"
BATCH = 5000
HISTORY_DAYS = 730
FINISHED = ("completed", "rejected", "cancelled")

# Relative weights: counties roughly by population, members by market share, categories and
# statuses as a service that has run for two years (DESIGN.md §1: ~62 % motorcycles).
COUNTY_WEIGHTS = {
    "320902": 7, "320903": 7, "320904": 7, "320921": 5, "320922": 9,
    "320923": 8, "320924": 9, "320925": 7, "320981": 11,
}  # fmt: skip
MEMBER_WEIGHTS = {
    "picc": 30, "cpic": 15, "pingan": 15, "chinalife": 10, "cic": 9, "sunshine": 7, "zijin": 9, "dajia": 5,
}  # fmt: skip
CATEGORY_WEIGHTS = {
    "motorcycle": 620, "operating_truck": 150, "nonoperating_truck": 180,
    "special": 40, "operating_bus": 6, "tractor": 4,
}  # fmt: skip
STATUS_WEIGHTS = {
    "completed": 880, "rejected": 25, "cancelled": 30, "draft": 10, "submitted": 1, "assigned": 10, "reviewing": 12,
    "supplement_requested": 8, "escalated": 3, "awaiting_payment": 12, "paid": 4, "offline": 5,
}  # fmt: skip
# The action that brought a case to its present status (its third event).
LAST_ACTION = {
    "reviewing": Action.ACCEPT, "supplement_requested": Action.REQUEST_SUPPLEMENT, "escalated": Action.ESCALATE,
    "awaiting_payment": Action.APPROVE, "paid": Action.RECORD_PAYMENT, "offline": Action.MOVE_OFFLINE,
    "completed": Action.ISSUE_POLICY, "rejected": Action.REJECT, "cancelled": Action.CANCEL,
}  # fmt: skip
PREMIUM = {
    "motorcycle": "120.00", "operating_truck": "2800.00", "nonoperating_truck": "1850.00", "special": "3150.00",
    "operating_bus": "3200.00", "tractor": "180.00",
}  # fmt: skip
CLOSING_REASON = {"rejected": "材料不符合承保条件", "cancelled": "申请人撤销"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "建国军华明丽芳伟强秀英桂兰志刚海燕春梅红霞玉兰永红德明金凤立新文杰小平晓东"
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # no I, no O (GA 36)
MOTORCYCLE_MODELS = (
    "雅迪 YD1200DT",
    "爱玛 AM1000DT",
    "新日 XR1200DT",
    "五羊本田 WH125-12",
    "钱江 QJ150-18A",
    "豪爵 HJ125-8",
)
TRUCK_MODELS = ("解放 CA1180P62K1L5", "东风 DFH1180BX1V", "重汽 ZZ1257N5847E1", "福田 BJ1043V9JEA", "江淮 HFC1043P91K1")
OTHER_MODELS = ("徐工 XZJ5311JQZ25K", "宇通 ZK6809HQB", "东方红 LX904")


@dataclass(frozen=True)
class SeedReport:
    """What was written and how long it took."""

    cases: int
    events: int
    head_seq: int
    seconds: float
    statuses: dict[str, int]
    clerk_scope_cases: int


@cache
def _hours() -> WorkingHours:
    return WorkingHours()


@cache
def _calendar() -> WorkCalendar:
    return WorkCalendar.from_file(resources_dir() / "holidays_cn.toml")


@cache
def _deadline_on(day: date, before_cutoff: bool) -> datetime:
    # A deadline depends only on the local day and which side of the cut-off: cached, 100,000 calls become ~1,500.
    at = datetime.combine(day, _hours().start if before_cutoff else _hours().end, tzinfo=LOCAL_ZONE)
    return initial_deadline(at, calendar=_calendar(), hours=_hours()).astimezone(UTC)


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _id_number(rng: random.Random, county: str) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(52 * 365))
    first17 = f"{county}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def _vin(rng: random.Random, serial: int, category: str) -> str:
    wmi = rng.choice(("LAE", "LBP", "LWB", "LXM") if category == "motorcycle" else ("LFW", "LGA", "LZZ", "LFN"))
    # WMI, 5 characters of description, check digit (position 9, filled in below), year, plant, serial.
    draft = f"{wmi}{''.join(rng.choices(VIN_ALPHABET, k=5))}0{rng.choice('LMNPRST')}{rng.choice('ABCDEF')}{serial:06d}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"


def _submitted_at(rng: random.Random, status: str, now: datetime) -> datetime:
    """Finished cases over the last two years; open ones in the last days (mean one day back)."""
    if status in FINISHED:
        back = timedelta(days=rng.uniform(1, HISTORY_DAYS))
    else:
        back = timedelta(hours=min(rng.expovariate(1 / 24), 24 * 10))
    return (now - back).replace(microsecond=rng.randrange(1_000_000))


def _case_row(
    rng: random.Random, index: int, now: datetime, pick: dict[str, Any], users: dict[str, int]
) -> dict[str, Any]:
    """One case row with every column set (executemany needs the same keys in every row)."""
    status, category, county, member = pick["status"], pick["category"], pick["county"], pick["member"]
    channel = Channel.ONLINE.value if category == "motorcycle" and rng.random() < 0.75 else Channel.COUNTER.value
    business = BusinessType.RENEWAL.value if rng.random() < 0.6 else BusinessType.NEW.value
    phone = _phone(rng)
    submitted = None if status == "draft" else _submitted_at(rng, status, now)
    created = (submitted or now - timedelta(days=rng.uniform(0, 30))) - timedelta(minutes=rng.uniform(5, 60))
    assigned = status not in ("draft", "submitted")
    due = None
    if submitted is not None:
        day = local(submitted)
        due = _deadline_on(day.date(), day.time() < _hours().same_day_cutoff)
        if status == "escalated":
            due = escalated_deadline(submitted, calendar=_calendar(), hours=_hours()).astimezone(UTC)
    finished = submitted + timedelta(hours=rng.uniform(0.5, 7)) if submitted and status in FINISHED else None

    def later(hours: float) -> datetime | None:
        # A step some time after submission, never in the future (open cases may be minutes old).
        return min(submitted + timedelta(hours=hours), now) if submitted else None

    step_hours = {"paid": 0.4, "supplement_requested": 1.0}.get(status, 0.3)
    last_step = finished or (later(step_hours) if status in LAST_ACTION else None)
    at_clerk = assigned and member == CLERK_MEMBER and county == CLERK_COUNTY
    paid = status in ("paid", "completed")
    priced = paid or status == "awaiting_payment"
    return {
        "id": index + 1,
        "number": "",  # numbered per local day once all rows exist (see seed_cases)
        "channel": channel,
        "category": category,
        "business_type": business,
        "county_code": county,
        "status": status,
        "version": 1,
        "owner_name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "owner_id_number": _id_number(rng, county),
        "owner_phone": phone,
        "plate": "苏J" + "".join(rng.choices(PLATE_ALPHABET, k=5)) if business == "renewal" else None,
        "vin": _vin(rng, index + 1, category),
        "engine_number": f"EN{rng.randrange(10**8):08d}",
        "brand_model": rng.choice(
            MOTORCYCLE_MODELS if category == "motorcycle" else TRUCK_MODELS if "truck" in category else OTHER_MODELS
        ),
        "displacement_cc": rng.choice((None, 125, 150)) if category == "motorcycle" else None,
        "power_kw": Decimal("1.20") if category == "motorcycle" else Decimal(rng.randrange(60, 300)),
        "applicant_phone": phone if channel == "online" else None,
        "created_by_user_id": users[CLERK] if channel == "counter" and at_clerk else None,
        "member_code": member if assigned else None,
        "branch_id": pick["branch_id"] if assigned else None,
        "handler_user_id": users[CLERK] if at_clerk and status != "assigned" else None,
        "created_at": created,
        "updated_at": last_step or submitted or created,
        "submitted_at": submitted,
        "dispatched_at": submitted if assigned else None,
        "due_at": due,
        "sla_paused_at": later(1) if status == "supplement_requested" else None,
        "sla_paused_seconds": 0,
        "escalated": status == "escalated",
        "finished_at": finished,
        "consent_version": pick["consent"] if submitted else None,
        "consent_at": submitted,
        "supplement_round": 1 if status == "supplement_requested" else 0,
        "supplement_kinds": ["purchase_invoice"] if status == "supplement_requested" else None,
        "supplement_message": "发票照片反光,请重新拍摄" if status == "supplement_requested" else None,
        "premium": Decimal(PREMIUM[category]) if priced else None,
        "payment_link": f"https://pay.example.com/ctpl/{index + 1}" if priced else None,
        "paid_at": later(0.4) if paid else None,
        "payment_reference": f"PAY{index + 1:010d}" if paid else None,
        "policy_number": f"PDZA{index + 1:012d}" if status == "completed" else None,
        "policy_link": f"https://policy.example.com/{index + 1}" if status == "completed" else None,
        "policy_document_id": None,
        "closing_reason": CLOSING_REASON.get(status),
    }


def _case_events(case: dict[str, Any], clerk: Actor) -> list[dict[str, Any]]:
    """The events this case keeps in the benchmark's history (see the module docstring)."""
    status, member, submitted = case["status"], case["member_code"], case["submitted_at"]
    applicant = _applicant(case, clerk)
    if status == "draft":
        created = {"channel": case["channel"], "category": case["category"]}
        return [_event(case, Action.CREATE, "draft", applicant, case["created_at"], created, member=None)]
    consent = {"consent_version": case["consent_version"]}
    events = [_event(case, Action.SUBMIT, "submitted", applicant, submitted, consent, member=None)]
    if status == "submitted":  # no window available: waits in the coordinator's unassigned queue
        waiting = {"rule": "no_member_available", "member_code": None}
        return [*events, _event(case, Action.DISPATCH, "submitted", SYSTEM, submitted, waiting, member=None)]
    dispatched = {"rule": "weighted_round_robin", "member_code": member}
    events.append(_event(case, Action.DISPATCH, "assigned", SYSTEM, submitted, dispatched, member=member))
    action = LAST_ACTION.get(status)
    if action is not None:
        window = (
            clerk if case["handler_user_id"] else Actor(role=Role.CLERK, display_name=f"{member}-{case['county_code']}")
        )
        by = applicant if action is Action.CANCEL else window
        events.append(_event(case, action, status, by, case["updated_at"], {}, member=member))
    return events


def _applicant(case: dict[str, Any], clerk: Actor) -> Actor:
    if case["channel"] == "online":
        return Actor(role=Role.CITIZEN, phone=case["applicant_phone"])
    return clerk if case["created_by_user_id"] else Actor(role=Role.CLERK, display_name=f"柜台-{case['county_code']}")


def _event(
    case: dict[str, Any],
    action: Action,
    status: str,
    actor: Actor,
    at: datetime,
    payload: dict[str, Any],
    *,
    member: str | None,
) -> dict[str, Any]:
    """An event row; `seq` and the hashes are filled in once all events are in time order (`_chain`)."""
    return {
        "seq": 0, "case_id": case["id"], "action": action.value, "status_after": status,
        "actor_role": actor.role.value, "actor_user_id": actor.user_id, "actor_label": actor.label,
        "member_code": member, "county_code": case["county_code"], "previous_member_code": None,
        "payload": payload, "created_at": at, "prev_hash": "", "hash": "",
    }  # fmt: skip


def _number_cases(cases: list[dict[str, Any]]) -> dict[str, int]:
    """YC<local day>-NNNN in order of creation within each day; returns each day's last number."""
    last: Counter[str] = Counter()
    for case in sorted(cases, key=lambda c: c["created_at"]):
        day = local(case["created_at"]).strftime("%Y%m%d")
        last[day] += 1
        case["number"] = f"YC{day}-{last[day]:04d}"
    return dict(last)


def _chain(events: list[dict[str, Any]]) -> str:
    """Sequence numbers in time order and the hash chain, computed by the server's own `event_hash`."""
    events.sort(key=lambda e: (e["created_at"], e["case_id"]))
    previous = GENESIS_HASH
    for seq, event in enumerate(events, start=1):
        event["seq"], event["prev_hash"] = seq, previous
        # event_hash only reads attributes: a namespace stands in for Event, whose
        # construction (validation) would cost ~180 µs each, about a minute here.
        event["hash"] = previous = event_hash(cast(Event, SimpleNamespace(**event)))
    return previous


def _insert(database: Database, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Rows in batches of executemany, in one transaction (core: no ORM objects for 400,000 rows)."""
    with database.engine.begin() as connection:
        # A large page cache for this connection: the cases table has nine indexes, and with
        # SQLite's default 2 MB most index pages would be written out and read back per batch.
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(model), rows[start : start + BATCH])


def seed_cases(database: Database, *, cases: int, now: datetime, seed: int = 2026) -> SeedReport:
    """Schema, pool, users (password STAFF_PASSWORD), `cases` cases and their events; deterministic per `seed`."""
    started = time.perf_counter()
    rng = random.Random(seed)
    upgrade_to_head(database)
    with database.write() as session:
        seed_pool(session, load_catalog())
        users = {
            name: create_user(session, username=name, password=STAFF_PASSWORD, role=role, display_name=label, now=now,
                              member_code=member, county_code=county).id or 0
            for name, role, label, member, county in (
                (CLERK, Role.CLERK, "王窗口", CLERK_MEMBER, CLERK_COUNTY),
                (SUPERVISOR, Role.SUPERVISOR, "李审批", CLERK_MEMBER, None),
                (COORDINATOR, Role.COORDINATOR, "赵协调", None, None),
            )
        }  # fmt: skip
        branches = {(b.member_code, b.county_code): b.id for b in session.exec(select(Branch)).all()}
    clerk = Actor(
        Role.CLERK, user_id=users[CLERK], display_name="王窗口", member_code=CLERK_MEMBER, county_code=CLERK_COUNTY
    )
    consent = load_consent().version
    picks = zip(
        _weighted(rng, STATUS_WEIGHTS, cases), _weighted(rng, CATEGORY_WEIGHTS, cases),
        _weighted(rng, COUNTY_WEIGHTS, cases), _weighted(rng, MEMBER_WEIGHTS, cases), strict=True,
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for index, (status, category, county, member) in enumerate(picks):
        pick: dict[str, Any] = {"status": status, "category": category, "county": county, "member": member}
        pick |= {"branch_id": branches[(member, county)], "consent": consent}
        row = _case_row(rng, index, now, pick, users)
        history = _case_events(row, clerk)
        # Like `record`: every event moves the case on one version and names the version it made.
        for step, event in enumerate(history, start=1):
            event["payload"] = {"version": 1 + step, **event["payload"]}
        row["version"] = 1 + len(history)
        rows.append(row)
        events.extend(history)
    last_numbers = _number_cases(rows)
    head_hash = _chain(events)
    _insert(database, CaseRow, rows)
    _insert(database, Event, events)
    # New cases filed during the benchmark take the numbers after the seeded ones.
    _insert(database, CaseCounter, [{"day": day, "last": last} for day, last in last_numbers.items()])
    with database.write() as session:
        head = session.get(ChainHead, 1) or ChainHead(id=1)
        head.seq, head.hash = len(events), head_hash
        session.add(head)
    statuses = Counter(row["status"] for row in rows)
    in_scope = sum(1 for r in rows if r["member_code"] == CLERK_MEMBER and r["county_code"] == CLERK_COUNTY)
    return SeedReport(
        cases=len(rows), events=len(events), head_seq=len(events), seconds=time.perf_counter() - started,
        statuses=dict(statuses.most_common()), clerk_scope_cases=in_scope,
    )  # fmt: skip
