"""Citizens filing applications as their phones do: the submission scenarios of `bench.server_load`.

Each citizen logs in with the code from the SMS outbox, creates a draft, uploads four photo-like JPEGs
and submits with consent; one application per citizen, and one measured "request" per application.
"""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageFilter

from bench.load import Measurement, Run, ServerProcess
from common.consent import load_consent
from common.validators import resident_id_check_char, vin_check_digit

NEW_DOCUMENTS = ("id_front", "id_back", "certificate_of_conformity", "purchase_invoice")


async def citizen_token(client: httpx.AsyncClient, database_file: Path, phone: str) -> dict[str, str]:
    """Log a citizen in with the code read from the SMS outbox, straight from the database file."""
    (await client.post("/api/v1/citizen/login-codes", json={"phone": phone})).raise_for_status()
    with sqlite3.connect(f"file:{database_file}?mode=ro", uri=True) as outbox:
        row = outbox.execute(
            "SELECT params FROM sms_message WHERE phone = ? AND template = 'login_code' ORDER BY id DESC LIMIT 1",
            (phone,),
        ).fetchone()
    code = json.loads(row[0])["code"]
    response = await client.post("/api/v1/citizen/sessions", json={"phone": phone, "code": code})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def photo_like_jpegs(count: int) -> list[bytes]:
    """JPEGs shaped like the phone pages upload them: 1600 px on the long side, ~300 KB, with texture."""
    photos = []
    for index in range(count):
        noise = Image.effect_noise((1600, 1200), 64)
        light = Image.linear_gradient("L").resize((1600, 1200)).rotate(90 * index)
        picture = Image.merge("RGB", (Image.blend(noise, light, 0.5), light, noise)).filter(ImageFilter.GaussianBlur(1))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85)
        photos.append(buffer.getvalue())
    return photos


def application(serial: int, phone: str) -> dict[str, Any]:
    """A new motorcycle's application with valid identifiers; `serial` keeps the VIN unique."""
    first17 = f"320903{date(1980, 1, 1 + serial % 28):%Y%m%d}{serial % 1000:03d}"
    vin = f"LBPKE18000T{900_000 + serial:06d}"
    return {
        "business_type": "new",
        "county_code": "320903",
        "owner": {"name": "孙压测", "id_number": first17 + resident_id_check_char(first17), "phone": phone},
        "vehicle": {
            "vin": vin[:8] + vin_check_digit(vin) + vin[9:],
            "brand_model": "雅迪 YD1200DT",
            "power_kw": "1.20",
        },
    }


async def file_application(
    client: httpx.AsyncClient, headers: dict[str, str], serial: int, phone: str, photos: list[bytes]
) -> None:
    """What a citizen's phone sends: create the draft, upload the four documents, submit with consent."""
    response = await client.post("/api/v1/citizen/applications", json=application(serial, phone), headers=headers)
    response.raise_for_status()
    case_id = response.json()["id"]
    for kind, photo in zip(NEW_DOCUMENTS, photos, strict=True):
        response = await client.post(
            f"/api/v1/citizen/applications/{case_id}/documents",
            data={"kind": kind}, files={"file": ("photo.jpg", photo, "image/jpeg")}, headers=headers,
        )  # fmt: skip
        response.raise_for_status()
    consent = {"consent": True, "consent_version": load_consent().version}
    response = await client.post(f"/api/v1/citizen/applications/{case_id}/submit", json=consent, headers=headers)
    response.raise_for_status()


async def submissions(
    client: httpx.AsyncClient,
    server: ServerProcess,
    citizens: list[tuple[str, dict[str, str]]],
    *,
    concurrency: int,
    first_serial: int,
) -> Measurement:
    """Every citizen files one application, `concurrency` at a time; one "request" here is one whole application."""
    photos = photo_like_jpegs(len(NEW_DOCUMENTS))
    queue = iter(enumerate(citizens))  # bounded: one application per citizen
    run = Run(server)

    async def citizen_loop() -> None:
        for index, (phone, headers) in queue:
            started, problem = time.perf_counter(), None
            try:
                await file_application(client, headers, first_serial + index, phone, photos)
            except httpx.HTTPError as exc:
                detail = exc.response.text[:200] if isinstance(exc, httpx.HTTPStatusError) else ""
                problem = f"{type(exc).__name__}: {exc} {detail}"
            run.add(started, problem)

    await asyncio.gather(*(citizen_loop() for _ in range(concurrency)))
    what = f"citizen applications, {concurrency} at a time (draft + 4 photos + submit)"
    return run.finish(f"submit_x{concurrency}", what, concurrency, extra={"photo_bytes": [len(p) for p in photos]})
