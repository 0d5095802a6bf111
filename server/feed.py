"""The change feed: events in the caller's scope after a sequence number, with long-polling.

The event table is the feed (DESIGN.md §3): `seq` is gap-free and assigned in
commit order, so a client that remembers the last `seq` it saw and asks for
`after=seq` never misses an event and never sees one twice.

Cursor rules:

* `after` < 0 (or omitted at the edge) asks for the head: no events, and
  `last_seq` is the newest sequence number, so a desktop starts "from now"
  after loading its queue.
* Otherwise the events in scope with `seq > after`, oldest first, at most
  `limit`. `last_seq` is the seq of the last event returned when the batch is
  full; when it is not, every event up to the chain head has been looked at,
  and `last_seq` is that head, even if nothing in the range was in scope.
  Skipping ahead like this is safe because the head is read before the events
  and everything up to it is committed (gap-free, commit order), and it keeps
  a clerk's next poll from re-scanning other members' traffic. It reveals
  only the city-wide event count, which is no secret.
* `after` beyond the head (a restored database) returns at once with the
  head as `last_seq` (< after): the client should reload and continue from it.

Long-polling holds no state in the server: the request itself polls the
database every `POLL_INTERVAL` seconds until an event in scope arrives or the
wait is over, so any worker on any host can answer any poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import anyio.to_thread
from sqlmodel import Session, select

from common.schemas.cases import EventOut
from server.actor import Actor
from server.cases.presenters import event_out
from server.cases.scope import event_scope
from server.db import Database
from server.models import Case, ChainHead, Event

DEFAULT_LIMIT = 500
MAX_LIMIT = 500
# Short enough that a desktop hears of a new case well within a second.
POLL_INTERVAL = 0.2


@dataclass(frozen=True)
class FeedBatch:
    """What one feed request returns."""

    events: list[EventOut] = field(default_factory=list)
    last_seq: int = 0


def chain_head(session: Session) -> int:
    """The newest event's sequence number (0 before the first event)."""
    head = session.exec(select(ChainHead.seq).where(ChainHead.id == 1)).first()
    return head or 0


def read_feed(session: Session, actor: Actor, *, after: int, limit: int = DEFAULT_LIMIT) -> FeedBatch:
    """The events in `actor`'s scope after `after`, oldest first (see the module's cursor rules)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError("limit must be within 1..MAX_LIMIT")
    # The head first: every event up to it is committed, so the range (after, head] is complete.
    head = chain_head(session)
    if after < 0 or after >= head:
        return FeedBatch(last_seq=head)
    # The case is joined for its number only: each event's county is stored with it (and scopes it).
    rows = session.exec(
        select(Event, Case.number)
        .outerjoin(Case, Case.id == Event.case_id)
        .where(Event.seq > after, Event.seq <= head, event_scope(actor))
        .order_by(Event.seq)
        .limit(limit)
    ).all()
    events = [event_out(event, number) for event, number in rows]
    return FeedBatch(events=events, last_seq=events[-1].seq if len(events) == limit else head)


async def wait_for_feed(
    database: Database,
    actor: Actor,
    *,
    after: int,
    wait: float,
    limit: int = DEFAULT_LIMIT,
    interval: float = POLL_INTERVAL,
    monotonic: Callable[[], float] = time.monotonic,
) -> FeedBatch:
    """`read_feed`, repeated every `interval` seconds for up to `wait` seconds until there is something.

    Each poll runs in a worker thread with a short read session of its own,
    so the event loop never blocks and no connection is held while waiting.
    Between polls the cursor moves to the head already examined, so each
    poll reads only the events that arrived since the last one.
    """
    deadline = monotonic() + max(0.0, wait)
    cursor = after
    while True:
        batch = await anyio.to_thread.run_sync(_read_once, database, actor, cursor, limit)
        if batch.events or after < 0 or batch.last_seq < after:
            return batch
        remaining = deadline - monotonic()
        if remaining <= 0:
            return batch
        cursor = batch.last_seq
        await anyio.sleep(min(interval, remaining))


def _read_once(database: Database, actor: Actor, after: int, limit: int) -> FeedBatch:
    with database.read() as session:
        return read_feed(session, actor, after=after, limit=limit)
