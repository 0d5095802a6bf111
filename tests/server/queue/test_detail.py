"""One case for staff: the detail, the recorded full-ID view, and document downloads, all within scope."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from common.enums import Action, Role
from server.cases.id_reveal import reveal_id_number
from server.context import AppContext
from server.errors import NotFound
from server.models import Case, Event
from tests.server.factories import jpeg_bytes, pdf_bytes
from tests.server.queue.builders import actor_of, add_document, make_case, staff

CASES = "/api/v1/staff/cases"
DOCUMENTS = "/api/v1/staff/documents"


def events_of(ctx: AppContext, case: Case) -> list[Event]:
    with ctx.db.read() as session:
        return list(session.exec(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all())


# --- detail ---------------------------------------------------------------------------------


def test_detail_shows_the_case_with_the_id_number_masked(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)

    response = client.get(f"{CASES}/{case.id}", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["number"], body["owner_phone"]) == (case.number, case.owner_phone)
    assert body["owner_id_masked"].count("*") == 8
    assert case.owner_id_number not in response.text


@pytest.mark.parametrize(("member", "county"), [("cpic", "320902"), ("picc", "320903")])
def test_a_clerk_gets_404_for_another_members_or_another_countys_case(
    ctx: AppContext, client: TestClient, member: str, county: str
) -> None:
    _, headers = staff(ctx, "clerk", Role.CLERK, member="picc", county="320902")
    case = make_case(ctx, member=member, county=county)

    response = client.get(f"{CASES}/{case.id}", headers=headers)

    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该申请,或您无权查看"


def test_a_supervisor_opens_cases_of_every_county_but_not_another_members(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "boss", Role.SUPERVISOR, county=None)
    elsewhere = make_case(ctx, county="320981")
    foreign = make_case(ctx, member="pingan")

    assert client.get(f"{CASES}/{elsewhere.id}", headers=headers).status_code == 200
    assert client.get(f"{CASES}/{foreign.id}", headers=headers).status_code == 404


def test_a_case_that_does_not_exist_is_404(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")

    assert client.get(f"{CASES}/999999", headers=headers).status_code == 404


# --- revealing the ID number ----------------------------------------------------------------


def test_reveal_returns_the_full_number_and_records_the_view_without_it(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)

    response = client.post(f"{CASES}/{case.id}/reveal-id", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"id_number": case.owner_id_number}
    assert response.headers["cache-control"] == "no-store"
    [event] = events_of(ctx, case)
    assert (event.action, event.actor_label, event.member_code) == (Action.REVEAL_ID.value, "clerk(窗口经办)", "picc")
    assert case.owner_id_number not in str(event.payload)
    assert case.owner_id_number[-4:] not in str(event.payload)


def test_the_view_shows_in_the_timeline_but_does_not_make_the_case_stale(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)
    before = client.get(f"{CASES}/{case.id}", headers=headers).json()

    client.post(f"{CASES}/{case.id}/reveal-id", headers=headers)
    after = client.get(f"{CASES}/{case.id}", headers=headers).json()

    assert after["version"] == before["version"]
    assert [e["action"] for e in after["events"]] == ["reveal_id"]
    assert case.owner_id_number not in str(after)


def test_reveal_out_of_scope_is_404_and_records_nothing(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx, member="cpic")

    response = client.post(f"{CASES}/{case.id}/reveal-id", headers=headers)

    assert response.status_code == 404
    assert case.owner_id_number not in response.text
    assert events_of(ctx, case) == []


def test_reveal_service_refuses_a_case_out_of_scope(ctx: AppContext) -> None:
    clerk, _ = staff(ctx, "clerk", county="320903")
    case = make_case(ctx, county="320902")

    with ctx.db.write() as session, pytest.raises(NotFound):
        reveal_id_number(session, actor_of(clerk), case.id or 0, now=ctx.clock.now())


# --- documents ------------------------------------------------------------------------------


@pytest.fixture
def photo(ctx: AppContext) -> tuple[Case, int, bytes, bytes]:
    """A case in picc/亭湖 with one stored JPEG; (case, document id, bytes, thumbnail bytes)."""
    case = make_case(ctx)
    content, thumbnail = jpeg_bytes(), jpeg_bytes(160, 100)
    document = add_document(ctx, case, content, content_type="image/jpeg", suffix=".jpg", thumbnail=thumbnail)
    return case, document.id or 0, content, thumbnail


def test_document_content_is_served_inline_with_safe_headers(
    ctx: AppContext, client: TestClient, photo: tuple[Case, int, bytes, bytes]
) -> None:
    _, headers = staff(ctx, "clerk")
    _, document_id, content, _ = photo

    response = client.get(f"{DOCUMENTS}/{document_id}/content", headers=headers)

    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "inline"
    assert response.headers["cache-control"].startswith("private, max-age=")
    assert response.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'


def test_an_unchanged_document_is_not_sent_again(
    ctx: AppContext, client: TestClient, photo: tuple[Case, int, bytes, bytes]
) -> None:
    _, headers = staff(ctx, "clerk")
    _, document_id, content, _ = photo
    etag = f'"{hashlib.sha256(content).hexdigest()}"'

    response = client.get(f"{DOCUMENTS}/{document_id}/content", headers={**headers, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_thumbnail_is_a_jpeg_of_its_own(
    ctx: AppContext, client: TestClient, photo: tuple[Case, int, bytes, bytes]
) -> None:
    _, headers = staff(ctx, "clerk")
    _, document_id, _, thumbnail = photo

    response = client.get(f"{DOCUMENTS}/{document_id}/thumbnail", headers=headers)

    assert response.status_code == 200
    assert (response.content, response.headers["content-type"]) == (thumbnail, "image/jpeg")
    assert response.headers["etag"] == f'"{hashlib.sha256(thumbnail).hexdigest()}"'
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_content_type_comes_from_the_stored_record_not_the_file_name(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)
    # Stored under a ".jpg" name, but inspection recorded a PDF: the record wins.
    document = add_document(
        ctx, case, pdf_bytes(), content_type="application/pdf", suffix=".jpg", thumbnail=jpeg_bytes(80, 80)
    )

    response = client.get(f"{DOCUMENTS}/{document.id}/content", headers=headers)

    assert response.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    ("role", "member", "county"),
    [(Role.CLERK, "picc", "320903"), (Role.CLERK, "cpic", "320902"), (Role.SUPERVISOR, "cpic", None)],
)
def test_documents_of_cases_out_of_scope_are_404(
    ctx: AppContext,
    client: TestClient,
    photo: tuple[Case, int, bytes, bytes],
    role: Role,
    member: str,
    county: str | None,
) -> None:
    _, headers = staff(ctx, "outsider", role, member=member, county=county)
    _, document_id, _, _ = photo

    for part in ("content", "thumbnail"):
        response = client.get(f"{DOCUMENTS}/{document_id}/{part}", headers=headers)
        assert response.status_code == 404
        assert response.json()["detail"] == "未找到该材料,或您无权查看"


def test_the_coordinator_may_open_any_document(
    ctx: AppContext, client: TestClient, photo: tuple[Case, int, bytes, bytes]
) -> None:
    _, headers = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)
    _, document_id, content, _ = photo

    assert client.get(f"{DOCUMENTS}/{document_id}/content", headers=headers).content == content


def test_a_document_missing_from_the_store_is_a_server_problem_not_a_crash(
    ctx: AppContext, client: TestClient, photo: tuple[Case, int, bytes, bytes]
) -> None:
    _, headers = staff(ctx, "clerk")
    _, document_id, content, _ = photo
    key = f"{hashlib.sha256(content).hexdigest()}"
    ctx.store.delete(f"{key[:2]}/{key[2:4]}/{key}.jpg")

    response = client.get(f"{DOCUMENTS}/{document_id}/content", headers=headers)

    assert response.status_code == 500
    assert response.json()["code"] == "document_unavailable"
