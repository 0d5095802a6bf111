"""Uploading documents: only real photos and PDFs, cleaned of metadata, kept per round, refused files leave nothing."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from sqlmodel import select

from server.cases import uploads
from server.context import AppContext
from server.errors import Conflict
from server.models import Event
from tests.server.cases.conftest import Citizen, documents_of, load, put_case_in, stored_files
from tests.server.factories import jpeg_bytes, pdf_bytes, png_bytes

GPS_IFD = 0x8825


def photo_with_gps() -> bytes:
    """A phone photo carrying its maker and GPS position in EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (33.0, 21.0, 7.5), 3: "E", 4: (120.0, 9.0, 3.2)}
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 180, 160)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (40, 40)).save(buffer, "GIF")
    return buffer.getvalue()


def noise_jpeg(size: int) -> bytes:
    return _save(Image.effect_noise((size, size), 90).convert("RGB"), "JPEG", quality=95)


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def test_an_uploaded_photo_is_recorded_with_its_digest_size_and_type(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]

    response = citizen.upload(
        case_id, "id_front", png_bytes(), name="../../身份证.exe", declared="application/x-msdownload"
    )

    assert response.status_code == 201, response.text
    out = response.json()
    assert (out["kind"], out["kind_label"], out["round"]) == ("id_front", "身份证人像面", 0)
    assert (out["content_type"], out["width"], out["height"], out["pages"]) == ("image/png", 600, 400, None)
    [document] = documents_of(ctx, case_id)
    content = ctx.store.open(document.storage_key)
    assert hashlib.sha256(content).hexdigest() == out["sha256"] and len(content) == out["size"]
    assert ".exe" not in document.storage_key and document.uploaded_by_role == "citizen"
    view = citizen.client.get(f"{citizen.base}/{case_id}", headers=citizen.headers).json()
    assert "id_front" not in view["missing_documents"] and [d["id"] for d in view["documents"]] == [out["id"]]


def test_the_upload_event_names_kind_round_and_document_but_no_file_name(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    document_id = citizen.upload(case_id, "id_back", name="王建国身份证.jpg").json()["id"]

    with ctx.db.read() as session:
        event = session.exec(select(Event).where(Event.case_id == case_id, Event.action == "upload_document")).one()
    assert event.payload == {
        "version": event.payload["version"],
        "kind": "id_back",
        "round": 0,
        "document_id": document_id,
    }
    assert "王建国" not in str(event.payload)


def test_location_and_camera_data_are_stripped_from_a_stored_photo(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    document_id = citizen.upload(case_id, "id_front", photo_with_gps()).json()["id"]

    response = citizen.client.get(f"{citizen.base}/{case_id}/documents/{document_id}/content", headers=citizen.headers)

    assert response.status_code == 200
    stored = Image.open(io.BytesIO(response.content))
    assert stored.format == "JPEG" and stored.size == (800, 600)
    assert len(stored.getexif()) == 0 and b"PhoneMaker" not in response.content


def test_documents_are_served_inline_unsniffed_and_privately(citizen: Citizen) -> None:
    case_id = citizen.create().json()["id"]
    document_id = citizen.upload(case_id, "certificate_of_conformity", pdf_bytes(), declared="image/jpeg").json()["id"]
    base = f"{citizen.base}/{case_id}/documents/{document_id}"

    content = citizen.client.get(f"{base}/content", headers=citizen.headers)
    thumbnail = citizen.client.get(f"{base}/thumbnail", headers=citizen.headers)

    assert content.headers["content-type"] == "application/pdf" and content.content.startswith(b"%PDF-")
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.content)).size[1] <= 320
    for response in (content, thumbnail):
        assert response.headers["content-disposition"] == "inline"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "private" in response.headers["cache-control"]
    assert (
        citizen.client.get(f"{citizen.base}/{case_id}/documents/999/content", headers=citizen.headers).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (gif_bytes(), "photo.gif", 415, "仅支持 JPG、PNG 图片或 PDF 文件"),
        ("这不是图片".encode() * 100, "photo.jpg", 415, "仅支持 JPG、PNG 图片或 PDF 文件"),
        (jpeg_bytes()[:2000], "photo.jpg", 422, "图片已损坏"),
        (b"", "photo.jpg", 422, "文件为空"),
    ],
    ids=["gif", "renamed-text", "truncated-jpeg", "empty"],
)
def test_a_refused_file_leaves_nothing_stored(
    citizen: Citizen, ctx: AppContext, content: bytes, name: str, status: int, message: str
) -> None:
    case_id = citizen.create().json()["id"]
    version = load(ctx, case_id).version

    response = citizen.upload(case_id, "id_front", content, name=name)

    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert documents_of(ctx) == [] and stored_files(ctx) == []
    assert load(ctx, case_id).version == version  # no event either


