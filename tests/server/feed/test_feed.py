"""The change feed: scoped events after a cursor, and long-polling that answers as soon as one arrives."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

import server.feed
from common.enums import Action, Role
from common.schemas.pool import WindowChangeIn
from common.schemas.signals import SignalRuleIn
from server.context import AppContext
from server.dispatch.windows import set_window
from server.feed import read_feed
from server.signals.rule import set_rule
from tests.server.queue.builders import actor_of, add_event, make_case, staff

FEED = "/api/v1/staff/events"


def feed(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(FEED, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def traffic(ctx: AppContext) -> dict[str, Any]:
    """Events on cases of picc/亭湖, picc/盐都 and cpic/亭湖, in that order: their seqs by label (and one case number)."""
    mine = make_case(ctx, member="picc", county="320902")
    yandu = make_case(ctx, member="picc", county="320903")
    other = make_case(ctx, member="cpic", county="320902")
    return {
        "picc_tinghu_number": mine.number,
        "picc_tinghu": add_event(ctx, mine, Action.ACCEPT).seq,
        "picc_yandu": add_event(ctx, yandu, Action.ACCEPT).seq,
        "cpic_tinghu": add_event(ctx, other, Action.ACCEPT).seq,
    }


# --- cursor ---------------------------------------------------------------------------------


def test_without_a_cursor_the_feed_tells_the_head_and_nothing_else(
    ctx: AppContext, client: TestClient, traffic: dict[str, Any]
) -> None:
    _, headers = staff(ctx, "clerk")

    assert feed(client, headers) == {"events": [], "last_seq": traffic["cpic_tinghu"]}
    assert feed(client, headers, after=-1) == {"events": [], "last_seq": traffic["cpic_tinghu"]}


def test_a_clerk_gets_only_events_of_own_member_and_county_with_case_numbers(
    ctx: AppContext, client: TestClient, traffic: dict[str, Any]
) -> None:
    _, headers = staff(ctx, "clerk", Role.CLERK, member="picc", county="320902")

    body = feed(client, headers, after=0)

    assert [e["seq"] for e in body["events"]] == [traffic["picc_tinghu"]]
    event = body["events"][0]
    assert (event["action"], event["action_label"], event["case_number"]) == (
        "accept",
        "受理",
        traffic["picc_tinghu_number"],
    )
    # Everything up to the head has been looked at: the cursor skips the rest safely.
    assert body["last_seq"] == traffic["cpic_tinghu"]


def test_a_supervisor_follows_every_county_of_the_member_and_the_coordinator_everything(
    ctx: AppContext, client: TestClient, traffic: dict[str, Any]
) -> None:
    _, boss = staff(ctx, "boss", Role.SUPERVISOR, county=None)
    _, city = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)

    assert [e["seq"] for e in feed(client, boss, after=0)["events"]] == [traffic["picc_tinghu"], traffic["picc_yandu"]]
    assert [e["seq"] for e in feed(client, city, after=0)["events"]] == sorted(
        v for k, v in traffic.items() if not k.endswith("number")
    )


def test_each_case_event_carries_its_cases_county_and_leaves_the_payload_as_recorded(
    ctx: AppContext, client: TestClient, traffic: dict[str, Any]
) -> None:
    _, clerk = staff(ctx, "clerk", Role.CLERK, member="picc", county="320903")
    _, city = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)

    everything = feed(client, city, after=0)["events"]
    own = feed(client, clerk, after=0)["events"]

    assert {e["seq"]: e["county_code"] for e in everything} == {
        traffic["picc_tinghu"]: "320902",
        traffic["picc_yandu"]: "320903",
        traffic["cpic_tinghu"]: "320902",
    }
    assert [(e["seq"], e["county_code"]) for e in own] == [(traffic["picc_yandu"], "320903")]
    assert all("county_code" not in e["payload"] for e in everything), "the hash-chained payload is not touched"


def test_a_cases_timeline_carries_its_county_too(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk", Role.CLERK, member="picc", county="320903")
    case = make_case(ctx, member="picc", county="320903")
    add_event(ctx, case, Action.ACCEPT)

    response = client.get(f"/api/v1/staff/cases/{case.id}", headers=headers)

    assert response.status_code == 200, response.text
    assert [e["county_code"] for e in response.json()["events"]] == ["320903"]


def test_a_windows_change_carries_its_county_and_a_city_wide_change_none(ctx: AppContext, client: TestClient) -> None:
    city_user, city = staff(ctx, "city", Role.COORDINATOR, member=None, county=None)
    actor = actor_of(city_user)
    with ctx.db.write() as session:
        set_window(session, ctx, actor, county_code="320903", member_code="picc", change=WindowChangeIn(weight=3))
        set_rule(session, actor, SignalRuleIn(threshold=5, window_days=30), now=ctx.clock.now())

    events = feed(client, city, after=0)["events"]

    assert [(e["action"], e["case_id"], e["county_code"]) for e in events] == [
        (Action.SET_BRANCH.value, None, "320903"),
        (Action.SET_SIGNAL_RULE.value, None, None),
    ]


def test_only_events_after_the_cursor_come_oldest_first(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)
    first, second, third = (add_event(ctx, case, action).seq for action in (Action.ACCEPT, Action.CALL, Action.NOTE))

    body = feed(client, headers, after=first)

    assert [e["seq"] for e in body["events"]] == [second, third]
    assert body["last_seq"] == third


def test_a_case_reassigned_away_still_tells_its_previous_member(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk", member="picc")
    case = make_case(ctx, member="cpic")  # already moved to cpic
    moved = add_event(ctx, case, Action.REASSIGN, previous_member="picc").seq
    add_event(ctx, case, Action.ACCEPT)  # cpic's business from now on

    assert [e["seq"] for e in feed(client, headers, after=0)["events"]] == [moved]


def test_a_full_batch_ends_at_its_last_event_so_nothing_is_skipped(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)
    seqs = [add_event(ctx, case).seq for _ in range(5)]

    first = feed(client, headers, after=0, limit=2)
    rest = feed(client, headers, after=first["last_seq"], limit=10)

    assert ([e["seq"] for e in first["events"]], first["last_seq"]) == (seqs[:2], seqs[1])
    assert [e["seq"] for e in rest["events"]] == seqs[2:]


def test_a_cursor_beyond_the_head_answers_at_once_with_the_head(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    add_event(ctx, make_case(ctx))

    started = time.monotonic()
    body = feed(client, headers, after=1000, wait=5)

    assert body == {"events": [], "last_seq": 1}
    assert time.monotonic() - started < 4


def test_read_feed_service_scopes_without_http(ctx: AppContext, traffic: dict[str, Any]) -> None:
    clerk, _ = staff(ctx, "clerk", county="320903")

    with ctx.db.read() as session:
        batch = read_feed(session, actor_of(clerk), after=0)

    assert [e.seq for e in batch.events] == [traffic["picc_yandu"]]


@pytest.mark.parametrize(
    "params", [{"after": -2}, {"wait": -1}, {"wait": 301}, {"limit": 0}, {"limit": 501}, {"after": "x"}]
)
def test_bad_feed_parameters_are_refused(ctx: AppContext, client: TestClient, params: dict[str, Any]) -> None:
    _, headers = staff(ctx, "clerk")

    assert client.get(FEED, params=params, headers=headers).status_code == 422


def test_citizens_cannot_follow_the_feed(client: TestClient) -> None:
    assert client.get(FEED).status_code == 401


# --- long-poll ------------------------------------------------------------------------------


class PollWatcher:
    """Wraps the feed's database read so a test knows when the request is waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.polled = threading.Event()
        original = server.feed._read_once

        def watched(*args: Any) -> server.feed.FeedBatch:
            batch = original(*args)
            self.polled.set()
            return batch

        monkeypatch.setattr(server.feed, "_read_once", watched)


