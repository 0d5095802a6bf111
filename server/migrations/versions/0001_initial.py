"""Initial schema: pool, staff, cases (documents, calls, complaints), dispatch state, event chain, auth, SMS.

Generated from the models by autogenerate and reviewed: UTC datetimes are
plain DATETIME columns (conversion happens in Python), JSON stays JSON,
money is NUMERIC.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 22:30:23.928768
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_counter",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "county",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "login_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_code_client_address"), ["client_address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_code_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_code_phone"), ["phone"], unique=False)

    op.create_table(
        "member",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("short", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "branch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_code", sa.String(), nullable=False),
        sa.Column("county_code", sa.String(), nullable=False),
        sa.Column("window_phone", sa.String(length=20), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["county.code"],
        ),
        sa.ForeignKeyConstraint(
            ["member_code"],
            ["member.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_code", "county_code"),
    )
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_branch_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_branch_member_code"), ["member_code"], unique=False)

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("member_code", sa.String(), nullable=True),
        sa.Column("county_code", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["county.code"],
        ),
        sa.ForeignKeyConstraint(
            ["member_code"],
            ["member.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "auth_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("business_type", sa.String(length=10), nullable=False),
        sa.Column("county_code", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_name", sa.String(length=40), nullable=False),
        sa.Column("owner_id_number", sa.String(length=18), nullable=False),
        sa.Column("owner_phone", sa.String(length=11), nullable=False),
        sa.Column("plate", sa.String(length=10), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("engine_number", sa.String(length=40), nullable=True),
        sa.Column("brand_model", sa.String(length=60), nullable=True),
        sa.Column("displacement_cc", sa.Integer(), nullable=True),
        sa.Column("power_kw", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("applicant_phone", sa.String(length=11), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("member_code", sa.String(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("handler_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("sla_paused_at", sa.DateTime(), nullable=True),
        sa.Column("sla_paused_seconds", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("supplement_round", sa.Integer(), nullable=False),
        sa.Column("supplement_kinds", sa.JSON(), nullable=True),
        sa.Column("supplement_message", sa.String(length=500), nullable=True),
        sa.Column("premium", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("payment_link", sa.String(length=500), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("payment_reference", sa.String(length=60), nullable=True),
        sa.Column("policy_number", sa.String(length=40), nullable=True),
        sa.Column("policy_link", sa.String(length=500), nullable=True),
        sa.Column("policy_document_id", sa.Integer(), nullable=True),
        sa.Column("closing_reason", sa.String(length=500), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.String(length=200), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["county.code"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["handler_user_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_code"],
            ["member.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_applicant_phone"), ["applicant_phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_owner_name"), ["owner_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_plate"), ["plate"], unique=False)
        batch_op.create_index("ix_cases_scope_queue", ["member_code", "county_code", "status", "due_at"], unique=False)
        batch_op.create_index("ix_cases_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_vin"), ["vin"], unique=False)

    op.create_table(
        "dispatch_weight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("current_weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["county.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("county_code", "category", "branch_id"),
    )
    op.create_table(
        "call_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_record_case_id"), ["case_id"], unique=False)

    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_code", sa.String(length=20), nullable=True),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_member_code"), ["member_code"], unique=False)

    op.create_table(
        "dispatch_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("member_code", sa.String(length=20), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dispatch_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_decision_case_id"), ["case_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=200), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_role", sa.String(length=20), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_case_id"), ["case_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("status_after", sa.String(length=30), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=60), nullable=False),
        sa.Column("member_code", sa.String(length=20), nullable=True),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("previous_member_code", sa.String(length=20), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_event_member_seq", ["member_code", "seq"], unique=False)
        batch_op.create_index("ix_event_previous_member_seq", ["previous_member_code", "seq"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "operation", "key"),
    )
    op.create_table(
        "sms_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_message_phone"), ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_message_phone"))
        batch_op.drop_index(batch_op.f("ix_sms_message_case_id"))

    op.drop_table("sms_message")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_previous_member_seq")
        batch_op.drop_index("ix_event_member_seq")
        batch_op.drop_index(batch_op.f("ix_event_case_id"))

    op.drop_table("event")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_case_id"))

    op.drop_table("document")
    with op.batch_alter_table("dispatch_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_decision_case_id"))

    op.drop_table("dispatch_decision")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_member_code"))
        batch_op.drop_index(batch_op.f("ix_complaint_case_id"))

    op.drop_table("complaint")
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_record_case_id"))

    op.drop_table("call_record")
    op.drop_table("dispatch_weight")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_vin"))
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index("ix_cases_scope_queue")
        batch_op.drop_index(batch_op.f("ix_cases_plate"))
        batch_op.drop_index(batch_op.f("ix_cases_owner_name"))
        batch_op.drop_index(batch_op.f("ix_cases_county_code"))
        batch_op.drop_index(batch_op.f("ix_cases_category"))
        batch_op.drop_index(batch_op.f("ix_cases_applicant_phone"))

    op.drop_table("cases")
    op.drop_table("auth_token")
    op.drop_table("staff_user")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_branch_member_code"))
        batch_op.drop_index(batch_op.f("ix_branch_county_code"))

    op.drop_table("branch")
    op.drop_table("member")
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_code_phone"))
        batch_op.drop_index(batch_op.f("ix_login_code_created_at"))
        batch_op.drop_index(batch_op.f("ix_login_code_client_address"))

    op.drop_table("login_code")
    op.drop_table("county")
    op.drop_table("chain_head")
    op.drop_table("case_counter")
