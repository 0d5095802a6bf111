"""The demo's cases: one per stage of the workflow, filed through the real services.

Every step is the function the API calls (create, upload, submit and
dispatch, accept, call, supplement request, escalation, approval, payment,
e-policy, rejection, cancellation), on a clock that starts a few hours back
and moves on a little with each step, so the timelines read naturally.

One liberty is taken so that the demo windows have a full queue: while a
亭湖区 case is submitted, only the window it should reach is switched on in
that county (the dispatch decision records exactly that), and the county's
availability is put back straight after. Cases elsewhere are dispatched as
they come.

People and documents are made up: placeholder names (张三, 李四, …), ID numbers
and VINs with valid check characters, and pictures stamped "示例 DEMO".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from common.consent import load_consent
from common.enums import (
    BusinessType,
    CallOutcome,
    CaseStatus,
    DocumentKind,
    Role,
    VehicleCategory,
)
from common.schemas.cases import ApplicationCreate, IntakeCreate, OwnerIn, VehicleIn
from common.validators import resident_id_check_char, vin_check_digit
from server.actor import Actor
from server.cases.action_contact import log_call
from server.cases.action_payment import approve, issue_policy, record_payment
from server.cases.action_review import accept, escalate, reject
from server.cases.applications import cancel_application, create_application
from server.cases.submission import submit_case
from server.cases.supplement import request_supplement
from server.cases.uploads import upload_document
from server.clock import Clock
from server.context import AppContext
from server.demo_pictures import DemoOwner, DemoPictures, DemoVehicle
from server.models import Branch, Case

CITIZEN_PHONE = "13900000001"
TINGHU = "320902"
YANDU = "320903"


@dataclass(frozen=True)
class DemoCase:
    """One demo case, for the summary."""

    number: str
    status: CaseStatus
    member: str | None
    applicant: str


class DemoClock:
    """Time for the demo: starts a few hours back and moves on a little with every step, never past now."""

    def __init__(self, real: Clock, *, hours_back: float = 3, step: timedelta = timedelta(minutes=2)) -> None:
        self.real = real
        self.step = step
        self._at = real.now() - timedelta(hours=hours_back)

    def now(self) -> datetime:
        return min(self._at, self.real.now())

    def tick(self) -> None:
        self._at += self.step

    def move_to(self, at: datetime) -> None:
        """Jump forward to `at`; never back, so events keep the order of their times."""
        self._at = max(self._at, at)


def resident_id(birth: date, sequence: int, region: str = TINGHU) -> str:
    """A made-up resident ID number of `region` with a valid check character."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def _vin(serial: int) -> str:
    draft = f"LDMYC12500T{serial:06d}"  # position 9 is the check digit, filled in below
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _owner(name: str, latin: str, birth: date, sequence: int) -> DemoOwner:
    # GB 11643: an odd sequence digit is a man, an even one a woman.
    return DemoOwner(name, latin, resident_id(birth, sequence), "男" if sequence % 2 else "女")