def test_a_file_over_the_limit_is_refused_without_reading_it_all(citizen: Citizen, ctx: AppContext) -> None:
    ctx.settings.max_upload_bytes = 64 * 1024
    case_id = citizen.create().json()["id"]
    big = noise_jpeg(400)
    assert len(big) > 64 * 1024

    response = citizen.upload(case_id, "id_front", big)

    assert response.status_code == 413
    assert response.json()["detail"] == "文件超过 0.0625 MB,请压缩后重新上传"
    assert documents_of(ctx) == [] and stored_files(ctx) == []


def test_the_default_limit_is_ten_megabytes(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]

    response = citizen.upload(case_id, "id_front", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))

    assert response.status_code == 413 and "文件超过 10 MB" in response.json()["detail"]
    assert stored_files(ctx) == []


def test_files_are_removed_again_when_the_case_moved_on_meanwhile(
    citizen: Citizen, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = citizen.create().json()["id"]

    def moved_on(*args: object, **kwargs: object) -> None:
        raise Conflict("该申请当前状态为“待受理”,不能上传材料")

    monkeypatch.setattr(uploads, "attach_document", moved_on)
    response = citizen.upload(case_id, "id_front")

    assert response.status_code == 409
    assert documents_of(ctx) == [] and stored_files(ctx) == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("vehicle_license", "新车投保不需要该材料"),
        ("e_policy", "电子保单由承办窗口上传"),
        ("selfie", "材料类型不正确"),
    ],
)
def test_a_citizen_uploads_only_the_kinds_of_their_business_type(
    citizen: Citizen, ctx: AppContext, kind: str, message: str
) -> None:
    case_id = citizen.create().json()["id"]

    response = citizen.upload(case_id, kind)

    assert response.status_code == 422 and message in response.json()["detail"]
    assert stored_files(ctx) == []


def test_other_material_may_always_be_added(citizen: Citizen) -> None:
    case_id = citizen.create(business_type="renewal").json()["id"]
    assert citizen.upload(case_id, "other").status_code == 201
    assert citizen.upload(case_id, "vehicle_license").status_code == 201


@pytest.mark.usefixtures("only_picc_open")
def test_no_uploads_once_submitted_until_a_supplement_is_asked_for(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.draft()
    citizen.submit(case_id)

    refused = citizen.upload(case_id, "id_front")
    assert refused.status_code == 409 and "不能上传材料" in refused.json()["detail"]

    put_case_in(ctx, case_id, status="supplement_requested", supplement_round=2, supplement_kinds=["id_front"])
    again = citizen.upload(case_id, "id_front")

    assert again.status_code == 201 and again.json()["round"] == 2
    # Every round is kept: the first photo is still there.
    assert [d.round for d in documents_of(ctx, case_id) if d.kind == "id_front"] == [0, 2]


def test_the_same_photo_twice_is_two_documents_sharing_one_file(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    photo = jpeg_bytes()
    citizen.upload(case_id, "id_front", photo)
    citizen.upload(case_id, "other", photo)

    first, second = documents_of(ctx, case_id)
    assert first.id != second.id and first.storage_key == second.storage_key
    assert ctx.store.exists(first.storage_key)


def test_the_e_policy_pdf_is_served_once_the_case_is_completed(citizen: Citizen, ctx: AppContext) -> None:
    case_id = citizen.create().json()["id"]
    url = f"{citizen.base}/{case_id}/policy"
    assert citizen.client.get(url, headers=citizen.headers).status_code == 404

    citizen.upload(case_id, "other", pdf_bytes())  # stands in for the policy the clerk uploads
    [document] = documents_of(ctx, case_id)
    put_case_in(ctx, case_id, status="completed", policy_document_id=document.id, policy_number="PDZA2026000001")

    response = citizen.client.get(url, headers=citizen.headers)
    view = citizen.client.get(f"{citizen.base}/{case_id}", headers=citizen.headers).json()

    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content == ctx.store.open(document.storage_key)
    assert view["policy_link"].endswith(f"/api/v1/citizen/applications/{case_id}/policy")
