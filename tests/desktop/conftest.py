"""Desktop test fixtures: a real server on a loopback port, staff accounts, a citizen who applies.

Tests may import `server` (only `desktop/` code may not): the desktop is
tested against the real API, over real HTTP, as it will be used.

Fixtures for every desktop test module (the case view's too):

* `live_server`: a `LiveServer` (uvicorn in a thread, SQLite in tmp_path) with
  the pool seeded; `.url`, `.ctx` (the server's AppContext), `.stop()`,
  `.start()` (same port, same data: a restart).
* `clerk`: the 人保财险 clerk of 亭湖区 (`StaffAccount`: username, password, id);
  `other_clerk` (太平洋财险, 亭湖区), `coordinator`.
* `citizen`: a `CitizenApplicant` that submits online applications over HTTP,
  dispatched to 人保财险 亭湖区 (`only_picc_in_tinghu` makes that certain).
* `prefs`: `Preferences` on a throwaway ini file; `api`: an `ApiClient` on the
  live server; `runner`: a `TaskRunner` with a fast back-off (0.05 s …).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QSettings
from sqlmodel import select

from common.consent import load_consent
from common.enums import Role
from desktop.api.client import ApiClient
from desktop.api.connection import BackoffPolicy, ConnectionMonitor
from desktop.api.tasks import TaskRunner
from desktop.preferences import Preferences
from server.app import build_context
from server.clock import FixedClock
from server.context import AppContext
from server.db import Database
from server.models import Branch
from server.pool import create_user, seed_pool
from server.schema import upgrade_to_head
from server.settings import Settings
from tests.live_server import LiveServer
from tests.server.factories import application_payload, jpeg_bytes, last_sms

PASSWORD = "window-pass-2026"
TINGHU = "320902"
# Tuesday 2026-03-10, 10:00 in Yancheng: an ordinary working morning on the server's clock.
WORKING_MORNING = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
# Fast enough that a test sees a retry succeed within a second or two, slow enough not to spin.
TEST_BACKOFF = BackoffPolicy(initial=0.05, factor=2.0, maximum=0.5)
NEW_DOCUMENTS = ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice")


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    password: str
    display_name: str


@pytest.fixture(scope="session")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite database, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("desktop-schema") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)
    database.dispose()
    return path


@pytest.fixture
def server_ctx(tmp_path: Path, schema_file: Path) -> Iterator[AppContext]:
    """The server's collaborators over a fresh database with the pool seeded; the clock at a working morning."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    shutil.copyfile(schema_file, data_dir / "no1window.db")
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    ctx = build_context(settings, clock=FixedClock(WORKING_MORNING))
    with ctx.db.write() as session:
        seed_pool(session, ctx.catalog)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def live_server(server_ctx: AppContext) -> Iterator[LiveServer]:
    """The server, listening on a free loopback port for this test."""
    server = LiveServer(server_ctx)
    server.start()
    yield server
    server.stop()


def make_staff(
    ctx: AppContext,
    username: str,
    role: Role = Role.CLERK,
    *,
    member_code: str | None = "picc",
    county_code: str | None = TINGHU,
    display_name: str = "",
) -> StaffAccount:
    """A staff account with the password PASSWORD."""
    with ctx.db.write() as session:
        user = create_user(
            session,
            username=username,
            password=PASSWORD,
            role=role,
            display_name=display_name or username,
            now=ctx.clock.now(),
            member_code=member_code,
            county_code=county_code,
        )
        assert user.id is not None
        return StaffAccount(user.id, username, PASSWORD, user.display_name)


@pytest.fixture
def clerk(server_ctx: AppContext) -> StaffAccount:
    """李窗口, 人保财险's clerk in 亭湖区."""
    return make_staff(server_ctx, "picc_tinghu", display_name="李窗口")


@pytest.fixture
def other_clerk(server_ctx: AppContext) -> StaffAccount:
    """太平洋财险's clerk in 亭湖区: sees none of 人保财险's cases."""
    return make_staff(server_ctx, "cpic_tinghu", member_code="cpic", display_name="周窗口")


@pytest.fixture
def coordinator(server_ctx: AppContext) -> StaffAccount:
    """The city coordinator: sees everything."""
    return make_staff(
        server_ctx, "city_coord", Role.COORDINATOR, member_code=None, county_code=None, display_name="市协调员"
    )


@pytest.fixture
def only_picc_in_tinghu(server_ctx: AppContext) -> None:
    """Dispatch made certain: only 人保财险's window in 亭湖区 takes cases."""
    with server_ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == TINGHU)).all():
            branch.available = branch.member_code == "picc"
            session.add(branch)


class CitizenApplicant:
    """A citizen on their phone: logs in by SMS code, applies, uploads, submits (real HTTP)."""

    def __init__(self, server: LiveServer, phone: str = "13912345678") -> None:
        self._server = server
        self._http = httpx.Client(base_url=server.url + "/api/v1", timeout=15.0, trust_env=False)
        self.phone = phone
        self._token: str | None = None
        self._serial = 0

    def close(self) -> None:
        self._http.close()

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            sent = self._http.post("/citizen/login-codes", json={"phone": self.phone})
            assert sent.status_code == 202, sent.text
            code = last_sms(self._server.ctx, self.phone, "login_code").params["code"]
            session = self._http.post("/citizen/sessions", json={"phone": self.phone, "code": code})
            assert session.status_code == 201, session.text
            self._token = session.json()["token"]
        return {"Authorization": f"Bearer {self._token}"}

    def submit_application(self, **overrides: Any) -> dict[str, Any]:
        """A new-motorcycle application in 亭湖区, documents and consent included; returns the submitted view."""
        self._serial += 1
        payload = application_payload(serial=self._serial, phone=self.phone, county_code=TINGHU, **overrides)
        created = self._http.post("/citizen/applications", json=payload, headers=self._headers())
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        photo = jpeg_bytes(320, 240)
        for kind in NEW_DOCUMENTS:
            uploaded = self._http.post(
                f"/citizen/applications/{case_id}/documents",
                data={"kind": kind},
                files={"file": (f"{kind}.jpg", photo, "image/jpeg")},
                headers=self._headers(),
            )
            assert uploaded.status_code == 201, uploaded.text
        consent = load_consent()
        submitted = self._http.post(
            f"/citizen/applications/{case_id}/submit",
            json={"consent": True, "consent_version": consent.version},
            headers=self._headers(),
        )
        assert submitted.status_code == 200, submitted.text
        return submitted.json()


@pytest.fixture
def citizen(live_server: LiveServer, only_picc_in_tinghu: None) -> Iterator[CitizenApplicant]:
    """A citizen whose applications go to 人保财险 亭湖区."""
    applicant = CitizenApplicant(live_server)
    yield applicant
    applicant.close()


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    """Preferences on a throwaway ini file (never the user's real settings)."""
    return Preferences(QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[ApiClient]:
    """A client of the live server, not logged in."""
    client = ApiClient(live_server.url, timeout=10.0)
    yield client
    client.close()


@pytest.fixture
def runner(qtbot: Any) -> Iterator[TaskRunner]:
    """A task runner with a fast back-off; waits for its threads at the end."""
    task_runner = TaskRunner(ConnectionMonitor(TEST_BACKOFF))
    yield task_runner
    task_runner.shutdown(10_000)