class CaseFiler:
    """Files the demo cases one service call at a time, the clock moving on between steps."""

    def __init__(
        self, ctx: AppContext, clock: DemoClock, *, pictures: DemoPictures | None = None, first_serial: int = 0
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.pictures = pictures or DemoPictures.on_this_machine()
        self.made: list[DemoCase] = []
        self._vehicles: dict[int, DemoVehicle] = {}
        # VINs and engine numbers are numbered from here: fillers with different ranges never share a vehicle.
        self._serial = first_serial

    def fill(self, picc: Actor, cpic: Actor) -> list[DemoCase]:
        """One case per stage, most at picc's 亭湖区 window, a few at cpic's; their summary lines."""
        me, new, renewal = CITIZEN_PHONE, BusinessType.NEW, BusinessType.RENEWAL
        money = {"payment_link": "https://pay.example.com/demo/ctpl", "premium": Decimal("120.00")}

        # The demo citizen's own applications, all at 人保财险 亭湖区: assigned, supplement, payment, done.
        self.online(_owner("张三", "ZHANG SAN", date(1968, 3, 2), 131), new, me, to="picc")

        case = self.online(_owner("李四", "LI SI", date(1975, 6, 18), 242), renewal, "13900000002", to="picc")
        case = self.act(accept, picc, case)
        self.act(
            log_call,
            picc,
            case,
            outcome=CallOutcome.CONNECTED,
            duration_seconds=95,
            started_at=self.clock.now() - timedelta(minutes=1),
            notes="已电话核实车辆信息,客户确认车辆未改装",
        )

        case = self.online(_owner("王五", "WANG WU", date(1982, 11, 9), 353), new, me, to="picc")
        self.act(
            request_supplement,
            picc,
            self.act(accept, picc, case),
            kinds=[DocumentKind.PURCHASE_INVOICE],
            message="发票照片反光,看不清金额,请重新拍摄",
        )

        case = self.online(_owner("赵六", "ZHAO LIU", date(1959, 1, 27), 464), renewal, "13900000003", to="picc")
        self.act(escalate, picc, self.act(accept, picc, case), reason="车主身份证有效期即将届满,请上级确认是否承保")

        case = self.online(_owner("钱七", "QIAN QI", date(1990, 8, 14), 575), new, me, to="picc")
        self.act(approve, picc, self.act(accept, picc, case), **money)

        case = self.online(_owner("孙八", "SUN BA", date(1971, 4, 30), 686), renewal, "13900000004", to="picc")
        self.act(
            record_payment,
            picc,
            self.act(approve, picc, self.act(accept, picc, case), **money),
            reference="DEMO-PAY-0001",
        )

        self.completed(_owner("周九", "ZHOU JIU", date(1987, 12, 5), 797), me, picc, money)

        case = self.online(_owner("吴十", "WU SHI", date(1964, 9, 21), 818), renewal, "13900000005", to="picc")
        self.act(
            reject, picc, self.act(accept, picc, case), reason="行驶证显示该车已注销登记,不能投保交强险,请到车管所核实"
        )

        # The second window: a truck entered at the counter by picc's clerk and dispatched to 太保财险, and more.
        self.act(accept, cpic, self.counter_truck(picc, to="cpic"))
        self.online(_owner("陈一", "CHEN YI", date(1993, 2, 11), 929), new, "13900000007", to="cpic")
        case = self.online(_owner("黄三", "HUANG SAN", date(1999, 5, 16), 252), new, "13900000009", to="cpic")
        self.citizen_cancels(case)
        # Elsewhere in the city, dispatched by the pool's ordinary rule.
        self.online(_owner("林二", "LIN ER", date(1980, 7, 7), 141), new, "13900000008", county=YANDU)
        return self.made

    # --- the building blocks --------------------------------------------------------

    def vehicle(
        self, business_type: BusinessType, *, plate: str | None = None, model: str = "示例电摩 DM1200"
    ) -> DemoVehicle:
        self._serial += 1
        if business_type is BusinessType.RENEWAL and plate is None:
            plate = f"苏J{60000 + self._serial:05d}"
        return DemoVehicle(
            vin=_vin(self._serial), engine_number=f"DM{self._serial:08d}", brand_model=model, plate=plate
        )

    def online(
        self, owner: DemoOwner, business_type: BusinessType, phone: str, *, to: str | None = None, county: str = TINGHU
    ) -> Case:
        """A citizen's motorcycle application: created, documents uploaded, submitted and dispatched."""
        citizen = Actor(role=Role.CITIZEN, phone=phone)
        vehicle = self.vehicle(business_type)
        data = ApplicationCreate(
            business_type=business_type,
            county_code=county,
            owner=self._owner_in(owner, phone),
            vehicle=VehicleIn(
                plate=vehicle.plate,
                vin=vehicle.vin,
                engine_number=vehicle.engine_number,
                brand_model=vehicle.brand_model,
                power_kw=Decimal("1.20"),
            ),
        )
        return self._file(citizen, data, owner, vehicle, to=to)

    def counter_truck(self, clerk: Actor, *, to: str) -> Case:
        """A walk-in customer's truck, entered and scanned at the 亭湖区 counter."""
        owner = _owner("郑十一", "ZHENG SHIYI", date(1979, 10, 3), 363)
        vehicle = self.vehicle(BusinessType.RENEWAL, plate="苏JB2345", model="示例牌 DM1041 轻型厢式货车")
        return self.intake(
            clerk, owner, vehicle, VehicleCategory.NONOPERATING_TRUCK, phone="13900000006", displacement_cc=2771, to=to
        )

    def intake(
        self,
        clerk: Actor,
        owner: DemoOwner,
        vehicle: DemoVehicle,
        category: VehicleCategory,
        *,
        phone: str,
        to: str | None,
        displacement_cc: int | None = None,
        power_kw: Decimal | None = None,
    ) -> Case:
        """A walk-in customer's vehicle, entered and scanned at the clerk's counter; dispatched as `to` says."""
        data = IntakeCreate(
            category=category,
            business_type=BusinessType.RENEWAL if vehicle.plate else BusinessType.NEW,
            county_code=clerk.county_code or TINGHU,
            owner=self._owner_in(owner, phone),
            vehicle=VehicleIn(
                plate=vehicle.plate,
                vin=vehicle.vin,
                engine_number=vehicle.engine_number,
                brand_model=vehicle.brand_model,
                displacement_cc=displacement_cc,
                power_kw=power_kw,
            ),
        )
        return self._file(clerk, data, owner, vehicle, to=to)

    def completed(self, owner: DemoOwner, phone: str, clerk: Actor, money: dict[str, Any]) -> None:
        """Through payment to the e-policy, issued as a PDF on the case."""
        case = self.online(owner, BusinessType.NEW, phone, to=clerk.member_code)
        case = self.act(
            record_payment,
            clerk,
            self.act(approve, clerk, self.act(accept, clerk, case), **money),
            reference="DEMO-PAY-0002",
        )
        policy_number = f"DEMO{case.number.replace('-', '')}"
        pdf = self.pictures.e_policy_pdf(
            case_number=case.number,
            policy_number=policy_number,
            owner=owner,
            vehicle=self._vehicles[case.id or 0],
            member=self.ctx.catalog.member_names[clerk.member_code or ""],
        )
        document = upload_document(self.ctx, clerk, case.id or 0, kind=DocumentKind.E_POLICY.value, data=pdf)
        # The upload is an event of its own and moved the case to a new version.
        self.act(issue_policy, clerk, self._reload(case), policy_number=policy_number, policy_document_id=document.id)

    def citizen_cancels(self, case: Case) -> None:
        citizen = Actor(role=Role.CITIZEN, phone=case.applicant_phone)
        with self.ctx.db.write() as session:
            case = cancel_application(session, self.ctx, citizen, case.id or 0, version=case.version)
        self._note(case)

    def act(self, action: Callable[..., Case], actor: Actor, case: Case, **fields: Any) -> Case:
        """One staff action on the case at the version we last saw; the clock moves on."""
        with self.ctx.db.write() as session:
            case = action(session, ctx=self.ctx, actor=actor, case_id=case.id, version=case.version, **fields)
        self.clock.tick()
        self._note(case)
        return case

    # --- internals -------------------------------------------------------------------

    def _owner_in(self, owner: DemoOwner, phone: str) -> OwnerIn:
        return OwnerIn(name=owner.name, id_number=owner.id_number, phone=phone)

    def _file(
        self, actor: Actor, data: ApplicationCreate, owner: DemoOwner, vehicle: DemoVehicle, *, to: str | None
    ) -> Case:
        with self.ctx.db.write() as session:
            case, _ = create_application(session, self.ctx, actor, data)
        self._vehicles[case.id or 0] = vehicle
        for kind in self.ctx.catalog.required_for(data.business_type):
            self.clock.tick()
            upload_document(
                self.ctx, actor, case.id or 0, kind=kind.value, data=self.pictures.document(kind, owner, vehicle)
            )
        self.clock.tick()
        with self._only_window(data.county_code, to), self.ctx.db.write() as session:
            case, _ = submit_case(
                session, self.ctx, actor, case.id or 0, consent=True, consent_version=load_consent().version
            )
        self.clock.tick()
        self._note(case)
        return case

    @contextmanager
    def _only_window(self, county: str, member: str | None) -> Iterator[None]:
        """While dispatching, only `member`'s window in `county` is on (None: leave the county as it is)."""
        if member is None:
            yield
            return
        with self.ctx.db.write() as session:
            saved = {b.id: b.available for b in self._branches(session, county)}
            for branch in self._branches(session, county):
                branch.available = branch.member_code == member
        try:
            yield
        finally:
            with self.ctx.db.write() as session:
                for branch in self._branches(session, county):
                    branch.available = saved[branch.id]

    def _reload(self, case: Case) -> Case:
        with self.ctx.db.read() as session:
            fresh = session.get(Case, case.id)
        assert fresh is not None
        return fresh

    @staticmethod
    def _branches(session: Session, county: str) -> list[Branch]:
        return list(session.exec(select(Branch).where(Branch.county_code == county).order_by(Branch.id)).all())

    def _note(self, case: Case) -> None:
        """Keep the summary line of the case up to date."""
        entry = DemoCase(
            number=case.number,
            status=CaseStatus(case.status),
            member=self.ctx.catalog.member_names.get(case.member_code or ""),
            applicant=case.applicant_phone or "counter",
        )
        self.made = [c for c in self.made if c.number != case.number] + [entry]
