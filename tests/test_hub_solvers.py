"""The exact p-median: every way to choose when few, spopt and CBC otherwise, same optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from localitygis.hubs import _solvers as solvers


def _instance(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = cdist(rng.uniform(0, 20_000, (n, 2)), rng.uniform(0, 20_000, (m, 2)))
    return cost, rng.integers(1, 500, n).astype(float)


def _brute_force(cost: np.ndarray, weights: np.ndarray, k: int, required: list[int]) -> float:
    m = cost.shape[1]
    return min(
        float(weights @ cost[:, list(c)].min(axis=1))
        for c in itertools.combinations(range(m), k)
        if set(required) <= set(c)
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(2, 9),
    k=st.integers(1, 4),
    n_required=st.integers(0, 2),
)
def test_exact_by_enumeration_and_by_cbc_agree_with_brute_force(
    seed: int, m: int, k: int, n_required: int
) -> None:
    k = min(k, m)
    required = np.arange(min(n_required, k), dtype=np.intp)
    cost, weights = _instance(seed, 40, m)
    brute = _brute_force(cost, weights, k, required.tolist())
    enumerated = solvers.pmedian_exact(cost, weights, k, required)
    original = solvers.MAX_ENUMERATED
    solvers.MAX_ENUMERATED = -1  # every reduced problem goes to spopt and CBC
    try:
        by_cbc = solvers.pmedian_exact(cost, weights, k, required)
    finally:
        solvers.MAX_ENUMERATED = original
    for solved in (enumerated, by_cbc):
        assert solved.objective == pytest.approx(brute, rel=1e-9)
        assert set(required) <= set(solved.open.tolist())
        assert len(solved.open) == k
        assert solved.objective == pytest.approx(
            solvers.pmedian_objective(cost, weights, solved.open), rel=1e-12
        )


def test_enumeration_picks_the_first_of_equal_choices_and_keeps_required_sites() -> None:
    # two identical candidate columns: either gives the same total; the first is chosen
    cost = np.array([[1.0, 5.0, 5.0], [9.0, 2.0, 2.0]])
    weights = np.array([1.0, 1.0])
    solved = solvers.pmedian_enumerated(cost, weights, np.array([0]), np.array([1, 2]), choose=1)
    assert solved.open.tolist() == [0, 1]
    assert solved.objective == pytest.approx(3.0)
    only_required = solvers.pmedian_enumerated(
        cost, weights, np.array([0, 2]), np.array([1]), choose=0
    )
    assert only_required.open.tolist() == [0, 2]
    assert only_required.objective == pytest.approx(3.0)


def test_a_reduced_problem_too_many_ways_to_choose_goes_to_cbc(monkeypatch) -> None:
    cost, weights = _instance(7, 30, 8)
    calls: list[int] = []
    spopt = solvers.pmedian_spopt

    def counted(*args, **kwargs):
        calls.append(1)
        return spopt(*args, **kwargs)

    monkeypatch.setattr(solvers, "pmedian_spopt", counted)
    monkeypatch.setattr(solvers, "MAX_ENUMERATED", 0)
    solved = solvers._pmedian_reduced(cost, weights, 3, np.empty(0, dtype=np.intp))
    assert calls == [1]
    assert solved.objective == pytest.approx(_brute_force(cost, weights, 3, []), rel=1e-9)
    monkeypatch.setattr(solvers, "MAX_ENUMERATED", 10**9)
    again = solvers._pmedian_reduced(cost, weights, 3, np.empty(0, dtype=np.intp))
    assert calls == [1]  # enumerated this time
    assert again.objective == pytest.approx(solved.objective, rel=1e-12)
