"""Applications: create a draft (online by a citizen, or at the counter by a clerk), list, read, cancel.

Also the Idempotency-Key bookkeeping shared with submission: a retried
create or submit carrying the same key refers to the same case, never to a
second one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from common.enums import Action, BusinessType, CaseStatus, Channel, Role, VehicleCategory
from common.schemas.cases import ApplicationCreate, IntakeCreate
from common.validators import ValidationProblem, validate_mobile, validate_resident_id, validate_vin
from common.workflow import TransitionRefused, next_status
from server.actor import Actor
from server.cases.history import record
from server.cases.numbering import next_case_number
from server.cases.scope import case_scope, load_case
from server.clock import local
from server.context import AppContext
from server.errors import BadInput, Conflict, Forbidden, StaleVersion
from server.models import Case, County, IdempotencyRecord

log = logging.getLogger(__name__)

OPERATION_CREATE = "create"
OPERATION_SUBMIT = "submit"

# Newest first; a citizen has a handful of applications, this only caps abuse.
LIST_LIMIT = 100

_STAFF_INTAKE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR})


# --- idempotency keys ---------------------------------------------------------------


def idempotent_case_id(session: Session, actor: Actor, operation: str, key: str) -> int | None:
    """The case an earlier request of `actor` with this key and operation produced, if any."""
    found = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner == actor.idempotency_owner,
            IdempotencyRecord.operation == operation,
            IdempotencyRecord.key == key,
        )
    ).first()
    return found.case_id if found else None


def remember_key(session: Session, actor: Actor, operation: str, key: str, *, case_id: int, now: datetime) -> None:
    """Store the key; a concurrent request that stored it first surfaces as IntegrityError on flush."""
    session.add(
        IdempotencyRecord(owner=actor.idempotency_owner, operation=operation, key=key, case_id=case_id, created_at=now)
    )
    session.flush()


# --- checks shared with submission --------------------------------------------------


def check_owner_and_vehicle(case: Case, *, now: datetime) -> None:
    """Re-check the identifiers with the server's local date (an ID's birth date may not be in the future).

    The schemas check everything except the date, which needs the clock.
    """
    try:
        validate_resident_id(case.owner_id_number, today=local(now).date())
        validate_vin(case.vin)
        validate_mobile(case.owner_phone)
    except ValidationProblem as problem:
        raise BadInput(problem.message, details={"field": problem.field or ""}) from None
    if case.business_type == BusinessType.RENEWAL.value and not case.plate:
        raise BadInput("非新车投保请填写车牌号码", details={"field": "vehicle.plate"})


def _check_county(session: Session, county_code: str) -> None:
    if session.get(County, county_code) is None:
        raise BadInput("所选区县不在盐城市范围内,请重新选择", details={"field": "county_code"})


def _check_owner_birth_date(data: ApplicationCreate, now: datetime) -> None:
    try:
        validate_resident_id(data.owner.id_number, today=local(now).date())
    except ValidationProblem as problem:
        raise BadInput(problem.message, details={"field": "owner.id_number"}) from None


# --- create -------------------------------------------------------------------------


def create_application(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    data: ApplicationCreate,
    *,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """Create a draft: a citizen's online motorcycle application, or a clerk's counter intake.

    `data` is an `IntakeCreate` (with a vehicle category) for staff. Returns the
    case and whether it was created now (False: the same key was used before,
    and the earlier case is returned).
    """
    now = ctx.clock.now()
    if idempotency_key:
        earlier = idempotent_case_id(session, actor, OPERATION_CREATE, idempotency_key)
        if earlier is not None:
            return load_case(session, actor, earlier), False

    case = _new_case(session, ctx, actor, data, now=now)
    try:
        # A savepoint, so that losing the race for the key (PostgreSQL: two
        # retries in flight at once) undoes this case, its number and its event
        # while the transaction stays usable to read the winner's case.
        with session.begin_nested():
            case.number = next_case_number(session, local(now).date())
            session.add(case)
            session.flush()
            record(
                session,
                case,
                Action.CREATE,
                actor,
                now=now,
                payload={"channel": case.channel, "category": case.category},
            )
            if idempotency_key:
                remember_key(session, actor, OPERATION_CREATE, idempotency_key, case_id=case.id or 0, now=now)
    except IntegrityError:
        if not idempotency_key:
            raise
        earlier = idempotent_case_id(session, actor, OPERATION_CREATE, idempotency_key)
        if earlier is None:
            raise
        return load_case(session, actor, earlier), False
    log.info("case %s created: channel=%s category=%s", case.id, case.channel, case.category)
    return case, True


def _new_case(session: Session, ctx: AppContext, actor: Actor, data: ApplicationCreate, *, now: datetime) -> Case:
    """The draft row, after the checks that need the database or the clock."""
    _check_county(session, data.county_code)
    _check_owner_birth_date(data, now)
    if actor.role is Role.CITIZEN:
        if not actor.phone:
            raise Forbidden("请先登录")
        channel, category = Channel.ONLINE, VehicleCategory.MOTORCYCLE
        applicant_phone, created_by = actor.phone, None
    elif actor.role in _STAFF_INTAKE_ROLES and isinstance(data, IntakeCreate):
        if actor.role is Role.CLERK and data.county_code != actor.county_code:
            raise Forbidden("窗口经办人员只能受理本区县的业务,请选择本区县")
        channel, category = Channel.COUNTER, data.category
        applicant_phone, created_by = None, actor.user_id
    else:
        raise Forbidden("您的账号不能创建申请")
    vehicle = data.vehicle
    return Case(
        number="",  # taken inside the savepoint, so a lost key race gives the number back
        channel=channel.value,
        category=category.value,
        business_type=data.business_type.value,
        county_code=data.county_code,
        status=CaseStatus.DRAFT.value,
        owner_name=data.owner.name,
        owner_id_number=data.owner.id_number,
        owner_phone=data.owner.phone,
        plate=vehicle.plate,
        vin=vehicle.vin,
        engine_number=(vehicle.engine_number or "").strip() or None,
        brand_model=vehicle.brand_model.strip(),
        displacement_cc=vehicle.displacement_cc,
        power_kw=vehicle.power_kw,
        applicant_phone=applicant_phone,
        created_by_user_id=created_by,
        created_at=now,
        updated_at=now,
    )


# --- read ---------------------------------------------------------------------------


def list_applications(session: Session, actor: Actor, *, limit: int = LIST_LIMIT) -> list[Case]:
    """The actor's own applications (in scope), newest first."""
    query = (
        select(Case)
        .where(case_scope(actor))
        .order_by(Case.created_at.desc(), Case.id.desc())  # type: ignore[attr-defined, union-attr]
        .limit(limit)
    )
    return list(session.exec(query).all())


