"""End-to-end fixtures: a real uvicorn server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The server runs in a background thread of the test process on a free port,
over its own SQLite database, so a test can read the SMS outbox (login codes)
and act as a clerk through the staff API while the browser acts as the
citizen. The browser is /usr/bin/chromium, never a downloaded one, with a
375×667 phone viewport.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from server.app import build_context
from server.context import AppContext
from server.db import Database
from server.pool import seed_pool
from server.schema import upgrade_to_head
from server.settings import Settings
from tests.live_server import LiveServer
from tests.server.citizen.flow import only_picc_open

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 375, "height": 667}
# What WeChat's in-app browser on an ordinary Android phone says it is.
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 10; V2031A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560 NetType/4G Language/zh_CN"
)
SCREENSHOTS = Path("/tmp/no1window-e2e")


@dataclass
class CitizenSite:
    """The running server: its URL, its collaborators (database, outbox) and an HTTP client for staff calls."""

    url: str
    ctx: AppContext
    http: httpx.Client


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CitizenSite]:
    """uvicorn serving the real app in a thread, until the session ends."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    database = Database(f"sqlite:///{data_dir / 'no1window.db'}")
    upgrade_to_head(database)
    # Every test logs in from 127.0.0.1: the per-address hourly cap would count them all together.
    settings = Settings(_env_file=None, data_dir=data_dir, sms_hourly_limit_per_client=1000)  # type: ignore[call-arg]
    ctx = build_context(settings, database=database)
    with database.write() as session:
        seed_pool(session, ctx.catalog)
    only_picc_open(ctx)
    server = LiveServer(ctx)
    server.start()
    # Links in SMS texts point at this very server.
    ctx.settings.public_base_url = server.url
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield CitizenSite(url=server.url, ctx=ctx, http=http)
    server.stop()
    database.dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: apt-get install -y chromium fonts-noto-cjk")
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone_context(browser: Browser, live_server: CitizenSite) -> Iterator[BrowserContext]:
    """A fresh phone: its own storage, a 375×667 touch screen, Chinese locale, Yancheng's time zone."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        user_agent=WECHAT_UA,
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(phone_context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any script error (an ES5 slip would show up here)."""
    page = phone_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture(autouse=True, scope="session")
def _expect_timeout() -> None:
    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where key pages are saved for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
