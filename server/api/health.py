"""Liveness and readiness: database, document store, holiday calendar."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.api.deps import ContextDep
from server.clock import local

router = APIRouter(tags=["health"])


@router.get("/ping")
async def ping() -> dict[str, bool]:
    """A constant answer that touches nothing: liveness only, and the baseline of the load benchmark (bench/)."""
    return {"pong": True}


@router.get("/health")
def health(ctx: ContextDep) -> JSONResponse:
    """200 when the database and the document store work; the calendar's state is reported, not judged."""
    try:
        with ctx.db.read() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok", reported by kind only
        database = f"error: {type(exc).__name__}"
    store_ok, store_detail = ctx.store.check()
    cal = ctx.calendar.status(local(ctx.clock.now()).date())
    ok = database == "ok" and store_ok
    body = {
        "status": "ok" if ok else "degraded",
        "database": database,
        "document_store": "ok" if store_ok else f"error: {store_detail}",
        "calendar": {
            "confirmed_years": sorted(cal.confirmed_years),
            "current_year_confirmed": cal.current_year_confirmed,
            "next_year_confirmed": cal.next_year_confirmed,
            "warning": cal.warning,
        },
    }
    return JSONResponse(body, status_code=200 if ok else 503)
