"""Properties of the dispatch rule: smooth weighted round robin, sticky vehicles.

The within-one-of-share bound is checked in integer arithmetic: with ``W`` the
available weight total, ``|count_i - n*w_i/W| < 1`` is ``|count_i*W - n*w_i| < W``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.dispatch.rule import (
    RULE_NO_MEMBER_AVAILABLE,
    RULE_STICKY_VEHICLE,
    RULE_WEIGHTED_ROUND_ROBIN,
    Candidate,
    Decision,
    choose,
    reset_weights,
)

STEPS = 10_000
# The pool's eight members with deliberately unequal weights.
POOL_WEIGHTS = [5, 3, 2, 1, 1, 1, 1, 1]

# Up to 8 members, weights 1..10: the range a coordinator would set.
weight_lists = st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=8)


def keyed(weights: Sequence[int]) -> dict[str, int]:
    """Name members so that key order is list order (m0 < m1 < ... < m7)."""
    return {f"m{i}": w for i, w in enumerate(weights)}


class Pool:
    """One (county, vehicle category) round-robin state, as the caller persists it."""

    def __init__(self, weights: dict[str, int], unavailable: frozenset[str] = frozenset()) -> None:
        self.weights = weights
        self.unavailable = unavailable
        self.state: dict[str, int] = {key: 0 for key in weights}
        self.state = reset_weights(self.candidates())
        self.counts = {key: 0 for key in weights}
        self.picks = 0

    def candidates(self) -> list[Candidate]:
        return [Candidate(key, w, key not in self.unavailable, self.state[key]) for key, w in self.weights.items()]

    def step(self) -> Decision:
        """Run one dispatch and write the state back, like the caller does."""
        decision = choose(self.candidates())
        self.state = decision.new_weights
        if decision.chosen is not None:
            self.counts[decision.chosen] += 1
            self.picks += 1
        return decision

    def available_total(self) -> int:
        return sum(w for key, w in self.weights.items() if key not in self.unavailable)

    def lag_violations(self, side: Callable[[int, int], bool]) -> list[str]:
        """Members whose signed lag ``count_i*W - n*w_i`` fails ``side(lag, W)``."""
        total = self.available_total()
        return [
            key
            for key, w in self.weights.items()
            if key not in self.unavailable and not side(self.counts[key] * total - self.picks * w, total)
        ]


def within_one(lag: int, total: int) -> bool:
    return abs(lag) < total


def run_checking(pool: Pool, steps: int, side: Callable[[int, int], bool] = within_one) -> None:
    """Step ``pool`` and assert the bound after every single pick."""
    for _ in range(steps):
        pool.step()
        bad = pool.lag_violations(side)
        assert not bad, f"after {pool.picks} picks {bad} off share: counts={pool.counts}"


# 1. Within one of share at every step.


@pytest.mark.parametrize(
    "weights",
    [POOL_WEIGHTS, [3, 3, 2, 2, 1, 1, 1, 1], [1] * 8, [7, 1]],
    ids=lambda ws: "-".join(map(str, ws)),
)
def test_every_member_stays_within_one_case_of_its_share(weights: list[int]) -> None:
    run_checking(Pool(keyed(weights)), STEPS)


@settings(max_examples=25, deadline=None)
@given(weights=weight_lists)
def test_drawn_weights_keep_every_member_within_one_case_of_its_share(weights: list[int]) -> None:
    pool = Pool(keyed(weights))
    total = sum(weights)
    for _ in range(STEPS):
        pool.step()
        assert not pool.lag_violations(within_one), pool.counts
        if pool.picks % total == 0:
            # Every W picks the counts are exactly proportional again.
            periods = pool.picks // total
            assert pool.counts == {k: w * periods for k, w in pool.weights.items()}


@pytest.mark.parametrize(
    "weights",
    # Lists where nginx's highest-current rule falls a whole case behind:
    # 8,8,8,1,1 after 13 picks; 10,10,10,1,1,1 after 20; 1,3,29,3,29,1.
    [[8, 8, 8, 1, 1], [10, 10, 10, 1, 1, 1], [1, 3, 29, 3, 29, 1]],
    ids=lambda ws: "-".join(map(str, ws)),
)
def test_weight_lists_that_defeat_plain_swrr_stay_within_one_case(weights: list[int]) -> None:
    run_checking(Pool(keyed(weights)), 50 * sum(weights))


# 2. Unavailable members.


@pytest.mark.parametrize("off", sorted(keyed(POOL_WEIGHTS)))
def test_unavailable_member_gets_nothing_and_the_rest_keep_their_share(off: str) -> None:
    pool = Pool(keyed(POOL_WEIGHTS), unavailable=frozenset({off}))
    run_checking(pool, STEPS)
    assert pool.counts[off] == 0
    assert pool.state[off] == 0, "an unavailable member's state must be left untouched"


@given(
    weights=weight_lists,
    data=st.data(),
    current=st.integers(min_value=-50, max_value=50),
)
def test_unavailable_candidate_is_never_chosen_nor_touched(
    weights: list[int], data: st.DataObject, current: int
) -> None:
    members = keyed(weights)
    off = data.draw(st.sets(st.sampled_from(sorted(members))), label="unavailable")
    candidates = [Candidate(k, w, k not in off, current) for k, w in members.items()]
    decision = choose(candidates)
    assert decision.chosen not in off
    assert set(decision.new_weights) == set(members)
    for key in off:
        assert decision.new_weights[key] == current
    if off == set(members):
        assert decision.chosen is None and decision.rule == RULE_NO_MEMBER_AVAILABLE


# 3. Vehicle categories are balanced separately.


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_categories_interleaved_keep_their_own_sequence_and_bound(seed: int) -> None:
    order = random.Random(seed)
    motorcycle = Pool(keyed(POOL_WEIGHTS))
    tractor = Pool(keyed([1, 2, 3, 1, 1, 4, 1, 2]))
    motorcycle_alone = Pool(keyed(POOL_WEIGHTS))
    tractor_alone = Pool(keyed([1, 2, 3, 1, 1, 4, 1, 2]))
    for _ in range(STEPS):
        pool, alone = (motorcycle, motorcycle_alone) if order.random() < 0.7 else (tractor, tractor_alone)
        # A category's picks are exactly those it would make on its own.
        assert pool.step().chosen == alone.step().chosen
        assert not pool.lag_violations(within_one), pool.counts


# 4. Sticky vehicle.


@given(weights=weight_lists, data=st.data())
def test_available_sticky_member_is_chosen_and_state_is_not_charged(weights: list[int], data: st.DataObject) -> None:
    members = keyed(weights)
    state = data.draw(st.lists(st.integers(-30, 30), min_size=len(members), max_size=len(members)))
    candidates = [Candidate(k, w, True, c) for (k, w), c in zip(members.items(), state)]
    sticky = data.draw(st.sampled_from(sorted(members)))
    decision = choose(candidates, sticky_key=sticky)
    assert decision.chosen == sticky
    assert decision.rule == RULE_STICKY_VEHICLE
    assert decision.new_weights == {c.key: c.current_weight for c in candidates}
    assert decision.figures["sticky_key"] == sticky


@pytest.mark.parametrize(("sticky", "why"), [("m0", "unavailable"), ("elsewhere", "unknown")])
def test_sticky_member_unavailable_or_unknown_falls_back_to_round_robin(sticky: str, why: str) -> None:
    candidates = [
        Candidate("m0", 5, False, 0),
        Candidate("m1", 3, True, 2),
        Candidate("m2", 2, True, -2),
    ]
    decision = choose(candidates, sticky_key=sticky)
    plain = choose(candidates)
    assert decision.rule == RULE_WEIGHTED_ROUND_ROBIN
    assert (decision.chosen, decision.new_weights) == (plain.chosen, plain.new_weights)
    assert decision.figures["sticky_fallback"] == why
    assert sticky in decision.reason_zh


def test_sticky_member_unavailable_and_nobody_else_goes_to_the_queue() -> None:
    decision = choose([Candidate("m0", 5, False, 0)], sticky_key="m0")
    assert decision.chosen is None
    assert decision.rule == RULE_NO_MEMBER_AVAILABLE
    assert decision.figures["sticky_fallback"] == "unavailable"


# 5. Determinism and the shape of a decision.


@given(weights=weight_lists, data=st.data())
def test_same_state_gives_same_decision_whatever_the_row_order(weights: list[int], data: st.DataObject) -> None:
    members = keyed(weights)
    candidates = [
        Candidate(k, w, data.draw(st.booleans()), data.draw(st.integers(-40, 40))) for k, w in members.items()
    ]
    shuffled = data.draw(st.permutations(candidates))
    first = choose(candidates)
    assert choose(candidates) == first
    # Rows may come back from the database in any order.
    assert (choose(shuffled).chosen, choose(shuffled).new_weights) == (first.chosen, first.new_weights)


@given(weights=weight_lists, data=st.data())
def test_step_conserves_the_available_sum_and_explains_itself(weights: list[int], data: st.DataObject) -> None:
    members = keyed(weights)
    candidates = [
        Candidate(k, w, data.draw(st.booleans()), data.draw(st.integers(-40, 40))) for k, w in members.items()
    ]
    decision = choose(candidates, sticky_key=data.draw(st.none() | st.sampled_from(sorted(members))))
    available = [c.key for c in candidates if c.available]
    # Each step adds W and takes W back: the pool's state does not drift.
    assert sum(decision.new_weights[k] for k in available) == sum(c.current_weight for c in candidates if c.available)
    figures = json.loads(json.dumps(decision.figures))
    assert figures["current_after"] == decision.new_weights
    assert figures["weights"] == members
    assert decision.reason_zh
    if decision.rule == RULE_WEIGHTED_ROUND_ROBIN:
        assert decision.chosen in decision.reason_zh
        assert figures["total"] == sum(members[k] for k in available)


def test_ties_go_to_the_smallest_key() -> None:
    candidates = [Candidate("b", 1, True, 0), Candidate("a", 1, True, 0), Candidate("c", 1, True, 0)]
    assert choose(candidates).chosen == "a"


def test_empty_pool_goes_to_the_queue() -> None:
    decision = choose([])
    assert (decision.chosen, decision.rule, decision.new_weights) == (None, RULE_NO_MEMBER_AVAILABLE, {})


# Invalid input and reset.


@pytest.mark.parametrize("weight", [0, -1])
def test_non_positive_weight_is_rejected(weight: int) -> None:
    with pytest.raises(ValueError):
        choose([Candidate("m0", 1, True, 0), Candidate("m1", weight, True, 0)])
    with pytest.raises(ValueError):
        reset_weights([Candidate("m1", weight, True, 0)])


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ValueError):
        choose([Candidate("m0", 1, True, 0), Candidate("m0", 2, False, 0)])


@given(weights=weight_lists, current=st.integers(-40, 40))
def test_reset_zeroes_every_candidate(weights: list[int], current: int) -> None:
    candidates = [Candidate(k, w, i % 2 == 0, current) for i, (k, w) in enumerate(keyed(weights).items())]
    assert reset_weights(candidates) == {c.key: 0 for c in candidates}
