"""The citizen's mobile pages under /m/: server-rendered shells, a little plain JavaScript.

Pages carry the public facts (members, documents, consent text) rendered on
the server, so they show at once on a weak rural network; everything
personal is loaded by the page's script from the citizen API with the
bearer token kept on the phone. No page needs a cookie, so no page can be
forged from another site into doing anything.

`install_citizen_pages(app)` adds the routes, the static files and the
security headers (CSP without inline script) for everything under /m/.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.consent import load_consent
from common.enums import BusinessType, DocumentKind
from common.resources import resources_dir
from server.api.deps import ContextDep
from server.context import AppContext

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
PAGES_PREFIX = "/m"
STATIC_PREFIX = "/m/static"

# No inline script or style anywhere: a script injected through some field
# could not run. Images may be blob:/data: URLs (photo previews, the QR code).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Versioned static URLs (?v=<hash>) never change content, so phones keep them;
# pages themselves are revalidated so a fix reaches everyone at once.
STATIC_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"

# Document kinds a citizen may be shown an example picture of.
EXAMPLE_KINDS = frozenset(k.value for k in DocumentKind if k is not DocumentKind.E_POLICY)

router = APIRouter(prefix=PAGES_PREFIX, include_in_schema=False)


@lru_cache(maxsize=None)
def _static_version(relative: str) -> str:
    """A short content hash of a static file, for cache-busting URLs."""
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:10]


def static_url(relative: str) -> str:
    """The URL of a file under server/web/static/, with its content version."""
    return f"{STATIC_PREFIX}/{relative}?v={_static_version(relative)}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Jinja2 with autoescape on for every template (all of ours are HTML)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    return env


def _digits(phone: str) -> str:
    """A phone number as a tel: link wants it (digits only)."""
    return "".join(ch for ch in phone if ch.isdigit())


def _common(ctx: AppContext) -> dict[str, Any]:
    """What every page shows: the supervision phone, the city."""
    return {
        "supervision_phone": ctx.catalog.supervision_phone,
        "supervision_tel": _digits(ctx.catalog.supervision_phone),
    }


def _document_kinds(ctx: AppContext) -> dict[str, dict[str, str]]:
    return {d.kind.value: {"code": d.kind.value, "name": d.name, "hint": d.hint} for d in ctx.catalog.document_kinds}


def render(name: str, ctx: AppContext, **values: Any) -> HTMLResponse:
    """A page from its template; escaping is automatic."""
    html = _environment().get_template(name).render(**_common(ctx), **values)
    return HTMLResponse(html, headers={"Cache-Control": PAGE_CACHE})


@router.get("/", response_class=HTMLResponse)
def about_page(ctx: ContextDep) -> HTMLResponse:
    """平台说明: what the service is, who takes part, what to bring, the rules that protect the applicant."""
    kinds = _document_kinds(ctx)
    business_types = [
        {
            "code": b.value,
            "name": b.label,
            "hint": ctx.catalog.business_type_hints[b],
            "documents": [kinds[k.value] for k in ctx.catalog.required_for(b)],
        }
        for b in BusinessType
    ]
    return render(
        "about.html",
        ctx,
        title="平台说明",
        page="about",
        members=ctx.catalog.members,
        business_types=business_types,
    )


@router.get("", include_in_schema=False)
def pages_root() -> RedirectResponse:
    """/m → /m/ (the WeChat menu may link either)."""
    return RedirectResponse(f"{PAGES_PREFIX}/", status_code=308)


@router.get("/login", response_class=HTMLResponse)
def login_page(ctx: ContextDep) -> HTMLResponse:
    """Log in with phone and SMS code: no registration, no password."""
    return render("login.html", ctx, title="手机号登录", page="login")


@router.get("/apply", response_class=HTMLResponse)
def apply_page(ctx: ContextDep, type: str = "new") -> HTMLResponse:  # noqa: A002 - the URL's own word
    """新车投保 / 非新车投保, step by step."""
    try:
        business_type = BusinessType(type)
    except ValueError:
        business_type = BusinessType.NEW
    kinds = _document_kinds(ctx)
    consent = load_consent()
    return render(
        "apply.html",
        ctx,
        title=business_type.label,
        page="apply",
        business_type=business_type.value,
        business_hint=ctx.catalog.business_type_hints[business_type],
        counties=ctx.catalog.counties,
        documents=[kinds[k.value] for k in ctx.catalog.required_for(business_type)],
        consent=consent,
    )


@router.get("/records", response_class=HTMLResponse)
def records_page(ctx: ContextDep) -> HTMLResponse:
    """查询投保记录: every application of the logged-in phone, its progress and what to do next."""
    return render("records.html", ctx, title="查询投保记录", page="records", kinds=_document_kinds(ctx))


@router.get("/examples/{name}.svg", response_class=Response)
def example_picture(name: str) -> Response:
    """The drawn example of a document kind (resources/examples/<kind>.svg), marked 示例."""
    if name not in EXAMPLE_KINDS:
        return Response(status_code=404)
    path = resources_dir() / "examples" / f"{name}.svg"
    if not path.is_file():
        return Response(status_code=404)
    return Response(path.read_bytes(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


class CitizenPageHeaders:
    """Security and caching headers on everything under /m/.

    Plain ASGI rather than an `@app.middleware("http")` function: API requests
    (the staff long-poll among them) pass straight through, untouched and unbuffered.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PAGES_PREFIX or path.startswith(PAGES_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        versioned_static = path.startswith(STATIC_PREFIX + "/") and scope.get("query_string", b"").startswith(b"v=")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if versioned_static and message["status"] == 200:
                    headers["Cache-Control"] = STATIC_CACHE
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_citizen_pages(app: FastAPI) -> None:
    """Add the /m/ pages, their static files and their security headers to `app`."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="citizen-static")
    app.add_middleware(CitizenPageHeaders)
