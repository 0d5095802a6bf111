"""Money and policy: send the payment link, record the payment, issue the e-policy."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from sqlmodel import Session

from common.enums import Action, DocumentKind
from server.actor import Actor
from server.cases.actions import Change, Sms, moment, not_after_now, perform
from server.context import AppContext
from server.errors import BadInput
from server.models import Case, Document
from server.settings import Settings


def approve(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    payment_link: str,
    premium: Decimal,
) -> Case:
    """Review passed: store the premium and the insurer's payment link, and text both to the customer."""

    def ask_for_payment(case: Case, now: datetime) -> Change:
        case.premium = premium
        case.payment_link = payment_link
        return Change(
            # Only the link's host: its path or query may carry the payment system's own token.
            payload={"premium": f"{premium:.2f}", "payment_host": urlsplit(payment_link).hostname},
            sms=Sms("payment_link", {"number": case.number, "premium": f"{premium:.2f}", "link": payment_link}),
        )

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.APPROVE, change=ask_for_payment
    )


def record_payment(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    reference: str | None = None,
    paid_at: datetime | None = None,
) -> Case:
    """The customer has paid: when (default now, never in the future) and the payment's reference."""

    def book(case: Case, now: datetime) -> Change:
        when = not_after_now(paid_at, now, label="缴费时间") if paid_at is not None else now
        if when < (case.submitted_at or case.created_at):
            raise BadInput("缴费时间不能早于申请提交时间")
        case.paid_at = when
        case.payment_reference = reference
        return Change(payload={"paid_at": moment(when), "reference": reference})

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.RECORD_PAYMENT, change=book
    )


def issue_policy(
    session: Session,
    *,
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    version: int,
    policy_number: str,
    policy_link: str | None = None,
    policy_document_id: int | None = None,
) -> Case:
    """The policy is issued: finish the case and text the customer where to find the e-policy.

    Exactly one source: a link into the insurer's system, or a PDF uploaded
    to this case as kind `e_policy`. For a PDF the SMS carries the citizen's
    policy page (`policy_page_url`), not a file address: the file is the
    customer's personal data and is only handed out after they log in.
    """
    if (policy_link is None) == (policy_document_id is None):
        raise BadInput("请填写电子保单链接,或选择已上传的电子保单文件(二选一)")

    def finish(case: Case, now: datetime) -> Change:
        if policy_document_id is not None:
            document = session.get(Document, policy_document_id)
            if document is None or document.case_id != case.id or document.kind != DocumentKind.E_POLICY.value:
                raise BadInput("该申请没有这份电子保单文件,请先上传电子保单(PDF)再出具")
        case.policy_number = policy_number
        case.policy_link = policy_link
        case.policy_document_id = policy_document_id
        case.finished_at = now
        link = policy_link or policy_page_url(ctx.settings, case.id or 0)
        return Change(
            payload={
                "policy_number": policy_number,
                "source": "link" if policy_link else "document",
                "document_id": policy_document_id,
            },
            sms=Sms("e_policy", {"policy_number": policy_number, "link": link}),
        )

    return perform(
        session, ctx=ctx, actor=actor, case_id=case_id, version=version, action=Action.ISSUE_POLICY, change=finish
    )


def policy_page_url(settings: Settings, case_id: int) -> str:
    """Where a citizen gets an uploaded e-policy: their H5 page, which asks them to log in first."""
    return f"{settings.public_base_url.rstrip('/')}/m/applications/{case_id}/policy"