def get_application(session: Session, actor: Actor, case_id: int) -> Case:
    """One application in the actor's scope, else NotFound."""
    return load_case(session, actor, case_id)


# --- cancel -------------------------------------------------------------------------

# Why a case cannot be cancelled any more, by status; the workflow table decides *whether*.
_CANNOT_CANCEL = {
    CaseStatus.PAID: "该申请已缴费,不能在线撤销;如需退保请联系承办窗口",
    CaseStatus.OFFLINE: "该申请已转线下办理,如需撤销请联系承办窗口",
    CaseStatus.COMPLETED: "该申请已办结,保单已出具,不能撤销;如需退保请联系承办窗口",
    CaseStatus.REJECTED: "该申请已被退回,无需撤销",
    CaseStatus.CANCELLED: "该申请已撤销,请勿重复操作",
}


def cancel_application(
    session: Session, ctx: AppContext, actor: Actor, case_id: int, *, version: int | None = None
) -> Case:
    """The applicant withdraws the application before payment."""
    now = ctx.clock.now()
    case = load_case(session, actor, case_id, for_update=True)
    if version is not None and version != case.version:
        raise StaleVersion("该申请已有新的进展,请刷新页面后再操作")
    status = CaseStatus(case.status)
    try:
        target = next_status(Action.CANCEL, status, actor.role)
    except TransitionRefused as refused:
        if refused.kind == "role":
            raise Forbidden(refused.message) from None
        raise Conflict(_CANNOT_CANCEL.get(status, refused.message)) from None
    case.status = target.value
    case.finished_at = now
    case.closing_reason = "申请人撤销"
    record(session, case, Action.CANCEL, actor, now=now, payload={"status_before": status.value})
    return case
