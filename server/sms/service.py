"""SMS templates and sending through a gateway; every message is recorded.

The default gateway is the outbox: messages are stored and logged (phone
masked, no parameters), and `no1window-server sms outbox` lists them. A real
provider implements `SmsGateway` and is chosen by configuration.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import Any, Protocol

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
        """Send `template` to `phone` and record it in the caller's transaction."""
        text = self.templates.render(template, params)
        status = self.gateway.deliver(phone, text)
        if not self.gateway.is_outbox and SECRET_PARAMS & params.keys():
            params = {k: ("******" if k in SECRET_PARAMS else v) for k, v in params.items()}
            text = self.templates.render(template, params)
        message = SmsMessage(
            phone=phone, template=template, params=params, text=text, status=status, case_id=case_id, created_at=now
        )
        session.add(message)
        log.info("sms %s template=%s to=%s", status, template, mask_phone(phone))
        return message
