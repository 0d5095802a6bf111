"""Screenshots of the desktop app, taken from the real widgets against a real server with demo data.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_screenshots.py [output-dir]

Starts the server (uvicorn in a thread, SQLite in a temporary folder, the
demo data of `no1window-server demo`) on a free loopback port, logs in as
the demo's 人保财险 clerk of 亭湖区 and saves PNGs of the login dialog, the
queue, a case with its documents, the document viewer, the payment-link QR
dialog and the counter intake form; then, as the demo's city coordinator,
the main window on each coordinator page there is: pool settings (pool.png),
statistics over the demo's half year of history (statistics.png) and the
signals (signals.png) when those pages exist, and the city board (board.png)
always. The server's clock and the desktop's countdown stand at
a fixed working afternoon (the board: that evening, see
`end_of_day_with_a_waiting_case`), so the pictures do not change with the
day they are taken. Needs a Simplified Chinese font (Debian:
fonts-noto-cjk), or Qt draws boxes.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlmodel import select  # noqa: E402

from common.enums import BusinessType, CaseStatus, DocumentKind, Role  # noqa: E402
from common.schemas.pool import WindowChangeIn  # noqa: E402
from common.validators import resident_id_check_char  # noqa: E402
from desktop.api.client import ApiClient  # noqa: E402
from desktop.api.connection import ConnectionMonitor  # noqa: E402
from desktop.api.tasks import TaskRunner  # noqa: E402
from desktop.app import create_application  # noqa: E402
from desktop.intake import checks  # noqa: E402
from desktop.intake.form import IntakeDialog  # noqa: E402
from desktop.login import LoginDialog  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.notifier import NewCaseNotifier  # noqa: E402
from desktop.preferences import Preferences  # noqa: E402
from server.app import build_context, create_app  # noqa: E402
from server.clock import FixedClock  # noqa: E402
from server.db import Database  # noqa: E402
from server.demo import DEMO_PASSWORD, fill_demo  # noqa: E402
from server.demo_cases import CaseFiler, DemoClock  # noqa: E402
from server.demo_pictures import DemoOwner, DemoPictures, DemoVehicle  # noqa: E402
from server.actor import Actor  # noqa: E402
from server.dispatch.windows import set_window  # noqa: E402
from server.models import Branch, StaffUser  # noqa: E402
from server.schema import upgrade_to_head  # noqa: E402
from server.settings import Settings  # noqa: E402

# Tuesday 2026-03-10, 15:00 in Yancheng: the demo's cases were filed over the three hours before.
AFTERNOON = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
CLERK = "picc_tinghu"
COORDINATOR = "coordinator"
# Coordinator pages to photograph, by key: the file each one goes to. Absent pages are skipped.
COORDINATOR_SHOTS = {"pool": "pool.png", "statistics": "statistics.png", "signals": "signals.png", "board": "board.png"}
# The statistics cover the demo's history: the half year before the demo day.
HALF_YEAR = (date(2025, 9, 1), date(2026, 3, 10))
# The board is taken last, at the end of the working day, with 盐都区's windows switched off and a
# citizen's application from there waiting: so it shows what it is for (overdue cases, the waiting queue).
EVENING = datetime(2026, 3, 10, 9, 45, tzinfo=UTC)
YANDU = "320903"
TINGHU = "320902"
TIMEOUT_MS = 30_000


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    """Run the event loop until `predicate()` holds (the widgets work in the background)."""
    clock = QElapsedTimer()
    clock.start()
    loop = QEventLoop()
    while not predicate():
        if clock.elapsed() > TIMEOUT_MS:
            raise TimeoutError(f"timed out waiting for {what}")
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def save(widget: QWidget, path: Path) -> None:
    """Grab the widget as it is drawn on screen and write the PNG."""
    QApplication.processEvents()
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    print(f"{path.name}: {path.stat().st_size // 1024} KB")


class DemoServer:
    """The real app with demo data on 127.0.0.1, in a thread."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
        database = Database(settings.effective_database_url)
        upgrade_to_head(database)
        database.dispose()
        self.ctx = build_context(settings, clock=FixedClock(AFTERNOON))
        fill_demo(self.ctx)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        # Critical only: stopping cuts the change feed's pending long poll, which uvicorn would log as an error.
        config = uvicorn.Config(create_app(self.ctx), log_level="critical", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started, "the server to start")

    def stop(self) -> None:
        # Forced: a long poll of the change feed may still be waiting on the server's side.
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(30)
        self.ctx.db.dispose()


