"""FeedFollower against the real server: events arrive, quitting is immediate, outages and expiry are reported."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from common.schemas.cases import EventOut
from desktop.api.client import ApiClient
from desktop.feed import FeedFollower, fetch_feed_head
from tests.desktop.conftest import TEST_BACKOFF, CitizenApplicant, LiveServer, StaffAccount


@pytest.fixture
def follower(qtbot: Any, api: ApiClient, clerk: StaffAccount) -> Iterator[FeedFollower]:
    api.login(clerk.username, clerk.password)
    feed = FeedFollower(api, after=fetch_feed_head(api), wait_seconds=25, backoff=TEST_BACKOFF)
    yield feed
    assert feed.stop(10_000)


def test_a_submitted_application_arrives_as_events(
    qtbot: Any, follower: FeedFollower, citizen: CitizenApplicant
) -> None:
    batches: list[list[EventOut]] = []
    follower.events_arrived.connect(batches.append)
    follower.start()
    case_id = citizen.submit_application()["id"]
    qtbot.waitUntil(lambda: any(e.action == "dispatch" for batch in batches for e in batch), timeout=10_000)
    events = [e for batch in batches for e in batch]
    assert {e.case_id for e in events} == {case_id}
    assert [e.seq for e in events] == sorted({e.seq for e in events})  # in order, none twice
    assert follower.last_seq == events[-1].seq


def test_stop_interrupts_a_long_poll_at_once(qtbot: Any, follower: FeedFollower, live_server: LiveServer) -> None:
    polls: list[bool] = []
    follower.poll_started.connect(lambda: polls.append(True))
    follower.start()
    qtbot.waitUntil(lambda: len(polls) == 2, timeout=10_000)  # the first, quick poll answered; the long one is on
    started = time.monotonic()
    assert follower.stop(10_000)
    assert time.monotonic() - started < 5  # not the 25 s the poll would have waited
    assert follower.isFinished()


def test_an_outage_is_reported_and_the_recovery_too(
    qtbot: Any, follower: FeedFollower, live_server: LiveServer
) -> None:
    states: list[bool] = []
    follower.reachable_changed.connect(states.append)
    with qtbot.waitSignal(follower.poll_started, timeout=10_000):
        follower.start()
    live_server.stop()  # cuts the poll in progress (uvicorn may still answer it with a 500), as a crash would
    qtbot.waitUntil(lambda: states[-1:] == [False], timeout=10_000)
    live_server.start()
    follower.wake()  # what the banner's "立即重试" does; the back-off would get there too
    qtbot.waitUntil(lambda: states[-1:] == [True], timeout=10_000)


def test_a_revoked_session_ends_the_follower(
    qtbot: Any, follower: FeedFollower, api: ApiClient, live_server: LiveServer
) -> None:
    token = api.token
    other = ApiClient(live_server.url)
    try:
        other.token = token
        other.logout()  # the same token revoked elsewhere (an administrator, another window)
    finally:
        other.close()
    with qtbot.waitSignal(follower.session_expired, timeout=10_000):
        follower.start()
    qtbot.waitUntil(follower.isFinished, timeout=10_000)
