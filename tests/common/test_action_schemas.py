"""Action request bodies accept an explicit null for their optional fields."""

from __future__ import annotations

from common.schemas.actions import IssuePolicyIn, RecordPaymentIn


def test_record_payment_accepts_null_time_and_reference() -> None:
    body = RecordPaymentIn.model_validate({"version": 3, "paid_at": None, "reference": None})
    assert body.paid_at is None and body.reference is None


def test_issue_policy_accepts_null_link_when_a_document_is_given() -> None:
    body = IssuePolicyIn.model_validate(
        {"version": 5, "policy_number": "PDZA2026", "policy_link": None, "policy_document_id": 7}
    )
    assert body.policy_link is None and body.policy_document_id == 7
