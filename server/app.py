"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from common.catalog import load_catalog
from common.resources import resources_dir
from server.api import (
    applications,
    catalog,
    citizen_auth,
    citizen_extras,
    coordinator_board,
    coordinator_pool,
    coordinator_signals,
    coordinator_stats,
    coordinator_users,
    documents,
    feed,
    health,
    intake,
    staff_actions,
    staff_auth,
    staff_cases,
)
from server.api.access_log import AccessLog
from server.api.errors import install_error_handlers
from server.api.read_threads import ReadThreads, default_read_threads
from server.clock import Clock, SystemClock, local
from server.context import AppContext
from server.db import Database
from server.documents.store import DocumentStore, LocalDirectoryStore
from server.settings import Settings
from server.sla.calendar import WorkCalendar
from server.sla.deadlines import WorkingHours
from server.sms.service import OutboxGateway, SmsGateway, SmsSender, SmsTemplates
from server.web.pages import install_citizen_pages

log = logging.getLogger(__name__)


def build_context(
    settings: Settings,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    sms_gateway: SmsGateway | None = None,
    store: DocumentStore | None = None,
) -> AppContext:
    """Assemble the collaborators from settings, letting callers swap any of them."""
    calendar = WorkCalendar.from_file(settings.holiday_file or resources_dir() / "holidays_cn.toml")
    return AppContext(
        settings=settings,
        db=database or Database(settings.effective_database_url),
        clock=clock or SystemClock(),
        sms=SmsSender(sms_gateway or OutboxGateway(), SmsTemplates.load()),
        store=store or LocalDirectoryStore(settings.documents_dir),
        calendar=calendar,
        hours=WorkingHours(start=settings.work_start, end=settings.work_end, same_day_cutoff=settings.same_day_cutoff),
        catalog=load_catalog(),
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.read_threads.close()


def create_app(ctx: AppContext) -> FastAPI:
    """The HTTP application over `ctx`."""
    app = FastAPI(
        title="no1window 盐城保险业“1号窗口”",
        version="1",
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
        lifespan=_lifespan,
    )
    app.state.ctx = ctx
    app.state.read_threads = ReadThreads(ctx.settings.read_threads or default_read_threads(ctx.db.is_sqlite))
    install_error_handlers(app)

    for module in (
        health,
        catalog,
        citizen_auth,
        applications,
        citizen_extras,
        intake,
        staff_auth,
        staff_cases,
        staff_actions,
        documents,
        feed,
        coordinator_board,
        coordinator_pool,
        coordinator_stats,
        coordinator_signals,
        coordinator_users,
    ):
        app.include_router(module.router, prefix="/api/v1")
    install_citizen_pages(app)
    # Citizens load pages and JSON over weak rural mobile networks: compress text responses.
    # Level 1, zlib's fastest: a 50-row queue page (28 KB) becomes 4.0 KB instead of level 6's 3.4 KB
    # at a third of the CPU, and compressing was a tenth of the page's cost on the server.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=1)
    # Outermost, so the line reports what the client got (errors and compressed responses included).
    app.add_middleware(AccessLog)

    status = ctx.calendar.status(local(ctx.clock.now()).date())
    if status.warning:
        log.warning("calendar: %s", status.warning)
    return app