def scans(folder: Path) -> dict[str, Path]:
    """Demo scans (drawn, stamped 示例) for the intake form's slots."""
    owner = DemoOwner("刘二", "LIU ER", "320902196805200457", "男")
    vehicle = DemoVehicle(
        vin="LZZ1BLSD4R0000071", engine_number="WP10.336E53", brand_model="豪沃 ZZ4257", plate="苏JD8123"
    )
    pictures = DemoPictures.on_this_machine()
    paths = {}
    for kind in (DocumentKind.ID_FRONT, DocumentKind.ID_BACK, DocumentKind.VEHICLE_LICENSE):
        path = folder / f"{kind.value}.jpg"
        path.write_bytes(pictures.document(kind, owner, vehicle))
        paths[kind.value] = path
    return paths


def wait_for_page(main: MainWindow, runner: TaskRunner, key: str) -> QWidget:
    """Show the coordinator page `key` and wait until it has loaded.

    A page that says so (a `loaded` signal) is waited for; for any page, the
    background calls it started must be done, too.
    """
    page = main.coordinator.page(key)
    assert page is not None
    done: list[object] = []
    loaded = getattr(page, "loaded", None)
    if loaded is not None:
        loaded.connect(done.append)
    main.coordinator.show_page(key)
    wait_until(
        lambda: (loaded is None or bool(done)) and runner.busy_count == 0 and runner.waiting_count == 0,
        f"the {key} page",
    )
    return page


def query_half_year(page: QWidget, runner: TaskRunner) -> None:
    """Show the statistics of HALF_YEAR (the page opens on this month) and wait for them."""
    done: list[object] = []
    page.loaded.connect(done.append)  # type: ignore[attr-defined]
    page.query_range(*HALF_YEAR)  # type: ignore[attr-defined]
    wait_until(lambda: bool(done) and runner.busy_count == 0, "the half year's statistics")


def coordinator_actor(server: DemoServer) -> Actor:
    """The demo's city coordinator, acting through the services as the desktop would through the API."""
    with server.ctx.db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == COORDINATOR)).one()
    return Actor(Role.COORDINATOR, user_id=user.id, display_name=user.display_name)


def pool_changes_of_the_afternoon(server: DemoServer) -> None:
    """Two of the coordinator's changes in 亭湖区, so 分派设置 shows its change history."""
    ctx, actor = server.ctx, coordinator_actor(server)
    with ctx.db.write() as session:
        set_window(session, ctx, actor, county_code=TINGHU, member_code="picc", change=WindowChangeIn(weight=3))
        set_window(session, ctx, actor, county_code=TINGHU, member_code="dajia", change=WindowChangeIn(available=False))


def end_of_day_with_a_waiting_case(server: DemoServer, api: ApiClient) -> None:
    """17:45: 盐都区's windows are off (as at a closed counter) and a citizen there has applied meanwhile."""
    ctx, actor = server.ctx, coordinator_actor(server)
    with ctx.db.write() as session:
        for branch in session.exec(select(Branch).where(Branch.county_code == YANDU)).all():
            change = WindowChangeIn(available=False)
            set_window(session, ctx, actor, county_code=YANDU, member_code=branch.member_code, change=change)
    clock = DemoClock(ctx.clock, hours_back=0.5)
    first17 = "32090319720416135"
    owner = DemoOwner("马十二", "MA SHIER", first17 + resident_id_check_char(first17), "男")
    CaseFiler(dataclasses.replace(ctx, clock=clock), clock).online(owner, BusinessType.NEW, "13900000011", county=YANDU)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(EVENING)
    api.server_now = lambda: EVENING  # type: ignore[method-assign]


