"""The staff queue: scope, filters, search, deadline order, pages and tab counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from common.enums import CaseStatus, Role, VehicleCategory
from server.cases.queue import QueueFilters, list_queue
from server.clock import LOCAL_ZONE
from server.context import AppContext
from tests.server.factories import vin
from tests.server.queue.builders import actor_of, make_case, staff

QUEUE = "/api/v1/staff/cases"


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


@pytest.fixture
def spread(ctx: AppContext) -> dict[str, str]:
    """One case per (member, county) combination a test cares about, by label."""
    return {
        "picc_tinghu": make_case(ctx, member="picc", county="320902").number,
        "picc_yandu": make_case(ctx, member="picc", county="320903").number,
        "cpic_tinghu": make_case(ctx, member="cpic", county="320902").number,
        "unassigned_tinghu": make_case(ctx, member=None, county="320902", status=CaseStatus.SUBMITTED).number,
    }


# --- scope ------------------------------------------------------------------------------


def test_clerk_sees_only_own_member_in_own_county(ctx: AppContext, client: TestClient, spread: dict[str, str]) -> None:
    _, headers = staff(ctx, "clerk", Role.CLERK, member="picc", county="320902")

    assert numbers(client.get(QUEUE, headers=headers)) == [spread["picc_tinghu"]]


def test_supervisor_sees_own_member_in_every_county(
    ctx: AppContext, client: TestClient, spread: dict[str, str]
) -> None:
    _, headers = staff(ctx, "boss", Role.SUPERVISOR, member="picc", county=None)

    assert set(numbers(client.get(QUEUE, headers=headers))) == {spread["picc_tinghu"], spread["picc_yandu"]}


def test_coordinator_sees_every_case_including_unassigned(
    ctx: AppContext, client: TestClient, spread: dict[str, str]
) -> None:
    _, headers = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)

    assert set(numbers(client.get(QUEUE, headers=headers))) == set(spread.values())


def test_another_members_cases_never_appear_even_when_searched_by_number(
    ctx: AppContext, client: TestClient, spread: dict[str, str]
) -> None:
    _, headers = staff(ctx, "clerk", Role.CLERK, member="picc", county="320902")

    response = client.get(QUEUE, params={"q": spread["cpic_tinghu"]}, headers=headers)

    assert numbers(response) == []
    assert response.json()["total"] == 0


def test_drafts_are_left_out_unless_asked_for_and_then_only_the_callers_own(
    ctx: AppContext, client: TestClient
) -> None:
    clerk, headers = staff(ctx, "clerk")
    colleague, _ = staff(ctx, "colleague")
    mine = make_case(ctx, status=CaseStatus.DRAFT, created_by=clerk.id, member=None, due_in=None)
    make_case(ctx, status=CaseStatus.DRAFT, created_by=colleague.id, member=None, due_in=None)
    working = make_case(ctx)

    assert numbers(client.get(QUEUE, headers=headers)) == [working.number]
    assert numbers(client.get(QUEUE, params={"status": "draft"}, headers=headers)) == [mine.number]


def test_the_queue_needs_a_staff_login(client: TestClient) -> None:
    assert client.get(QUEUE).status_code == 401
    assert client.get(QUEUE, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


# --- filters ------------------------------------------------------------------------------


def test_status_filter_may_be_repeated(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    reviewing = make_case(ctx, status=CaseStatus.REVIEWING)
    paying = make_case(ctx, status=CaseStatus.AWAITING_PAYMENT)
    make_case(ctx, status=CaseStatus.COMPLETED)

    response = client.get(QUEUE, params=[("status", "reviewing"), ("status", "awaiting_payment")], headers=headers)

    assert set(numbers(response)) == {reviewing.number, paying.number}


def test_overdue_means_past_deadline_open_and_not_waiting_for_the_customer(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    late = make_case(ctx, status=CaseStatus.REVIEWING, due_in=-timedelta(minutes=1))
    make_case(ctx, status=CaseStatus.REVIEWING, due_in=timedelta(minutes=1))  # not yet
    make_case(ctx, status=CaseStatus.SUPPLEMENT_REQUESTED, due_in=-timedelta(hours=1), paused=True)  # clock stopped
    make_case(ctx, status=CaseStatus.COMPLETED, due_in=-timedelta(hours=1))  # finished
    make_case(ctx, status=CaseStatus.ASSIGNED, due_in=None)  # no deadline

    response = client.get(QUEUE, params={"overdue": "true"}, headers=headers)

    assert numbers(response) == [late.number]
    assert response.json()["items"][0]["overdue"] is True


def test_due_today_follows_the_local_calendar_day(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    # 00:10 local is still the previous day in UTC; 23:59 local is today; 00:00 tomorrow is not.
    early = make_case(ctx, due_at=datetime(2026, 3, 10, 0, 10, tzinfo=LOCAL_ZONE))
    late = make_case(ctx, due_at=datetime(2026, 3, 10, 23, 59, tzinfo=LOCAL_ZONE))
    make_case(ctx, due_at=datetime(2026, 3, 11, 0, 0, tzinfo=LOCAL_ZONE))
    make_case(ctx, due_at=datetime(2026, 3, 9, 23, 59, tzinfo=LOCAL_ZONE))
    make_case(ctx, status=CaseStatus.COMPLETED, due_at=datetime(2026, 3, 10, 17, 0, tzinfo=LOCAL_ZONE))

    assert numbers(client.get(QUEUE, params={"due_today": "true"}, headers=headers)) == [early.number, late.number]


def test_county_and_category_filters_narrow_a_supervisors_queue(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "boss", Role.SUPERVISOR, county=None)
    truck_in_yandu = make_case(ctx, county="320903", category=VehicleCategory.OPERATING_TRUCK)
    make_case(ctx, county="320903")
    make_case(ctx, county="320902", category=VehicleCategory.OPERATING_TRUCK)

    response = client.get(QUEUE, params={"county": "320903", "category": "operating_truck"}, headers=headers)

    assert numbers(response) == [truck_in_yandu.number]


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def searchable(ctx: AppContext) -> dict[str, str]:
    return {
        "number": make_case(ctx, number="YC20260309-0042").number,
        "name": make_case(ctx, owner_name="欧阳秀英").number,
        "plate": make_case(ctx, plate="苏J12345").number,
        "vin": make_case(ctx, vehicle_vin=vin(777)).number,
        "other": make_case(ctx, owner_name="李四", number="YC20260310-0999").number,
    }


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("YC20260309-0042", "number"),
        ("yc20260309-00", "number"),  # prefix, any case
        ("秀英", "name"),
        (" 欧阳 ", "name"),
        ("苏J12345", "plate"),
        ("苏j·12345", "plate"),  # written as on the plate
        (vin(777), "vin"),
        (vin(777)[-6:], "vin"),
        (vin(777)[-6:].lower(), "vin"),
    ],
)
def test_search_finds_by_number_name_plate_or_vin(
    ctx: AppContext, client: TestClient, searchable: dict[str, str], term: str, expected: str
) -> None:
    _, headers = staff(ctx, "clerk")

    assert numbers(client.get(QUEUE, params={"q": term}, headers=headers)) == [searchable[expected]]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COORDINATOR])
def test_search_finds_the_same_for_wider_scopes(
    ctx: AppContext, client: TestClient, searchable: dict[str, str], role: Role
) -> None:
    _, headers = staff(ctx, "wide", role, member="picc" if role is Role.SUPERVISOR else None, county=None)
    make_case(ctx, member="cpic", owner_name="欧阳秀英")  # same name, another member

    found = {
        term: numbers(client.get(QUEUE, params={"q": term}, headers=headers))
        for term in ("秀英", vin(777)[-8:], "苏J12345", "YC20260309")
    }

    if role is Role.SUPERVISOR:
        assert found["秀英"] == [searchable["name"]]
    else:
        assert len(found["秀英"]) == 2
    assert (found[vin(777)[-8:]], found["苏J12345"], found["YC20260309"]) == (
        [searchable["vin"]],
        [searchable["plate"]],
        [searchable["number"]],
    )


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("YC202603", [0, 1, 2, 3]),
        ("YC20260309", [0]),
        ("YC2026031", [1, 2]),
        ("YC20260319-", [2]),
        ("YC20260319-000", [2]),
        ("YC2026032", [3]),
        ("YC2026033", []),
    ],
)
def test_case_number_prefixes_ending_in_nine_or_a_dash_find_exactly_their_cases(
    ctx: AppContext, client: TestClient, prefix: str, expected: list[int]
) -> None:
    _, headers = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)
    cases = [
        make_case(ctx, number=n).number
        for n in ("YC20260309-0001", "YC20260310-0001", "YC20260319-0009", "YC20260320-0001")
    ]

    assert numbers(client.get(QUEUE, params={"q": prefix}, headers=headers)) == [cases[i] for i in expected]


@pytest.mark.parametrize("term", [vin(777)[-5:], vin(777)[:10], "%", "_", "秀_", "20260309-0042", "#1"])
def test_search_does_not_match_short_vin_tails_middles_or_wildcards(
    ctx: AppContext, client: TestClient, searchable: dict[str, str], term: str
) -> None:
    _, headers = staff(ctx, "clerk")

    assert numbers(client.get(QUEUE, params={"q": term}, headers=headers)) == []


# --- order and pages ------------------------------------------------------------------------


def test_queue_is_sorted_by_deadline_with_undated_cases_last(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    undated = make_case(ctx, due_in=None)
    later = make_case(ctx, due_in=timedelta(hours=5))
    soonest = make_case(ctx, due_in=-timedelta(hours=2))
    tie_a = make_case(ctx, due_in=timedelta(hours=1))
    tie_b = make_case(ctx, due_in=timedelta(hours=1))

    assert numbers(client.get(QUEUE, headers=headers)) == [
        soonest.number,
        tie_a.number,
        tie_b.number,
        later.number,
        undated.number,
    ]


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR])
def test_pages_split_the_deadline_order_and_report_the_total(ctx: AppContext, client: TestClient, role: Role) -> None:
    _, headers = staff(
        ctx,
        "user",
        role,
        member=None if role is Role.COORDINATOR else "picc",
        county="320902" if role is Role.CLERK else None,
    )
    # Statuses interleave along the deadline, so pages must merge them.
    statuses = [
        CaseStatus.REVIEWING,
        CaseStatus.ASSIGNED,
        CaseStatus.AWAITING_PAYMENT,
        CaseStatus.REVIEWING,
        CaseStatus.COMPLETED,
    ]
    dated = [make_case(ctx, status=st, due_in=timedelta(minutes=10 * i)).number for i, st in enumerate(statuses, 1)]
    undated = [
        make_case(ctx, status=st, due_in=None).number
        for st in (CaseStatus.ASSIGNED, CaseStatus.REVIEWING, CaseStatus.ASSIGNED)
    ]
    make_case(ctx, status=CaseStatus.DRAFT, member=None, due_in=None)  # a draft is never in the queue's pages or total

    pages = [client.get(QUEUE, params={"page": p, "page_size": 3}, headers=headers) for p in (1, 2, 3, 4)]

    assert [numbers(r) for r in pages] == [dated[:3], dated[3:] + undated[:1], undated[1:], []]
    assert {(r.json()["total"], r.json()["page_size"]) for r in pages} == {(8, 3)}
    assert [r.json()["page"] for r in pages] == [1, 2, 3, 4]


def test_an_empty_search_box_means_no_search(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)

    assert numbers(client.get(QUEUE, params={"q": "  "}, headers=headers)) == [case.number]


def test_default_page_size_is_fifty(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    make_case(ctx)

    assert client.get(QUEUE, headers=headers).json()["page_size"] == 50


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page_size": 0},
        {"page_size": 201},
        {"status": "nonsense"},
        {"county": "3209"},
        {"category": "bicycle"},
        {"q": "x" * 41},
        {"overdue": "perhaps"},
    ],
)
def test_bad_queue_parameters_are_refused_in_chinese(ctx: AppContext, client: TestClient, params: dict) -> None:
    _, headers = staff(ctx, "clerk")

    response = client.get(QUEUE, params=params, headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_list_shows_the_id_number_masked(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)

    response = client.get(QUEUE, headers=headers)

    masked = response.json()["items"][0]["owner_id_masked"]
    assert masked == f"{case.owner_id_number[:6]}********{case.owner_id_number[-4:]}"
    assert case.owner_id_number not in response.text


def test_service_pages_without_http(ctx: AppContext) -> None:
    clerk, _ = staff(ctx, "clerk")
    first = make_case(ctx, due_in=timedelta(hours=1))
    make_case(ctx, due_in=timedelta(hours=2))

    with ctx.db.read() as session:
        rows, total = list_queue(
            session, actor_of(clerk), filters=QueueFilters(), page=1, page_size=1, now=ctx.clock.now()
        )

    assert ([r.number for r in rows], total) == ([first.number], 2)


# --- tab counts -----------------------------------------------------------------------------


def test_counts_give_every_status_plus_overdue_and_due_today_in_scope(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    make_case(ctx, status=CaseStatus.REVIEWING, due_in=-timedelta(hours=1))  # overdue and due today
    make_case(ctx, status=CaseStatus.REVIEWING, due_in=timedelta(hours=3))  # due today
    make_case(ctx, status=CaseStatus.ASSIGNED, due_in=timedelta(days=2))
    make_case(ctx, status=CaseStatus.COMPLETED, due_in=-timedelta(hours=1))
    make_case(ctx, member="cpic", status=CaseStatus.REVIEWING, due_in=-timedelta(hours=1))  # not mine

    response = client.get(f"{QUEUE}/counts", headers=headers)

    assert response.status_code == 200
    counts = response.json()
    assert set(counts) == {s.value for s in CaseStatus} | {"overdue", "due_today"}
    assert (counts["reviewing"], counts["assigned"], counts["completed"], counts["draft"]) == (2, 1, 1, 0)
    assert (counts["overdue"], counts["due_today"]) == (1, 2)


def test_counts_can_be_narrowed_to_a_county(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "boss", Role.SUPERVISOR, county=None)
    make_case(ctx, county="320902")
    make_case(ctx, county="320903")

    counts = client.get(f"{QUEUE}/counts", params={"county": "320903"}, headers=headers).json()

    assert counts["assigned"] == 1
