"""The citizen pages as served: content, labels, security headers, caching, compression, plain ES5 scripts."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from common.catalog import load_catalog
from common.consent import load_consent
from server.web.pages import STATIC_DIR, _environment

PAGES = ("/m/", "/m/login", "/m/apply?type=new", "/m/apply?type=renewal", "/m/records")
LOGIN_FIRST_LOAD_LIMIT = 60 * 1024


class PageParser(HTMLParser):
    """Collects what the checks look at: form controls, labels, scripts, links, images."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.open_labels = 0
        self.wrapped: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.inline_styles += 1
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_targets.add(a["for"] or "")
        if tag in ("input", "select", "textarea"):
            self.controls.append(a)
            if self.open_labels and a.get("id"):
                self.wrapped.add(a["id"] or "")
        if tag == "script":
            self.scripts.append(a)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(a[key] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_safe_and_self_contained(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "img-src 'self' data: blob:" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    page = parse(response.text)
    assert all("src" in s for s in page.scripts), "inline script: CSP would block it"
    assert all((s["src"] or "").startswith("/m/static/") for s in page.scripts)
    assert "<script>" not in response.text and page.inline_styles == 0
    # Nothing from another host: no CDN, no web font.
    assert all(u.startswith(("/", "tel:", "#", "data:")) for u in page.urls), page.urls
    # Every form control has a label (by for= or by wrapping).
    for control in page.controls:
        assert control.get("id") in page.label_targets | page.wrapped, control


def test_about_page_tells_what_the_service_is(client: TestClient) -> None:
    html = client.get("/m/").text
    catalog = load_catalog()
    assert "任何保险公司对于交强险都不得拒保" in html
    assert "非法中介" in html and "便宜保险" in html and "好办保险" in html
    assert "个人信息保护" in html
    assert 'href="tel:051568012378"' in html and "0515-68012378" in html
    for member in catalog.members:
        assert member.name in html
    for kind in catalog.document_kinds[:5]:
        assert kind.name in html
    assert 'href="/m/apply?type=new"' in html and 'href="/m/apply?type=renewal"' in html


def test_apply_pages_differ_by_business_type(client: TestClient) -> None:
    new = client.get("/m/apply?type=new").text
    renewal = client.get("/m/apply?type=renewal").text
    assert 'id="plate"' not in new and 'id="plate"' in renewal
    assert 'data-kind="purchase_invoice"' in new and 'data-kind="vehicle_license"' not in new
    assert 'data-kind="vehicle_license"' in renewal
    for html in (new, renewal):
        assert 'capture="environment"' in html and 'accept="image/*"' in html
        assert "/m/examples/id_front.svg" in html


def test_consent_is_shown_in_full_and_never_pre_ticked(client: TestClient) -> None:
    html = client.get("/m/apply?type=new").text
    consent = load_consent()
    assert consent.text in html and consent.title in html
    assert f'data-consent-version="{consent.version}"' in html
    checkbox = re.search(r'<input type="checkbox" id="consent"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)


def test_templates_escape_what_they_render() -> None:
    env = _environment()
    html = env.from_string("<p>{{ v }}</p>").render(v='<script>alert("x")</script>')
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_unknown_business_type_falls_back_to_new(client: TestClient) -> None:
    assert "新车投保" in client.get("/m/apply?type=<script>").text


def test_example_pictures(client: TestClient) -> None:
    for kind in ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice", "vehicle_license", "other"):
        response = client.get(f"/m/examples/{kind}.svg")
        assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
        assert "示例" in response.text and "<script" not in response.text
    assert client.get("/m/examples/e_policy.svg").status_code == 404
    assert client.get("/m/examples/..%2Fdomain.svg").status_code == 404


def test_static_files_are_versioned_cached_and_compressed(client: TestClient) -> None:
    html = client.get("/m/login").text
    src = re.search(r'src="(/m/static/js/login\.js\?v=[0-9a-f]+)"', html)
    assert src
    response = client.get(src.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert client.get("/m/login", headers={"Accept-Encoding": "gzip"}).headers["cache-control"] == "no-cache"


def test_login_first_load_is_small(client: TestClient) -> None:
    """The HTML and everything it pulls in, as gzip would send it, stays well under 60 KB."""
    html = client.get("/m/login").text
    total = len(gzip.compress(html.encode()))
    for url in re.findall(r'(?:src|href)="(/m/static/[^"]+)"', html):
        total += len(gzip.compress(client.get(url).content))
    assert total < LOGIN_FIRST_LOAD_LIMIT, total


@pytest.mark.parametrize("script", sorted(p.name for p in (STATIC_DIR / "js").glob("*.js")))
def test_scripts_are_plain_es5(script: str) -> None:
    """Android 8 WebView and iOS 13 Safari: no arrow functions, let/const, template literals, fetch."""
    source = (STATIC_DIR / "js" / script).read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    code = re.sub(r"^\s*//.*$", "", code, flags=re.M)
    assert "=>" not in code
    assert not re.search(r"\b(let|const|class|async|await)\s", code)
    assert "`" not in code
    assert not re.search(r"\bfetch\(|\.\.\.[A-Za-z]", code)
