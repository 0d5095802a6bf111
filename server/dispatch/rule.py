"""The dispatch rule as a pure function: which pool member gets the next case.

The smooth-weighted-round-robin state (one ``current_weight`` per county,
vehicle category and branch) lives in the database. The caller reads it under a
row lock, passes it in as :class:`Candidate` values, and writes
``Decision.new_weights`` back in the same transaction. Nothing here does I/O.

Why smooth weighted round robin: a plain weighted round robin with weights
5,1,1 hands out ``A A A A A B C`` -- bursts of one member, so a county's window
can be flooded for a morning while others idle. The smooth variant interleaves
(``A A B A C A A``) so that over any run of picks every member's count tracks
its share ``n * w_i / W``.

The state is nginx's (each step adds every available weight, the winner is
charged the total), so ``current_i = n * w_i - count_i * W``: how far member i
is behind its share, in units of 1/W case. nginx picks the highest current; for
some weight lists (8,8,8,1,1 say) that leaves a member a whole case behind.
We pick instead, among members not ahead of their share after this step
(``current > 0``), the one that would fall a whole case behind soonest -- the
earliest deadline ``ceil((W - current) / w)`` -- which is Tijdeman's solution
of the "chairman assignment problem" and keeps every member strictly within
one case of its share at every step, on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

RULE_STICKY_VEHICLE = "sticky_vehicle"
RULE_WEIGHTED_ROUND_ROBIN = "weighted_round_robin"
RULE_NO_MEMBER_AVAILABLE = "no_member_available"


@dataclass(frozen=True)
class Candidate:
    """One branch competing for a case, with its persisted round-robin state.

    ``key`` identifies the branch (branch id or member code); ``weight`` is the
    coordinator's dispatch weight (> 0); ``current_weight`` is the SWRR state
    stored for this branch under the case's county and vehicle category.
    """

    key: str
    weight: int
    available: bool
    current_weight: int = 0


@dataclass(frozen=True)
class Decision:
    """The outcome of one dispatch step.

    ``new_weights`` holds the current weight of *every* candidate after the
    step (unchanged ones included) so the caller can write them all back.
    ``figures`` is JSON-serialisable and is stored as the decision's reason;
    ``reason_zh`` is a one-line explanation for the coordinator, written with
    the candidates' keys (the caller may substitute member names).
    """

    chosen: str | None
    rule: str
    new_weights: dict[str, int]
    figures: dict[str, Any] = field(default_factory=dict)
    reason_zh: str = ""


def _validate(candidates: Sequence[Candidate]) -> None:
    """Reject input that would make the round robin meaningless."""
    seen: set[str] = set()
    for candidate in candidates:
        # bool is an int subclass; a True weight is a bug upstream, not weight 1.
        if isinstance(candidate.weight, bool) or not isinstance(candidate.weight, int):
            raise ValueError(f"weight of {candidate.key!r} must be an int, got {candidate.weight!r}")
        if candidate.weight <= 0:
            raise ValueError(f"weight of {candidate.key!r} must be > 0, got {candidate.weight}")
        if candidate.key in seen:
            raise ValueError(f"duplicate candidate key {candidate.key!r}")
        seen.add(candidate.key)


def reset_weights(candidates: Iterable[Candidate]) -> dict[str, int]:
    """Return a zeroed round-robin state for ``candidates``.

    Call it (and persist the result for that county and vehicle category)
    whenever the coordinator changes a dispatch weight or a member/branch is
    added to or removed from the county: the stored current weights are only
    meaningful relative to the weights and total they were accumulated under.
    Toggling availability does not require it; keeping the state preserves who
    is owed a case, and resetting would forget less than one case per member.
    """
    listed = list(candidates)
    _validate(listed)
    return {candidate.key: 0 for candidate in listed}


def choose(candidates: Sequence[Candidate], *, sticky_key: str | None = None) -> Decision:
    """Pick the branch for the next case of one county and vehicle category.

    A vehicle insured before (``sticky_key``) goes back to that member when it
    is available; otherwise one smooth-weighted-round-robin step runs over the
    available candidates. With no available candidate, ``chosen`` is ``None``
    and the case belongs in the coordinator's unassigned queue.

    Raises ``ValueError`` for a weight <= 0 or duplicate keys.
    """
    _validate(candidates)
    by_key = {candidate.key: candidate for candidate in candidates}
    before = {candidate.key: candidate.current_weight for candidate in candidates}
    available = sorted((c for c in candidates if c.available), key=lambda c: c.key)
    total = sum(candidate.weight for candidate in available)
    figures: dict[str, Any] = {
        "weights": {candidate.key: candidate.weight for candidate in candidates},
        "available": [candidate.key for candidate in available],
        "unavailable": sorted(c.key for c in candidates if not c.available),
        "total": total,
        "current_before": dict(before),
        "sticky_key": sticky_key,
        "sticky_fallback": None,
    }

    fallback_zh = ""
    if sticky_key is not None:
        sticky = by_key.get(sticky_key)
        if sticky is not None and sticky.available:
            # A returning vehicle is not a new share of the pool, so the
            # member's round-robin state is not charged for it.
            figures["current_after"] = dict(before)
            return Decision(
                chosen=sticky_key,
                rule=RULE_STICKY_VEHICLE,
                new_weights=dict(before),
                figures=figures,
                reason_zh=f"车辆上次由{sticky_key}承保,回原机构分派:{sticky_key}(轮转状态不变)",
            )
        if sticky is None:
            figures["sticky_fallback"] = "unknown"
            fallback_zh = f"原承保机构{sticky_key}不在本县候选机构中,"
        else:
            figures["sticky_fallback"] = "unavailable"
            fallback_zh = f"原承保机构{sticky_key}暂不可用,"

    if not available:
        figures["current_after"] = dict(before)
        return Decision(
            chosen=None,
            rule=RULE_NO_MEMBER_AVAILABLE,
            new_weights=dict(before),
            figures=figures,
            reason_zh=f"{fallback_zh}无可用机构,案件进入协调员待分派队列",
        )

    after = dict(before)
    for candidate in available:
        after[candidate.key] += candidate.weight
    # Earliest deadline first among those not ahead of their share; ties go to
    # the smallest key (available is sorted by key, min() keeps the first), so
    # replays are reproducible. If the stored state no longer sums to zero
    # (weights changed without a reset) and nobody qualifies, the highest
    # current wins as in nginx.
    eligible = [c for c in available if after[c.key] > 0]
    if eligible:
        winner = min(eligible, key=lambda c: -(-(total - after[c.key]) // c.weight))
    else:
        winner = max(available, key=lambda c: after[c.key])
    raised = after[winner.key]
    after[winner.key] -= total
    figures["chosen_current"] = raised
    figures["current_after"] = dict(after)
    return Decision(
        chosen=winner.key,
        rule=RULE_WEIGHTED_ROUND_ROBIN,
        new_weights=after,
        figures=figures,
        reason_zh=(
            f"{fallback_zh}按权重轮转分派:{winner.key}"
            f"(权重{winner.weight},轮转值{raised}最需补足,扣减可用权重合计{total}后为{after[winner.key]})"
        ),
    )
