"""What a citizen does in the browser, as reusable steps; and the photos they take."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CitizenSite
from tests.server.citizen.flow import login_code


def photo(path: Path, *, width: int = 2400, height: int = 1600, color: tuple[int, int, int] = (70, 110, 160)) -> Path:
    """A phone-camera-sized JPEG with some structure (so it compresses like a photo, not a flat colour)."""
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 40):
        draw.line([(i, 0), (width - i, height)], fill=(255, (i * 7) % 255, 90), width=6)
    draw.rectangle([width // 4, height // 4, width * 3 // 4, height * 3 // 4], outline=(255, 255, 255), width=20)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return path


def log_in(page: Page, server: CitizenSite, phone: str, *, next_path: str = "/m/records") -> None:
    """Log in on the login page with the code the SMS outbox holds."""
    page.goto(f"/m/login?next={next_path}")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-msg")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(login_code(server.ctx, phone))
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_path(page, next_path.split("?")[0])


def wait_for_path(page: Page, path: str) -> None:
    """Until the page is at `path` (a glob would also match the login page's ?next=… query)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def fill_owner(page: Page, *, name: str, id_number: str, phone: str, county: str = "亭湖区") -> None:
    page.get_by_label("车主姓名").fill(name)
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("车主手机号码").fill(phone)
    page.get_by_label("所在区县").select_option(label=county)


def upload(page: Page, kind: str, file: Path, *, camera: bool = False) -> None:
    """Choose a photo for a document kind (camera or album input) and wait until it is uploaded."""
    page.locator(f"#{'cam' if camera else 'pick'}-{kind}").set_input_files(str(file))
    expect(page.locator(f'.doc[data-kind="{kind}"] .state')).to_have_text("已上传")
