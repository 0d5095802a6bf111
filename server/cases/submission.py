"""Submitting a draft: the checks, the separate consent, the deadline, and dispatch at once.

Used by citizens online and by clerks at the counter alike, so both channels
go through the same procedure and the same document list ("三同样").
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from common.consent import load_consent
from common.enums import Action, CaseStatus, DocumentKind
from common.workflow import TransitionRefused, next_status
from server.actor import Actor
from server.cases.applications import OPERATION_SUBMIT, check_owner_and_vehicle, idempotent_case_id, remember_key
from server.cases.history import record
from server.cases.presenters import case_documents, missing_kinds
from server.cases.scope import load_case
from server.context import AppContext
from server.dispatch.service import dispatch_case
from server.errors import BadInput, Conflict, Forbidden
from server.models import Case
from server.sla.deadlines import initial_deadline

log = logging.getLogger(__name__)

DUPLICATE_SUBMIT = "该申请已提交,请勿重复提交"
CONSENT_MISSING = "请阅读并勾选同意《个人敏感信息处理单独同意书》后再提交;如不同意,可携带证件前往县区“1号窗口”现场办理"
CONSENT_OUTDATED = "《个人敏感信息处理单独同意书》已更新,请重新阅读并同意最新版本后再提交"


def submit_case(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    consent: bool,
    consent_version: str | None,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """Submit the draft and dispatch it in the same transaction.

    Returns the case and whether it was submitted now (False: a retry with the
    same Idempotency-Key, answered with the case as it is, not with a 409).
    """
    now = ctx.clock.now()
    # Locked first: a concurrent retry waits here, then finds the key stored by the first request.
    case = load_case(session, actor, case_id, for_update=True)
    if idempotency_key:
        earlier = idempotent_case_id(session, actor, OPERATION_SUBMIT, idempotency_key)
        if earlier == case.id:
            return case, False
        if earlier is not None:
            raise Conflict("该请求标识已用于提交另一份申请,请刷新页面后重试")

    status = CaseStatus(case.status)
    try:
        target = next_status(Action.SUBMIT, status, actor.role)
    except TransitionRefused as refused:
        if refused.kind == "role":
            raise Forbidden(refused.message) from None
        raise Conflict(_refusal_for(status)) from None

    check_consent(consent=consent, consent_version=consent_version)
    _check_documents(session, ctx, case)
    check_owner_and_vehicle(case, now=now)

    case.status = target.value
    case.submitted_at = now
    case.due_at = initial_deadline(now, calendar=ctx.calendar, hours=ctx.hours)
    case.consent_version = consent_version
    case.consent_at = now
    record(session, case, Action.SUBMIT, actor, now=now, payload={"consent_version": consent_version})
    if idempotency_key:
        _remember_submit_key(session, actor, idempotency_key, case=case, now=now)

    dispatch_case(session, ctx, case)
    log.info("case %s submitted: channel=%s status=%s", case.id, case.channel, case.status)
    return case, True


def check_consent(*, consent: bool, consent_version: str | None) -> None:
    """The separate consent to processing ID images and the ID number (PIPL art. 29), to the current text."""
    if not consent:
        raise BadInput(CONSENT_MISSING, code="consent_required", details={"field": "consent"})
    if consent_version != load_consent().version:
        raise BadInput(CONSENT_OUTDATED, code="consent_outdated", details={"field": "consent_version"})


def _check_documents(session: Session, ctx: AppContext, case: Case) -> None:
    """Every document the business type requires is there; the refusal names the missing ones."""
    _required, missing = missing_kinds(case, ctx.catalog, case_documents(session, case.id or 0))
    if missing:
        names = "、".join(DocumentKind(kind).label for kind in missing)
        raise BadInput(f"还缺少以下材料,请上传后再提交:{names}", code="missing_documents", details={"missing": missing})


def _refusal_for(status: CaseStatus) -> str:
    """Why a case that is not a draft cannot be submitted."""
    if status is CaseStatus.CANCELLED:
        return "该申请已撤销,不能提交;如需投保请重新申请"
    return DUPLICATE_SUBMIT


def _remember_submit_key(session: Session, actor: Actor, key: str, *, case: Case, now: datetime) -> None:
    """Store the key; the same key racing on another case is refused without spoiling this transaction."""
    try:
        with session.begin_nested():
            remember_key(session, actor, OPERATION_SUBMIT, key, case_id=case.id or 0, now=now)
    except IntegrityError:
        raise Conflict("该请求标识已用于提交另一份申请,请刷新页面后重试") from None
