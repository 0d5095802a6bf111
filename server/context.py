"""Everything a request handler needs, built once per application and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from common.catalog import Catalog
from server.clock import Clock
from server.db import Database
from server.documents.store import DocumentStore
from server.settings import Settings
from server.sla.calendar import WorkCalendar
from server.sla.deadlines import WorkingHours
from server.sms.service import SmsSender


@dataclass
class AppContext:
    """The server's collaborators; tests hand in a temp database, a fixed clock, an outbox."""

    settings: Settings
    db: Database
    clock: Clock
    sms: SmsSender
    store: DocumentStore
    calendar: WorkCalendar
    hours: WorkingHours
    catalog: Catalog
