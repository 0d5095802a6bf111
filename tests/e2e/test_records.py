"""A registered vehicle from application to e-policy and rating, the clerk acting through the staff API."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import CitizenSite
from tests.e2e.steps import fill_owner, log_in, photo, upload, wait_for_path
from tests.server.citizen.flow import PAYMENT_LINK, POLICY_LINK, approve, clerk, complete, staff_act, submitted_case
from tests.server.factories import id_number, vin


def record_card(page: Page, number: str) -> Locator:
    return page.locator(f'article.record[data-number="{number}"]')


def apply_for_registered_vehicle(page: Page, server: CitizenSite, phone: str, tmp_path: Path) -> str:
    """Fill 非新车投保 with photos from the camera; the application number."""
    log_in(page, server, phone, next_path="/m/apply?type=renewal")
    fill_owner(page, name="张秀兰", id_number=id_number(sequence="622"), phone=phone, county="亭湖区")
    page.get_by_role("button", name="下一步").click()
    step2 = page.locator("#step-2")
    step2.get_by_label("号牌号码").fill("苏j·a1234")
    step2.get_by_label("车架号(VIN)").fill(vin(622))
    step2.get_by_label("品牌型号").fill("五羊本田 WH110T")
    step2.get_by_label("排量(毫升)").fill("110")
    step2.get_by_role("button", name="下一步").click()
    for kind in ("id_front", "id_back", "vehicle_license"):
        upload(page, kind, photo(tmp_path / f"{kind}.jpg"), camera=True)
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#summary")).to_contain_text("苏JA1234")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#r-member")).to_have_text("已由人保财险承办")
    return page.locator("#r-number").inner_text()


def test_registered_vehicle_from_application_to_rating(
    page: Page, live_server: CitizenSite, tmp_path: Path, screenshots: Path
) -> None:
    http, ctx = live_server.http, live_server.ctx
    number = apply_for_registered_vehicle(page, live_server, "13900000021", tmp_path)

    page.goto("/m/records")
    card = record_card(page, number)
    expect(card.locator(".handler")).to_have_text("已由人保财险承办")
    expect(card.locator(".window-phone")).to_have_attribute("href", re.compile(r"^tel:[0-9]+$"))
    expect(card.locator(".deadline")).to_contain_text("办结时限")
    expect(card.locator(".status")).to_have_text("待受理")
    case_id = int(page.evaluate("document.querySelector('article.record').id.split('-')[1]"))

    # The clerk finds the 行驶证 photo unreadable and asks for another.
    staff = clerk(http, ctx)
    staff_act(http, staff, case_id, "accept")
    staff_act(
        http, staff, case_id, "request-supplement", kinds=["vehicle_license"], message="行驶证副页拍得不清楚,请重拍"
    )
    page.reload()
    expect(card.locator(".status")).to_have_text("待补充材料")
    expect(card.locator(".supplement-message")).to_have_text("窗口说明:行驶证副页拍得不清楚,请重拍")
    card.get_by_role("button", name="提交补充材料").click()
    expect(card.locator(".supplement .msg")).to_have_text("请先上传:机动车行驶证")
    card.locator(f"#pick-{case_id}-vehicle_license").set_input_files(
        str(photo(tmp_path / "license2.jpg", color=(30, 60, 30)))
    )
    expect(card.locator('.doc[data-kind="vehicle_license"] .state')).to_have_text("已上传")
    page.screenshot(path=str(screenshots / "records-supplement.png"), full_page=True)
    card.get_by_role("button", name="提交补充材料").click()
    expect(card.locator(".status")).to_have_text("审核中")

    # Payment link: shown as a link and as a QR code drawn by the server.
    approve(http, staff, case_id)
    page.reload()
    expect(card.locator(".status")).to_have_text("待缴费")
    expect(card.locator(".payment-link")).to_have_attribute("href", PAYMENT_LINK)
    expect(card.locator(".premium")).to_have_text("保费:120.00 元")
    expect(card.locator("img.qr")).to_have_attribute("src", re.compile(r"^blob:"))
    assert card.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(screenshots / "records-payment.png"), full_page=True)

    # Paid and issued: the e-policy link; no more cancelling; the rating form.
    complete(http, staff, case_id)
    page.reload()
    expect(card.locator(".status")).to_have_text("已办结")
    expect(card.locator(".policy-link")).to_have_attribute("href", POLICY_LINK)
    expect(card.get_by_role("button", name="撤销申请")).to_have_count(0)
    expect(card.locator(".timeline")).to_contain_text("出具电子保单")
    card.get_by_label("4星").check()
    card.get_by_label("意见建议(选填,200字以内)").fill("工作人员很耐心")
    card.get_by_role("button", name="提交评价").click()
    expect(card.locator(".rated")).to_have_text("感谢您的评价:4星")
    page.reload()
    expect(card.locator(".rated")).to_have_text("您的评价:4星,工作人员很耐心")

    # A complaint goes through too.
    card.get_by_text("我要投诉").click()
    card.get_by_label("投诉内容(500字以内)").fill("第一次打窗口电话没人接")
    card.get_by_role("button", name="提交投诉").click()
    expect(card.locator(".complaint .msg")).to_contain_text("投诉已提交")
    page.screenshot(path=str(screenshots / "records-completed.png"), full_page=True)


def test_cancel_before_payment(page: Page, live_server: CitizenSite) -> None:
    http = live_server.http
    phone = "13900000022"
    log_in(page, live_server, phone)
    # The application itself is made through the API with the page's own token (the same phone).
    token = page.evaluate("JSON.parse(localStorage.getItem('no1w.token')).token")
    case_id = submitted_case(http, {"Authorization": f"Bearer {token}"}, serial=722, phone=phone)
    page.reload()
    card = page.locator(f"#case-{case_id}")
    card.get_by_role("button", name="撤销申请").click()
    expect(card.locator("section .msg").first).to_contain_text("确定要撤销吗")
    card.get_by_role("button", name="确认撤销").click()
    expect(card.locator(".status")).to_have_text("已撤销")
    expect(card.get_by_role("button", name="撤销申请")).to_have_count(0)

    # Logging out ends the session and leaves no unsent draft (it holds an ID number) on a shared phone.
    page.evaluate("localStorage.setItem('no1w.draft.13900000022.new', '{\"v\":1}')")
    page.get_by_role("button", name="退出登录").click()
    wait_for_path(page, "/m/")
    assert page.evaluate("localStorage.length") == 0
    page.goto("/m/records")
    wait_for_path(page, "/m/login")
