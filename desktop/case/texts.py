"""How a case's facts read on screen: times, deadlines, durations, and one line per timeline event."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from common.catalog import load_catalog
from common.enums import CallOutcome, CaseStatus, DocumentKind
from common.schemas.cases import CaseDetail, EventOut
from desktop.queue.rows import LOCAL_ZONE

_MEMBERS = load_catalog().member_names


def local_time(value: datetime | None, *, with_date: bool = True) -> str:
    """A moment as people at the counter read it: "2026-03-10 10:05" (Yancheng time)."""
    if value is None:
        return ""
    shown = value.astimezone(LOCAL_ZONE)
    return shown.strftime("%Y-%m-%d %H:%M") if with_date else shown.strftime("%H:%M")


def duration_text(seconds: int) -> str:
    """75 → "1分15秒"."""
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"


def money(value: Decimal | None) -> str:
    """Yuan with fen: "180.00 元"."""
    return f"{value:.2f} 元" if value is not None else ""


def deadline_text(case: CaseDetail, now: datetime) -> str:
    """The SLA line of the header: due time and how long is left, paused, overdue, or done."""
    status = CaseStatus(case.status)
    if not status.is_open:
        return status.label
    if case.due_at is None:
        return "未计时"
    due = local_time(case.due_at)
    if case.sla_paused:
        return f"办理时限 {due}(等待客户补充材料,计时暂停)"
    left = int((case.due_at - now).total_seconds())
    if case.overdue or left < 0:
        return f"办理时限 {due}(已超时)"
    hours, rest = divmod(left // 60, 60)
    return f"办理时限 {due}(剩余 {hours}小时{rest:02d}分)" if hours else f"办理时限 {due}(剩余 {rest}分钟)"


def _kinds(value: object) -> str:
    if not isinstance(value, list):
        return ""
    names = []
    for kind in value:
        try:
            names.append(DocumentKind(str(kind)).label)
        except ValueError:
            names.append(str(kind))
    return "、".join(names)


def describe_event(event: EventOut) -> str:
    """The detail column of the timeline: what the event's payload says, in words; "" when nothing."""
    p = event.payload
    parts: list[str] = []
    if kinds := _kinds(p.get("kinds")):
        parts.append(f"需补充:{kinds}")
    if p.get("kind") and event.action == "upload_document":
        kind = str(p["kind"])
        try:
            parts.append(DocumentKind(kind).label)
        except ValueError:
            parts.append(kind)
    for key, label in (
        ("reason", "原因"),
        ("comment", "意见"),
        ("message", "说明"),
        ("text", ""),
        ("premium", "保费"),
        ("reference", "流水号"),
        ("policy_number", "保单号"),
    ):
        value = p.get(key)
        if value not in (None, "", []):
            text = f"{value} 元" if key == "premium" else str(value)
            parts.append(f"{label}:{text}" if label else text)
    for key, label in (("member_code", "分派给"), ("to_member_code", "改派给")):
        if code := p.get(key):
            parts.append(f"{label}:{_MEMBERS.get(str(code), str(code))}")
    if outcome := p.get("outcome"):
        try:
            parts.append(CallOutcome(str(outcome)).label)
        except ValueError:
            parts.append(str(outcome))
    if (seconds := p.get("duration_seconds")) is not None:
        parts.append(duration_text(int(str(seconds))))
    return ";".join(parts)
