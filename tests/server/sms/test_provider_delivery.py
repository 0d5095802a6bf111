"""A real SMS provider is called only after the sending transaction commits, and never inside it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlmodel import select

from server.context import AppContext
from server.models import SmsMessage
from server.sms.service import SmsSender

PHONE = "13912345678"


@dataclass
class RecordingProvider:
    """A provider that notes each delivery and whether the database was free for writing at that moment."""

    database_path: str | None
    is_outbox: bool = False
    delivered: list[str] = field(default_factory=list)
    write_lock_free: list[bool] = field(default_factory=list)
    fail: bool = False

    def deliver(self, phone: str, text: str) -> str:
        if self.database_path:
            self.write_lock_free.append(_can_take_write_lock(self.database_path))
        if self.fail:
            raise ConnectionError("provider unreachable")
        self.delivered.append(text)
        return "sent"


def _can_take_write_lock(path: str) -> bool:
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


@pytest.fixture
def provider(ctx: AppContext) -> RecordingProvider:
    path = ctx.db.engine.url.database if ctx.db.is_sqlite else None
    found = RecordingProvider(database_path=path)
    ctx.sms = SmsSender(found, ctx.sms.templates)
    return found


def stored(ctx: AppContext) -> list[SmsMessage]:
    with ctx.db.read() as session:
        return list(session.exec(select(SmsMessage).order_by(SmsMessage.id)).all())


def test_the_provider_is_called_after_the_commit_and_the_status_recorded(
    ctx: AppContext, provider: RecordingProvider
) -> None:
    with ctx.db.write() as session:
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "123456"}, now=ctx.clock.now())
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "654321"}, now=ctx.clock.now())
        assert provider.delivered == []  # not while the transaction is open

    assert [("123456" in t, "654321" in t) for t in provider.delivered] == [(True, False), (False, True)]
    messages = stored(ctx)
    assert [m.status for m in messages] == ["sent", "sent"]
    # The code reached the customer but is not kept readable.
    assert all("123456" not in m.text and "654321" not in m.text and m.params["code"] == "******" for m in messages)
    if provider.database_path:
        assert provider.write_lock_free == [True, True]


def test_a_rolled_back_transaction_texts_nobody(ctx: AppContext, provider: RecordingProvider) -> None:
    with pytest.raises(RuntimeError), ctx.db.write() as session:
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "123456"}, now=ctx.clock.now())
        raise RuntimeError("the change failed after the message was queued")

    assert provider.delivered == []
    assert stored(ctx) == []
    # The next transaction of another session still delivers normally.
    with ctx.db.write() as session:
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "222222"}, now=ctx.clock.now())
    assert len(provider.delivered) == 1


def test_a_failing_provider_leaves_the_change_committed_and_the_message_marked_failed(
    ctx: AppContext, provider: RecordingProvider
) -> None:
    provider.fail = True
    with ctx.db.write() as session:
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "123456"}, now=ctx.clock.now())
        session.exec(text("UPDATE chain_head SET seq = seq WHERE id = 1"))  # any committed change

    assert [m.status for m in stored(ctx)] == ["failed"]


def test_the_outbox_records_the_message_in_the_transaction_itself(ctx: AppContext) -> None:
    with ctx.db.write() as session:
        ctx.sms.send(session, phone=PHONE, template="login_code", params={"code": "123456"}, now=ctx.clock.now())
    (message,) = stored(ctx)
    assert message.status == "outbox" and "123456" in message.text  # reading the outbox is the delivery