def take_coordinator(out: Path, server: DemoServer, api: ApiClient, prefs: Preferences) -> None:
    """The coordinator's pages: board.png, and pool.png / statistics.png where those pages exist."""
    runner = TaskRunner(ConnectionMonitor())  # the clerk's window shut its runner down on closing
    main = MainWindow(api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    main.resize(1280, 860)
    main.show()
    pool_changes_of_the_afternoon(server)
    main.start_session(api.login(COORDINATOR, DEMO_PASSWORD))
    wait_until(lambda: main.feed is not None and main.model.rowCount() > 0, "the coordinator's queue")
    try:
        for key, name in COORDINATOR_SHOTS.items():
            if main.coordinator.page(key) is None:
                print(f"{name}: skipped, no {key} page")
                continue
            if key == "board":
                end_of_day_with_a_waiting_case(server, api)
            page = wait_for_page(main, runner, key)
            if key == "statistics":
                query_half_year(page, runner)
            save(main, out / name)
    finally:
        main.close()
        runner.shutdown(10_000)


def take(out: Path, work: Path) -> None:
    """All the screenshots into `out`."""
    app = create_application([])
    server = DemoServer(work / "server")
    prefs = Preferences(QSettings(str(work / "desk.ini"), QSettings.Format.IniFormat))
    api = ApiClient(server.url)
    api.server_now = lambda: AFTERNOON  # type: ignore[method-assign]  # the desktop's countdown on the same clock
    runner = TaskRunner(ConnectionMonitor())
    try:
        login = LoginDialog(api, runner, prefs, server_url=server.url, username=CLERK)
        login.password_edit.setText(DEMO_PASSWORD)
        login.show()
        save(login, out / "login.png")
        login.close()

        main = MainWindow(api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
        main.resize(1280, 760)
        main.show()
        main.start_session(api.login(CLERK, DEMO_PASSWORD))
        wait_until(lambda: main.feed is not None and main.model.rowCount() > 0, "the queue")
        reviewing = next(
            case_id
            for case_id in main.model.ids()
            if (c := main.model.case(case_id)) and c.status == CaseStatus.REVIEWING
        )
        main.panel.select_case(reviewing)
        save(main, out / "queue.png")

        main.request_open_case(reviewing)
        window = main.case_windows.windows[reviewing]
        window.resize(1200, 900)
        wait_until(
            lambda: window.case is not None and window.view.documents.thumbnails_loaded() == len(window.case.documents),
            "the case",
        )
        window.view.tabs.setCurrentIndex(0)
        save(window, out / "case.png")

        assert window.case is not None
        viewer = window.open_document(window.case.documents[0].id)
        assert viewer is not None
        viewer.resize(960, 680)
        wait_until(lambda: viewer.canvas.is_final, "the photo")
        save(viewer, out / "viewer.png")
        viewer.close()

        dialog = window.open_action("approve")
        assert dialog is not None
        dialog.link_edit.setText("https://pay.picc.example.cn/jqx/pay?order=YC20260310-0002")  # type: ignore[attr-defined]
        dialog.premium_edit.setText("120.00")  # type: ignore[attr-defined]
        dialog.resize(980, 620)
        save(dialog, out / "payment_qr.png")
        dialog.reject()

        intake = IntakeDialog(api, runner, user=main.user, today=AFTERNOON.date())
        intake.category_combo.setCurrentIndex(intake.category_combo.findData("operating_truck"))
        for path, text in {
            checks.NAME: "刘二",
            checks.ID_NUMBER: "320902196805200457",
            checks.PHONE: "1390000777",
            checks.PLATE: "苏JD8123",
            checks.VIN: "LZZ1BLSD4R0000071",
            checks.BRAND: "豪沃 ZZ4257",
            checks.POWER: "247",
        }.items():
            intake.edits[path].setText(text)
        intake.check_field(checks.PHONE)  # one digit short: shows the inline check
        files = scans(work)
        intake.slots.add_file("id_front", files["id_front"])
        intake.slots.add_file("id_back", files["id_back"])
        intake.resize(820, 1000)
        intake.show()
        save(intake, out / "intake.png")
        intake.close()
        window.close()
        main.close()

        take_coordinator(out, server, api, prefs)
    finally:
        runner.shutdown(10_000)
        api.close()
        server.stop()
    app.processEvents()


def main(argv: list[str]) -> int:
    """Take the screenshots into argv[0] (default: this folder)."""
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="no1window-shots-") as work:
        take(out, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
