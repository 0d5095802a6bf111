"""SMS templates and sending through a gateway; every message is recorded.

The default gateway is the outbox: messages are stored and logged (phone
masked, no parameters), and `no1window-server sms outbox` lists them. A real
provider implements `SmsGateway` and is chosen by configuration.

A real provider is called only after the transaction that sent the message
has committed: a customer is never told of an assignment that was then
rolled back, and no network call runs while the transaction holds its locks
(dispatch holds the audit chain's, which every write in the city waits for).
Until then the message is stored as "pending".
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import Any, Protocol

from sqlalchemy import event, update
from sqlmodel import Session

from common.resources import resources_dir
from common.validators import mask_phone
from server.models import SmsMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsTemplates:
    """The registered texts, by template name."""

    signature: str
    texts: dict[str, str]

    @classmethod
    def load(cls, path: Path | None = None) -> "SmsTemplates":
        """Read `resources/sms_templates.toml` (or `path`)."""
        raw = tomllib.loads((path or resources_dir() / "sms_templates.toml").read_text(encoding="utf-8"))
        return cls(signature=raw.get("signature", ""), texts={k: v["text"] for k, v in raw["templates"].items()})

    def render(self, template: str, params: dict[str, Any]) -> str:
        """The full message text; a missing parameter is a programming error."""
        text = self.texts[template]
        needed = {name for _, name, _, _ in Formatter().parse(text) if name}
        missing = needed - params.keys()
        if missing:
            raise KeyError(f"SMS template {template!r} lacks parameters {sorted(missing)}")
        return self.signature + text.format(**params)


# Parameters that must not stay readable in the database once a real provider has delivered them.
SECRET_PARAMS = frozenset({"code"})


class SmsGateway(Protocol):
    """Delivers one message; returns the status to record ("outbox", "sent", "failed").

    `is_outbox` is true for a gateway whose delivery *is* the stored record
    (then the message keeps its full text, since reading it is the delivery).
    """

    is_outbox: bool

    def deliver(self, phone: str, text: str) -> str: ...


class OutboxGateway:
    """Stores instead of sending: the default, for development and demos."""

    is_outbox = True

    def deliver(self, phone: str, text: str) -> str:
        return "outbox"


PENDING = "pending"
FAILED = "failed"
_AFTER_COMMIT_KEY = "no1window.sms_after_commit"
_HOOKED_KEY = "no1window.sms_hooked"


@dataclass(frozen=True)
class _Delivery:
    """A message waiting for its transaction to commit before it goes to the provider."""

    message: SmsMessage
    template: str
    params: dict[str, Any]
    text: str


class SmsSender:
    """Renders a template, hands it to the gateway and records the message."""

    def __init__(self, gateway: SmsGateway, templates: SmsTemplates) -> None:
        self.gateway = gateway
        self.templates = templates

    def send(
        self,
        session: Session,
        *,
        phone: str,
        template: str,
        params: dict[str, Any],
        now: datetime,
        case_id: int | None = None,
    ) -> SmsMessage:
        """Send `template` to `phone`, recorded in the caller's transaction.

        Through the outbox the record is the delivery. Through a real provider
        the message is recorded as pending and delivered once the caller's
        transaction commits (nothing is sent if it rolls back).
        """
        text = self.templates.render(template, params)
        if self.gateway.is_outbox:
            status = self.gateway.deliver(phone, text)
            message = SmsMessage(
                phone=phone, template=template, params=params, text=text, status=status, case_id=case_id, created_at=now
            )
            session.add(message)
            log.info("sms %s template=%s to=%s", status, template, mask_phone(phone))
            return message
        # The secret parameters (a login code) are never stored readable: the text to deliver is kept in memory only.
        stored_params = {k: ("******" if k in SECRET_PARAMS else v) for k, v in params.items()}
        message = SmsMessage(
            phone=phone,
            template=template,
            params=stored_params,
            text=self.templates.render(template, stored_params),
            status=PENDING,
            case_id=case_id,
            created_at=now,
        )
        session.add(message)
        self._deliver_after_commit(session, _Delivery(message, template, params, text))
        log.info("sms %s template=%s to=%s", PENDING, template, mask_phone(phone))
        return message

    def _deliver_after_commit(self, session: Session, delivery: _Delivery) -> None:
        if not session.info.get(_HOOKED_KEY):
            # SQLAlchemy's session events: the hooks belong to this session only, and stay for its later commits.
            event.listen(session, "after_commit", self._on_commit)
            event.listen(session, "after_rollback", self._on_rollback)
            session.info[_HOOKED_KEY] = True
        session.info.setdefault(_AFTER_COMMIT_KEY, []).append(delivery)

    def _on_rollback(self, session: Session) -> None:
        dropped = session.info.pop(_AFTER_COMMIT_KEY, None) or []
        if dropped:
            log.info("sms: %d message(s) not sent, their transaction rolled back", len(dropped))

    def _on_commit(self, session: Session) -> None:
        deliveries: list[_Delivery] = session.info.pop(_AFTER_COMMIT_KEY, None) or []
        if not deliveries:
            return
        outcomes: dict[int, str] = {}
        for delivery in deliveries:
            message = delivery.message
            try:
                status = self.gateway.deliver(message.phone, delivery.text)
            except Exception:  # a provider failing must not undo the committed change; the record says so
                log.exception("sms delivery failed template=%s to=%s", delivery.template, mask_phone(message.phone))
                status = FAILED
            log.info("sms %s template=%s to=%s", status, delivery.template, mask_phone(message.phone))
            if message.id is not None:
                outcomes[message.id] = status
        # The committed session cannot run SQL any more: the statuses go in a short transaction of their own.
        bind = session.get_bind()
        with Session(bind) as recording:
            for message_id, status in outcomes.items():
                recording.exec(update(SmsMessage).where(SmsMessage.id == message_id).values(status=status))  # type: ignore[call-overload]
            recording.commit()
