"""Append events to the hash chain, and verify the chain.

Each event's hash covers its content and the previous event's hash, so an
altered, inserted or deleted row breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from server.models import ChainHead, Event

GENESIS_HASH = "0" * 64


def event_hash(event: Event) -> str:
    """SHA-256 over the event's content and its predecessor's hash (canonical JSON)."""
    content = {
        "seq": event.seq,
        "case_id": event.case_id,
        "action": event.action,
        "status_after": event.status_after,
        "actor_role": event.actor_role,
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "member_code": event.member_code,
        "county_code": event.county_code,
        "previous_member_code": event.previous_member_code,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append_event(session: Session, *, created_at: datetime, **fields: Any) -> Event:
    """Add an event at the head of the chain, inside the caller's transaction.

    The chain head row is locked (FOR UPDATE on PostgreSQL; SQLite write
    transactions are already exclusive), so concurrent writers append one
    after the other and sequence numbers come out gap-free in commit order.
    """
    head = session.exec(select(ChainHead).where(ChainHead.id == 1).with_for_update()).first()
    if head is None:
        head = ChainHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    # JSON round trip so the hash is computed over exactly what the database returns later.
    payload = json.loads(json.dumps(fields.pop("payload", {}) or {}, ensure_ascii=False, default=str))
    event = Event(
        seq=head.seq + 1, prev_hash=head.hash, created_at=created_at.astimezone(UTC), payload=payload, hash="", **fields
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain."""

    checked: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_events(events: Iterable[Event], *, head: ChainHead | None) -> ChainReport:
    """Walk events in sequence order and report the first one altered or missing."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(checked, False, expected_seq, f"event {expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, False, event.seq, f"event {event.seq} does not follow event {event.seq - 1}")
        if event_hash(event) != event.hash:
            return ChainReport(checked, False, event.seq, f"event {event.seq} was altered")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return ChainReport(checked, False, checked + 1, f"events after {checked} are missing (head is at {head.seq})")
    return ChainReport(checked, True)


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Verify the whole chain in the database, reading it in batches."""

    def stream() -> Iterable[Event]:
        last = 0
        while True:
            rows = session.exec(select(Event).where(Event.seq > last).order_by(Event.seq).limit(batch)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    head = session.get(ChainHead, 1)
    return verify_events(stream(), head=head)
