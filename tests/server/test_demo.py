"""The demo through its command: logins printed, never loaded twice, the audit chain, the SMS outbox, the pictures.

What it fills in is checked in test_demo_data.py.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text
from sqlmodel import select

from common.enums import DocumentKind
from server import cli
from server.app import build_context
from server.auth.staff_login import log_in_staff
from server.context import AppContext
from server.db import Database
from server.demo import (
    CITIZEN_PHONE,
    DEMO_PASSWORD,
    HISTORY_STAFF,
    STAFF,
    DemoRefused,
    fill_demo,
)
from server.demo_pictures import (
    DemoOwner,
    DemoPictures,
    DemoVehicle,
    SketchPictures,
    find_cjk_font,
)
from server.documents.inspection import inspect_upload
from server.models import (
    Case,
    Document,
    Event,
    StaffUser,
)
from server.settings import Settings
from server.sms.service import SmsSender


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`no1window-server demo` run once on a fresh data directory: the directory and what it printed."""
    home = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(home)
        patch.delenv("NO1WINDOW_DATABASE_URL", raising=False)
        patch.setenv("NO1WINDOW_DATA_DIR", str(home / "data"))
        out = io.StringIO()
        patch.setattr("sys.stdout", out)
        assert cli.main(["demo"]) == 0
    yield home / "data", out.getvalue()


