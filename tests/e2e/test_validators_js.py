"""validators.js (run in Chromium) and common/validators.py agree on every example: verdict, value and message."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from common.validators import ValidationProblem, validate_mobile, validate_plate, validate_resident_id, validate_vin
from tests.e2e.conftest import CitizenSite

EXAMPLES = json.loads((Path(__file__).parent / "validator_examples.json").read_text(encoding="utf-8"))
TODAY = date(2026, 3, 10)

PYTHON: dict[str, Callable[[str], str]] = {
    "resident_id": lambda v: validate_resident_id(v, today=TODAY),
    "vin": validate_vin,
    "plate": validate_plate,
    "mobile": validate_mobile,
}
JS_CALL = {
    "resident_id": "No1Validators.residentId(v, '20260310')",
    "vin": "No1Validators.vin(v)",
    "plate": "No1Validators.plate(v)",
    "mobile": "No1Validators.mobile(v)",
}


def python_verdict(check: str, value: str) -> dict[str, Any]:
    try:
        return {"ok": True, "value": PYTHON[check](value), "message": ""}
    except ValidationProblem as problem:
        return {"ok": False, "value": None, "message": problem.message}


@pytest.fixture(scope="module")
def js_page(browser: Any, live_server: CitizenSite) -> Any:
    """The login page, which loads validators.js as citizens get it."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/m/login")
    yield page
    context.close()


def test_examples_cover_every_check_and_both_verdicts() -> None:
    for check in PYTHON:
        verdicts = {python_verdict(check, e["input"])["ok"] for e in EXAMPLES if e["check"] == check}
        assert verdicts == {True, False}, check


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e['check']}:{e['input']}")
def test_browser_and_server_agree(js_page: Page, example: dict[str, str]) -> None:
    check, value = example["check"], example["input"]
    expected = python_verdict(check, value)
    got = js_page.evaluate(f"function (v) {{ return {JS_CALL[check]}; }}", value)
    assert got == expected
    if "expect" in example:
        assert expected["ok"] is (example["expect"] == "ok")
