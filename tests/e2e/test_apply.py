"""Applying for a new vehicle in the browser: inline refusals, photos, a reload mid-way, a dropped submit."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect
from sqlmodel import select

from server.models import Case, Document, Event
from tests.e2e.conftest import CitizenSite
from tests.e2e.steps import fill_owner, log_in, photo, upload
from tests.server.factories import id_number, vin

NEW_KINDS = ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice")


def cases_of(server: CitizenSite, phone: str) -> list[Case]:
    with server.ctx.db.read() as session:
        return list(session.exec(select(Case).where(Case.applicant_phone == phone)).all())


def test_new_vehicle_application(page: Page, live_server: CitizenSite, tmp_path: Path, screenshots: Path) -> None:
    phone = "13900000011"
    log_in(page, live_server, phone, next_path="/m/apply?type=new")
    expect(page.locator("h1")).to_have_text("新车投保")
    expect(page.get_by_label("号牌号码")).to_have_count(0)  # a new vehicle has no plate yet

    # Step 1: a mistyped ID number is caught on the phone, in Chinese, before anything is sent.
    good_id = id_number(sequence="511")
    bad_id = good_id[:-1] + ("1" if good_id[-1] != "1" else "2")
    fill_owner(page, name="李桂英", id_number=bad_id, phone=phone)
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#err-id_number")).to_have_text("身份证号码校验位不正确,请核对后重新输入")
    expect(page.get_by_label("身份证号码")).to_be_focused()
    page.screenshot(path=str(screenshots / "apply-step1-error.png"), full_page=True)
    page.get_by_label("身份证号码").fill(good_id)
    page.get_by_role("button", name="下一步").click()

    # Step 2: the VIN's check digit too.
    good_vin = vin(511)
    bad_vin = good_vin[:8] + ("0" if good_vin[8] != "0" else "1") + good_vin[9:]
    step2 = page.locator("#step-2")
    step2.get_by_label("车架号(VIN)").fill(bad_vin)
    step2.get_by_label("品牌型号").fill("雅迪 YD1200DT")
    step2.get_by_label("功率(千瓦)").fill("1.2")
    step2.get_by_role("button", name="下一步").click()
    expect(page.locator("#err-vin")).to_have_text("车架号(VIN)第9位校验位不正确,请核对后重新输入")
    assert cases_of(live_server, phone) == []
    step2.get_by_label("车架号(VIN)").fill(good_vin.lower())
    step2.get_by_role("button", name="下一步").click()
    expect(page.locator("#step-3")).to_be_visible()

    # Step 3: photos, shrunk in the browser; a file that is not a picture is refused with a clear message.
    not_a_photo = tmp_path / "发票.txt"
    not_a_photo.write_text("这不是图片", encoding="utf-8")
    page.locator("#pick-purchase_invoice").set_input_files(str(not_a_photo))
    expect(page.locator('.doc[data-kind="purchase_invoice"] .err')).to_contain_text("只能上传照片")
    fake_jpeg = tmp_path / "坏照片.jpg"
    fake_jpeg.write_bytes(b"this is not really a JPEG at all" * 20)
    page.locator("#pick-purchase_invoice").set_input_files(str(fake_jpeg))
    # The browser cannot draw it, so it goes as it is and the server's own words come back.
    expect(page.locator('.doc[data-kind="purchase_invoice"] .err')).to_have_text(
        "仅支持 JPG、PNG 图片或 PDF 文件,请重新选择"
    )
    expect(page.locator('.doc[data-kind="purchase_invoice"] .state')).to_have_text("上传失败")

    upload(page, "id_front", photo(tmp_path / "front.jpg"), camera=True)

    # The network drops during an upload: a clear message and a retry button that resends the same photo.
    dropped = {"count": 0}

    def drop_first_upload(route: Route) -> None:
        if dropped["count"] == 0:
            dropped["count"] += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/documents", drop_first_upload)
    back = page.locator('.doc[data-kind="id_back"]')
    back.locator("#pick-id_back").set_input_files(str(photo(tmp_path / "back.jpg", color=(150, 90, 60))))
    expect(back.locator(".state")).to_have_text("上传失败")
    expect(back.locator(".err")).to_have_text("上传失败:网络连接不稳定,请检查网络后重试")
    back.get_by_role("button", name="重新上传").click()
    expect(back.locator(".state")).to_have_text("已上传")
    expect(back.get_by_role("button", name="重新上传")).to_be_hidden()
    page.unroute("**/documents")
    page.screenshot(path=str(screenshots / "apply-step3-uploads.png"), full_page=True)

    # The connection drops / the page is reloaded: the draft and its uploads come back.
    page.reload()
    expect(page.locator("#step-3")).to_be_visible()
    expect(page.locator('.doc[data-kind="id_front"] .state')).to_have_text("已上传")
    expect(page.locator('.doc[data-kind="id_back"] .thumb')).to_be_visible()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#err-documents")).to_have_text("还有2项材料未上传:机动车整车出厂合格证、机动车销售统一发票")
    upload(page, "certificate_of_conformity", photo(tmp_path / "coc.jpg", width=1200, height=1700))
    upload(page, "purchase_invoice", photo(tmp_path / "invoice.jpg", width=3000, height=2000))
    page.get_by_role("button", name="下一步").click()

    # Step 4: the consent is shown in full and must be ticked by the applicant.
    expect(page.locator("#summary")).to_contain_text(good_vin)
    expect(page.locator("#consent")).not_to_be_checked()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#err-consent")).to_have_text("请阅读并勾选同意书后再提交")
    page.get_by_label("我已阅读并同意").check()
    page.screenshot(path=str(screenshots / "apply-step4-confirm.png"), full_page=True)

    # The first submit reaches the server but its answer is lost on the way back.
    lost = {"count": 0}

    def drop_answer(route: Route) -> None:
        if lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # the server does its work…
            route.abort("connectionreset")  # …and the phone never hears of it
        else:
            route.continue_()

    page.route("**/submit", drop_answer)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#apply-msg")).to_contain_text("您填写的内容已保存")
    page.get_by_role("button", name="提交申请").click()

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#r-member")).to_have_text("已由人保财险承办")
    expect(page.locator("#r-phone")).to_have_attribute("href", re.compile(r"^tel:[0-9]+$"))
    expect(page.locator("#r-number")).to_contain_text("YC")
    page.screenshot(path=str(screenshots / "apply-result.png"), full_page=True)

    (case,) = cases_of(live_server, phone)  # one application, however many taps
    assert case.status == "assigned" and case.member_code == "picc" and case.vin == good_vin
    assert case.consent_version is not None
    with live_server.ctx.db.read() as session:
        submits = session.exec(select(Event).where(Event.case_id == case.id, Event.action == "submit")).all()
        documents = session.exec(select(Document).where(Document.case_id == case.id)).all()
    assert len(submits) == 1
    assert sorted(d.kind for d in documents) == sorted(NEW_KINDS)
    assert all(max(d.width or 0, d.height or 0) <= 1600 for d in documents), "photos are shrunk before upload"
    assert (
        page.evaluate("Object.keys(localStorage).filter(function (k) { return k.indexOf('no1w.draft') === 0; }).length")
        == 0
    )