def test_a_waiting_request_returns_as_soon_as_an_event_in_scope_is_written(
    ctx: AppContext, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers = staff(ctx, "clerk")
    case = make_case(ctx)
    head = feed(client, headers)["last_seq"]
    watcher = PollWatcher(monkeypatch)
    result: dict[str, Any] = {}

    def long_poll() -> None:
        started = time.monotonic()
        result["body"] = feed(client, headers, after=head, wait=20)
        result["elapsed"] = time.monotonic() - started

    poller = threading.Thread(target=long_poll)
    poller.start()
    assert watcher.polled.wait(timeout=10), "the request never polled"
    written = add_event(ctx, case, Action.ACCEPT)
    poller.join(timeout=15)

    assert not poller.is_alive()
    assert [e["seq"] for e in result["body"]["events"]] == [written.seq]
    # Well before the 20 s wait: the desktop hears of it within a poll interval or so.
    assert result["elapsed"] < 10


def test_an_event_out_of_scope_does_not_end_the_wait(
    ctx: AppContext, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers = staff(ctx, "clerk", member="picc")
    foreign = make_case(ctx, member="cpic")
    head = feed(client, headers)["last_seq"]
    watcher = PollWatcher(monkeypatch)
    result: dict[str, Any] = {}

    poller = threading.Thread(target=lambda: result.update(body=feed(client, headers, after=head, wait=0.8)))
    poller.start()
    assert watcher.polled.wait(timeout=10)
    foreign_seq = add_event(ctx, foreign).seq
    poller.join(timeout=15)

    assert result["body"] == {"events": [], "last_seq": foreign_seq}


def test_with_nothing_happening_the_request_waits_then_returns_empty(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    add_event(ctx, make_case(ctx))

    started = time.monotonic()
    body = feed(client, headers, after=1, wait=0.5)
    elapsed = time.monotonic() - started

    assert body == {"events": [], "last_seq": 1}
    assert 0.5 <= elapsed < 5


def test_a_wait_longer_than_the_configured_maximum_is_shortened(ctx: AppContext, client: TestClient) -> None:
    _, headers = staff(ctx, "clerk")
    ctx.settings.feed_max_wait_seconds = 0.3

    started = time.monotonic()
    body = feed(client, headers, after=0, wait=60)

    assert body == {"events": [], "last_seq": 0}
    assert time.monotonic() - started < 5