@pytest.fixture
def demo_copy(demo_dir: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo's data directory, which the CLI's settings point at."""
    copy = tmp_path / "data"
    shutil.copytree(demo_dir[0], copy)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO1WINDOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("NO1WINDOW_DATA_DIR", str(copy))
    return copy


@pytest.fixture
def demo_db(demo_copy: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{demo_copy / 'no1window.db'}")
    yield database
    database.dispose()


@pytest.fixture
def demo_ctx(demo_copy: Path, demo_db: Database) -> AppContext:
    """The server's context over the copy of the demo."""
    return build_context(Settings(_env_file=None, data_dir=demo_copy), database=demo_db)  # type: ignore[call-arg]


def test_the_demo_documents_are_stored_pictures_of_every_required_kind(demo_ctx: AppContext) -> None:
    ctx = demo_ctx
    with ctx.db.read() as session:
        # The demo citizen's own: past cases carry small generic pictures (test_sketches_are_valid_small_uploads).
        case = session.exec(
            select(Case).where(Case.business_type == "new", Case.applicant_phone == CITIZEN_PHONE)
        ).first()
        assert case is not None
        documents = session.exec(select(Document).where(Document.case_id == case.id)).all()
    assert {d.kind for d in documents} >= {"id_front", "id_back", "certificate_of_conformity", "purchase_invoice"}
    front = next(d for d in documents if d.kind == "id_front")
    picture = Image.open(io.BytesIO(ctx.store.open(front.storage_key)))
    assert picture.format == "JPEG" and picture.size == (856, 540)  # the proportions of a card


def test_demo_staff_log_in_with_the_demo_password(demo_ctx: AppContext) -> None:
    ctx = demo_ctx
    for username, role, *_ in STAFF + HISTORY_STAFF[:1]:
        login = log_in_staff(
            ctx.db, username=username, password=DEMO_PASSWORD, now=ctx.clock.now(), settings=ctx.settings
        )
        assert login.user.role == role.value


def test_the_demo_never_texts_through_a_real_sms_provider(ctx: AppContext) -> None:
    class Provider:
        is_outbox = False

        def deliver(self, phone: str, text: str) -> str:
            raise AssertionError("texted a made-up number")

    provider_ctx = build_context(ctx.settings, clock=ctx.clock, database=ctx.db)
    provider_ctx.sms = SmsSender(Provider(), ctx.sms.templates)

    with pytest.raises(DemoRefused, match="outbox"):
        fill_demo(provider_ctx)
    with ctx.db.read() as session:
        assert session.exec(select(StaffUser)).all() == []


# --- through the CLI ------------------------------------------------------------------


def test_demo_prints_the_logins_and_the_citizen_phone(demo_dir: tuple[Path, str]) -> None:
    _, out = demo_dir

    for username, role, _, _, _ in STAFF:
        line = next(line for line in out.splitlines() if line.strip().startswith(username + " "))
        assert DEMO_PASSWORD in line and role.value in line
    assert "picc_tinghu       demo-pass-2026   clerk        人保财险  亭湖区" in out
    assert f"phone {CITIZEN_PHONE}" in out
    assert "awaiting_payment" in out and "completed" in out
    history = next(line for line in out.splitlines() if line.startswith("History: "))
    assert "over the last 6 months" in history and HISTORY_STAFF[0][0] in history


def test_a_second_demo_refuses_politely_and_changes_nothing(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with demo_db.read() as session:
        before = len(session.exec(select(Case)).all())

    assert cli.main(["demo"]) == 0

    out = capsys.readouterr().out
    assert "already loaded" in out and "picc_tinghu" in out
    with demo_db.read() as session:
        assert len(session.exec(select(Case)).all()) == before


def test_the_demo_refuses_a_database_that_holds_other_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO1WINDOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("NO1WINDOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a-real-password\n"))
    assert cli.main(["init"]) == 0
    assert (
        cli.main(
            [
                "user",
                "add",
                "--username",
                "real_user",
                "--role",
                "coordinator",
                "--display-name",
                "真实用户",
                "--password-stdin",
            ]
        )
        == 0
    )

    assert cli.main(["demo"]) == 1

    assert "only fills a fresh one" in capsys.readouterr().out
    database = Database(f"sqlite:///{tmp_path / 'data' / 'no1window.db'}")
    try:
        with database.read() as session:
            assert [u.username for u in session.exec(select(StaffUser)).all()] == ["real_user"]
            assert session.exec(select(Case)).all() == []
    finally:
        database.dispose()


def test_audit_verify_passes_on_the_demo_and_names_the_first_tampered_event(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with demo_db.read() as session:
        count = len(session.exec(select(Event)).all())
        approval = session.exec(select(Event).where(Event.action == "approve").order_by(Event.seq)).first()
    assert approval is not None
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out == f"OK: {count} events\n"

    # Someone lowers the premium of the first approval behind the application's back.
    with demo_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE event SET payload = :payload WHERE seq = :seq"),
            {"payload": '{"version": 1, "premium": "1.00"}', "seq": approval.seq},
        )

    assert cli.main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.startswith(f"FAILED at event {approval.seq}: event {approval.seq} was altered")


def test_sms_outbox_shows_the_demo_citizens_messages(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sms", "outbox", "--phone", CITIZEN_PHONE]) == 0

    out = capsys.readouterr().out
    templates = {line.split()[3] for line in out.splitlines()}
    assert {"assigned", "supplement_requested", "payment_link", "e_policy"} <= templates
    assert all(CITIZEN_PHONE in line for line in out.splitlines())


# --- the pictures ---------------------------------------------------------------------


OWNER = DemoOwner("张三", "ZHANG SAN", "320902197506181231", "男")
VEHICLE = DemoVehicle("LBPKE18060R000007", "DM00000007", "示例电摩 DM1200", "苏J12345")


@pytest.mark.parametrize("kind", [k for k in DocumentKind if k is not DocumentKind.E_POLICY])
def test_pictures_without_a_chinese_font_are_still_valid_uploads(kind: DocumentKind) -> None:
    picture = DemoPictures(font_path=None).document(kind, OWNER, VEHICLE)

    assert inspect_upload(picture).content_type == "image/jpeg"


@pytest.mark.parametrize("font", [find_cjk_font(), None], ids=["chinese", "latin"])
def test_sketches_are_valid_small_uploads_naming_nobody(font: Path | None) -> None:
    pictures = SketchPictures(font)
    other = DemoOwner("李四", "LI SI", "320902198001011234", "男")

    for kind in (DocumentKind.ID_FRONT, DocumentKind.PURCHASE_INVOICE):
        picture = pictures.document(kind, OWNER, VEHICLE)
        inspected = inspect_upload(picture)
        assert (inspected.width, inspected.height) == SketchPictures.SIZE
        # One picture per kind whoever the owner: stored once, and no one's details in it.
        assert pictures.document(kind, other, VEHICLE) == picture


def test_the_e_policy_is_a_pdf_the_upload_check_accepts() -> None:
    pdf = DemoPictures(find_cjk_font()).e_policy_pdf(
        case_number="YC20260310-0001", policy_number="DEMO1", owner=OWNER, vehicle=VEHICLE, member="人保财险"
    )

    assert inspect_upload(pdf).content_type == "application/pdf"


def test_a_cjk_font_is_found_when_installed_and_not_required(tmp_path: Path) -> None:
    assert find_cjk_font((tmp_path,)) is None
    (tmp_path / "noto").mkdir()
    (tmp_path / "noto" / "NotoSerifCJK-Regular.ttc").write_bytes(b"")
    (tmp_path / "noto" / "NotoSansCJK-Regular.ttc").write_bytes(b"")

    assert find_cjk_font((tmp_path,)) == tmp_path / "noto" / "NotoSansCJK-Regular.ttc"
