"""Logging in with phone and SMS code: inline checks, wrong, expired and too-often-requested codes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from server.models import LoginCode
from tests.e2e.conftest import CitizenSite
from tests.e2e.steps import wait_for_path
from tests.server.citizen.flow import login_code


def test_wrong_then_right_code_logs_in(page: Page, live_server: CitizenSite, screenshots: Path) -> None:
    phone = "13900000001"
    page.goto("/m/login?next=/m/records")
    page.get_by_label("手机号码").fill("1390000")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#phone-error")).to_have_text("手机号码应为11位,您输入了7位,请核对后重新输入")

    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-msg")).to_contain_text("验证码已发送至 139****0001")
    expect(page.locator("#send-code")).to_be_disabled()
    expect(page.locator("#send-code")).to_contain_text("重新获取(")
    page.screenshot(path=str(screenshots / "login.png"), full_page=True)

    right = login_code(live_server.ctx, phone)
    wrong = "000000" if right != "000000" else "111111"
    page.get_by_label("短信验证码").fill(wrong)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#code-error")).to_have_text("验证码不正确,还可尝试4次")
    expect(page.get_by_label("短信验证码")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("短信验证码").fill("12")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#code-error")).to_have_text("验证码应为6位数字,请核对短信后重新输入")

    page.get_by_label("短信验证码").fill(right)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_path(page, "/m/records")
    expect(page.locator("#records-empty")).to_contain_text("您还没有投保记录")
    token = page.evaluate("JSON.parse(localStorage.getItem('no1w.token')).token")
    assert token and len(token) > 20


def test_expired_code_and_asking_too_often(page: Page, live_server: CitizenSite) -> None:
    phone = "13900000002"
    page.goto("/m/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-msg")).to_contain_text("验证码已发送")
    code = login_code(live_server.ctx, phone)

    # Asking again at once (the countdown forgotten, as after clearing the browser): the server's refusal is shown.
    page.evaluate("sessionStorage.clear()")
    page.reload()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-msg")).to_contain_text("验证码已发送,请")
    expect(page.locator("#login-msg")).to_contain_text("秒后再重新获取")
    expect(page.locator("#send-code")).to_be_disabled()

    # The code runs out (five minutes pass): moved back in the database instead of waiting.
    with live_server.ctx.db.write() as session:
        row = session.exec(select(LoginCode).where(LoginCode.phone == phone).order_by(LoginCode.id.desc())).first()  # type: ignore[union-attr]
        assert row is not None
        row.expires_at = row.created_at - timedelta(seconds=1)
        session.add(row)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#code-error")).to_have_text("验证码已过期,请重新获取")


def test_pages_that_need_login_send_you_to_it_and_back(page: Page, live_server: CitizenSite) -> None:
    page.goto("/m/apply?type=renewal")
    wait_for_path(page, "/m/login")
    phone = "13900000003"
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-msg")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(login_code(live_server.ctx, phone))
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_path(page, "/m/apply")
    assert page.url.endswith("/m/apply?type=renewal")
    expect(page.get_by_label("车主手机号码")).to_have_value(phone)
