"""平台说明 on a phone: the rules that protect the applicant are there to read, the supervision phone a tap away."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.steps import wait_for_path


def test_about_page(page: Page, screenshots: Path) -> None:
    page.goto("/m/")
    expect(page.locator("h1")).to_have_text("平台说明")
    expect(page.locator("#no-refusal")).to_contain_text("任何保险公司对于交强险都不得拒保")
    expect(page.locator("#intermediary")).to_contain_text("非法中介")
    expect(page.locator("#privacy")).to_contain_text("不要把短信验证码告诉任何人")
    expect(page.locator("#supervision a")).to_have_attribute("href", "tel:051568012378")
    expect(page.locator("#prepare")).to_contain_text("机动车整车出厂合格证")
    expect(page.get_by_role("listitem").filter(has_text="中国人民财产保险股份有限公司")).to_have_count(1)
    # Big touch targets: every button and link-button is at least 48 px tall.
    heights = page.locator(".btn").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 48, heights
    # Large type.
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    page.screenshot(path=str(screenshots / "about.png"), full_page=True)
    # Not logged in yet: 新车投保 leads to the login page, which will come back to the form.
    page.get_by_role("link", name="新车投保 新购、尚未上牌的车辆").click()
    wait_for_path(page, "/m/login")
    assert page.url.endswith("/m/login?next=%2Fm%2Fapply%3Ftype%3Dnew")
