"""Counter intake against the real server: a walk-in customer's case created, uploaded, submitted and dispatched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlmodel import select

from common.enums import Channel, VehicleCategory
from common.schemas.auth import StaffUserOut
from common.validators import validate_mobile, validate_resident_id
from desktop.api.client import ApiClient, FieldProblem, Refused
from desktop.api.tasks import TaskRunner
from desktop.intake import checks
from desktop.intake.form import IntakeDialog
from desktop.main_window import MainWindow
from desktop.notifier import NewCaseNotifier
from desktop.preferences import Preferences
from server.models import Case, Document
from tests.desktop.case_fixtures import TIMEOUT_MS
from tests.desktop.conftest import LiveServer, StaffAccount
from tests.server.factories import id_number, jpeg_bytes, vin

# The server's clock stands at 2026-03-10; the counter PC's date may be later (its own clock).
SERVER_DAY = date(2026, 3, 10)
RENEWAL_KINDS = ("id_front", "id_back", "vehicle_license")


@pytest.fixture
def clerk_user(api: ApiClient, clerk: StaffAccount) -> StaffUserOut:
    """The logged-in clerk (人保财险, 亭湖区)."""
    return api.login(clerk.username, clerk.password).user


@pytest.fixture
def scans(tmp_path: Path) -> dict[str, Path]:
    """A photo per document kind, as a scanner at the counter would save them."""
    paths = {}
    for index, kind in enumerate((*RENEWAL_KINDS, "other")):
        path = tmp_path / f"扫描{index}-{kind}.jpg"
        path.write_bytes(jpeg_bytes(800, 600, (30 * index, 90, 160)))
        paths[kind] = path
    return paths


@pytest.fixture
def intake(qtbot: Any, api: ApiClient, runner: TaskRunner, clerk_user: StaffUserOut) -> Iterator[IntakeDialog]:
    dialog = IntakeDialog(api, runner, user=clerk_user, today=SERVER_DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    runner.wait_for_idle(10_000)


def fill_truck(dialog: IntakeDialog, *, serial: int = 7, birth: date = date(1968, 2, 3)) -> None:
    """A registered operating truck of 张立新."""
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData(VehicleCategory.OPERATING_TRUCK.value))
    dialog.renewal_radio.setChecked(True)
    values = {
        checks.NAME: "张立新",
        checks.ID_NUMBER: id_number(birth=birth, sequence="457"),
        checks.PHONE: "139 0000 7777",
        checks.PLATE: "苏J·D8123",
        checks.VIN: vin(serial, wmi="LZZ", vds="1BLSD4"),
        checks.ENGINE: "WP10.336E53",
        checks.BRAND: "豪沃 ZZ4257",
        checks.POWER: "247",
    }
    for path, text in values.items():
        dialog.edits[path].setText(text)


def attach(dialog: IntakeDialog, scans: dict[str, Path], kinds: tuple[str, ...] = RENEWAL_KINDS) -> None:
    for kind in kinds:
        dialog.slots.add_file(kind, scans[kind])


def submit(qtbot: Any, dialog: IntakeDialog) -> Any:
    with qtbot.waitSignal(dialog.submitted, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def counter_cases(server: LiveServer) -> list[Case]:
    with server.ctx.db.read() as session:
        return list(session.exec(select(Case).where(Case.channel == Channel.COUNTER.value)).all())


def test_intake_creates_a_case_uploads_the_scans_and_shows_the_member(
    qtbot: Any, intake: IntakeDialog, scans: dict[str, Path], live_server: LiveServer, only_picc_in_tinghu: None
) -> None:
    assert intake.county_combo.currentData() == "320902"
    assert not intake.county_combo.isEnabled()  # a clerk takes cases for their own county
    fill_truck(intake)
    attach(intake, scans, (*RENEWAL_KINDS, "other"))
    intake.consent_check.setChecked(True)

    case = submit(qtbot, intake)

    assert case.member_name == "人保财险"
    assert "人保财险" in intake.result_label.text() and case.number in intake.result_label.text()
    assert intake.progress.isHidden() and intake.new_button.isVisible()
    [stored] = counter_cases(live_server)
    assert stored.category == VehicleCategory.OPERATING_TRUCK.value
    assert stored.plate == "苏JD8123" and stored.owner_phone == "13900007777"  # normalised as the server does
    with live_server.ctx.db.read() as session:
        kinds = sorted(d.kind for d in session.exec(select(Document).where(Document.case_id == stored.id)).all())
    assert kinds == sorted([*RENEWAL_KINDS, "other"])

    intake.new_button.click()
    assert intake.edits[checks.NAME].text() == "" and intake.slots.files() == []
    assert intake.submit_button.isVisible() and not intake.consent_check.isChecked()


def test_each_field_is_checked_on_leaving_it_in_the_servers_words(qtbot: Any, intake: IntakeDialog) -> None:
    edit: QLineEdit = intake.edits[checks.ID_NUMBER]
    edit.setText("32090219680203457")  # one digit short
    edit.editingFinished.emit()
    with pytest.raises(ValueError) as expected:
        validate_resident_id("32090219680203457", today=SERVER_DAY)
    assert intake.field_errors[checks.ID_NUMBER].text() == str(expected.value)
    assert intake.field_errors[checks.ID_NUMBER].isVisible()

    phone = intake.edits[checks.PHONE]
    phone.setText("2391234567")
    phone.editingFinished.emit()
    with pytest.raises(ValueError) as expected_phone:
        validate_mobile("2391234567")
    assert intake.field_errors[checks.PHONE].text() == str(expected_phone.value)

    phone.setText("13912345678")
    phone.editingFinished.emit()
    assert intake.field_errors[checks.PHONE].isHidden()


def test_nothing_is_sent_while_the_form_has_problems(
    qtbot: Any, intake: IntakeDialog, scans: dict[str, Path], live_server: LiveServer
) -> None:
    fill_truck(intake)
    intake.edits[checks.VIN].setText("LZZ1BLSD0R00000I")
    intake.new_radio.setChecked(True)  # a new vehicle has no plate: the plate field empties itself
    assert intake.edits[checks.PLATE].text() == "" and not intake.edits[checks.PLATE].isEnabled()
    intake.consent_check.setChecked(True)
    intake.submit_button.click()
    assert "车架号" in intake.field_errors[checks.VIN].text()
    assert not intake.sending and counter_cases(live_server) == []

    intake.edits[checks.VIN].setText(vin(8, wmi="LZZ", vds="1BLSD4"))
    intake.submit_button.click()
    assert intake.documents_error.text().startswith("还缺少以下材料,请上传后再提交:身份证人像面")
    assert counter_cases(live_server) == []


def test_a_server_refusal_lands_on_its_field(
    qtbot: Any,
    api: ApiClient,
    runner: TaskRunner,
    clerk_user: StaffUserOut,
    scans: dict[str, Path],
    live_server: LiveServer,
) -> None:
    # Born after the server's today but before the PC's: only the server can tell.
    dialog = IntakeDialog(api, runner, user=clerk_user, today=date(2026, 11, 28))
    qtbot.addWidget(dialog)
    fill_truck(dialog, birth=date(2026, 6, 1))
    attach(dialog, scans)
    dialog.consent_check.setChecked(True)
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: not dialog.sending, timeout=TIMEOUT_MS)
    assert dialog.field_errors[checks.ID_NUMBER].text() == "身份证号码中的出生日期晚于今天,请核对后重新输入"
    assert counter_cases(live_server) == []
    runner.wait_for_idle(10_000)


def test_a_refused_file_is_pointed_at_and_the_retry_carries_on_without_a_second_case(
    qtbot: Any,
    intake: IntakeDialog,
    scans: dict[str, Path],
    tmp_path: Path,
    live_server: LiveServer,
    only_picc_in_tinghu: None,
) -> None:
    fill_truck(intake)
    attach(intake, scans, ("id_front", "vehicle_license"))
    not_a_picture = tmp_path / "国徽面.jpg"
    not_a_picture.write_bytes(b"this is no image at all" * 50)
    intake.slots.add_file("id_back", not_a_picture)
    intake.consent_check.setChecked(True)
    intake.submit_button.click()
    qtbot.waitUntil(lambda: not intake.sending, timeout=TIMEOUT_MS)
    assert intake.slots.slots["id_back"].error_label.text().startswith("国徽面.jpg:")
    assert "申请已创建" in intake.step_label.text()
    assert not intake.edits[checks.NAME].isEnabled()  # the draft exists: its data is on the server now

    intake.slots.add_file("id_back", scans["id_back"])
    case = submit(qtbot, intake)
    assert case.member_name == "人保财险"
    assert len(counter_cases(live_server)) == 1
    assert sorted(d.kind for d in case.documents) == sorted(RENEWAL_KINDS)


def test_dropped_files_fill_the_empty_slots_in_order_or_the_slot_they_fall_on(
    qtbot: Any, intake: IntakeDialog, scans: dict[str, Path]
) -> None:
    slots = intake.slots
    drop(slots, [scans["id_front"], scans["id_back"]], QPointF(2, 2))  # on the hint line, not on a slot
    assert [(k, p.name) for k, p in slots.files()] == [
        ("id_front", scans["id_front"].name),
        ("id_back", scans["id_back"].name),
    ]
    target = slots.slots["other"]
    drop(slots, [scans["vehicle_license"]], QPointF(target.geometry().center()))
    assert slots.slots["other"].files == [scans["vehicle_license"]]
    assert slots.missing() == ["vehicle_license"]


def drop(widget: Any, paths: list[Path], position: QPointF) -> None:
    """What a file manager does when files are dragged in and dropped at `position` (Qt needs the enter first)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    buttons, keys, copy = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.DropAction.CopyAction
    # QDragEnterEvent takes a whole-pixel point, QDropEvent a fractional one.
    enter = QDragEnterEvent(position.toPoint(), copy, mime, buttons, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(position, copy, mime, buttons, keys)
    QApplication.sendEvent(widget, event)
    assert event.isAccepted()


def test_the_servers_field_problems_land_under_their_fields(intake: IntakeDialog) -> None:
    intake.show_refusal(
        Refused(
            422,
            "invalid",
            "owner.phone: 手机号码格式不正确,应以13至19开头,请核对后重新输入",
            errors=(
                FieldProblem("owner.phone", "手机号码格式不正确,应以13至19开头,请核对后重新输入"),
                FieldProblem("county_code", "内容太短"),
            ),
        )
    )
    assert intake.field_errors[checks.PHONE].text() == "手机号码格式不正确,应以13至19开头,请核对后重新输入"
    assert intake.error_label.text() == "内容太短"  # no field of its own on the form: the line below


def test_the_main_window_offers_intake_for_the_clerks_county(
    qtbot: Any, api: ApiClient, runner: TaskRunner, prefs: Preferences, clerk: StaffAccount
) -> None:
    main = MainWindow(api, runner, prefs, notifier=NewCaseNotifier(prefs, beep=lambda: None))
    qtbot.addWidget(main)
    main.start_session(api.login(clerk.username, clerk.password))
    assert main.intake_action.shortcut().toString() == "Ctrl+N"
    main.intake_action.trigger()
    dialog = main.findChild(IntakeDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.county_combo.currentText() == "亭湖区"
    dialog.close()
    main.close()
