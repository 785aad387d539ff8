"""Solvers behind :func:`localitygis.hubs.optimise_hubs` (private).

All work on a dense cost matrix ``cost[i, j]`` (metres from demand point ``i`` to candidate
site ``j``), demand weights ``w[i]`` (population) and the indices of sites that must open.

* exact: spopt's ``PMedian`` / ``MCLP`` models built ``from_cost_matrix`` and solved with
  PuLP's bundled CBC; sites that must stay open are passed as ``predefined_facilities_arr``
  (spopt fixes their variables to 1). A p-median left small by reduced-cost fixing (a few
  thousand ways to choose the free sites) is solved by trying every choice instead, which
  is exact too and takes milliseconds where CBC took seconds.
* heuristic p-median: greedy addition, then best-improvement vertex substitution
  (Teitz–Bart interchange) evaluated for every (insert, remove) pair at once in the manner of
  Whitaker's fast interchange: only the entries of the matrix nearer than a demand point's
  second-nearest open site can change the answer, so each pass touches a sparse subset.
* lower bound for p-median: Lagrangian relaxation of the assignment constraints with
  subgradient optimisation (its best value approaches the LP relaxation bound).
* heuristic maximal coverage: greedy then best-improvement swaps on the coverage matrix;
  upper bound: the k largest single-site coverages (with forced sites), capped at the total.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pulp
from scipy.sparse import csr_matrix

log = logging.getLogger(__name__)

#: Above this many assignment variables (demand × candidates) the exact solver is refused.
MAX_EXACT_VARIABLES = 1_500_000

#: Below this many (choice, demand point) evaluations the exact p-median tries every choice.
MAX_ENUMERATED = 20_000_000


@dataclass(frozen=True)
class Solved:
    """What one solve produced (indices are columns of the cost matrix)."""

    open: np.ndarray
    objective: float
    bound: float | None
    optimal: bool
    iterations: int
    seconds: float


def pmedian_objective(cost: np.ndarray, weights: np.ndarray, open_: np.ndarray) -> float:
    """Population-weighted total distance when every demand point uses its nearest open site."""
    if len(open_) == 0:
        return float("inf")
    return float(weights @ cost[:, open_].min(axis=1))


def coverage_objective(
    cost: np.ndarray, weights: np.ndarray, open_: np.ndarray, radius: float
) -> float:
    """Demand within ``radius`` of at least one open site."""
    if len(open_) == 0:
        return 0.0
    return float(weights[(cost[:, open_] <= radius).any(axis=1)].sum())


@contextmanager
def _spopt_on_pulp3() -> Iterator[None]:
    """Silence PuLP 3's notices that spopt builds models with the PuLP 3 API.

    spopt 0.7 constructs ``LpVariable``/``LpConstraint`` objects directly, which PuLP 3.3
    deprecates ahead of PuLP 4. The models are correct under PuLP 3; only these migration
    notices are silenced, nothing else.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*PuLP 4\.0.*", category=DeprecationWarning)
        yield


def _cbc() -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False)


def _predefined(m: int, required: np.ndarray) -> np.ndarray | None:
    if len(required) == 0:
        return None
    dummies = np.zeros(m, dtype=int)
    dummies[required] = 1
    return dummies


def _opened(model) -> np.ndarray:
    return np.array(
        [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5], dtype=np.int64
    )


def pmedian_spopt(cost: np.ndarray, weights: np.ndarray, k: int, required: np.ndarray) -> Solved:
    """Solve the p-median exactly with spopt and CBC on the whole matrix."""
    from spopt.locate import PMedian

    start = time.perf_counter()
    with _spopt_on_pulp3():
        model = PMedian.from_cost_matrix(
            cost,
            weights.astype(np.float64),
            p_facilities=int(k),
            predefined_facilities_arr=_predefined(cost.shape[1], required),
        )
        model.solve(_cbc(), results=False)
    open_ = _opened(model)
    objective = pmedian_objective(cost, weights, open_)
    return Solved(open_, objective, objective, True, 0, time.perf_counter() - start)


def mclp_exact(
    cost: np.ndarray, weights: np.ndarray, k: int, required: np.ndarray, radius: float
) -> Solved:
    """Solve maximal coverage exactly with spopt and CBC."""
    from spopt.locate import MCLP

    start = time.perf_counter()
    with _spopt_on_pulp3():
        model = MCLP.from_cost_matrix(
            cost,
            weights.astype(np.float64),
            service_radius=float(radius),
            p_facilities=int(k),
            predefined_facilities_arr=_predefined(cost.shape[1], required),
        )
        model.solve(_cbc(), results=False)
    open_ = _opened(model)
    objective = coverage_objective(cost, weights, open_, radius)
    return Solved(open_, objective, objective, True, 0, time.perf_counter() - start)


# --------------------------------------------------------------------------------------
# p-median heuristic


def _nearest_two(cost: np.ndarray, open_: np.ndarray) -> tuple[np.ndarray, ...]:
    sub = cost[:, open_]
    if sub.shape[1] == 1:
        near = np.zeros(len(cost), dtype=np.int64)
        d1 = sub[:, 0].copy()
        d2 = np.full(len(cost), np.inf)
        return near, d1, d2
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    rows = np.arange(len(cost))
    a, b = sub[rows, part[:, 0]], sub[rows, part[:, 1]]
    swap = b < a
    near = np.where(swap, part[:, 1], part[:, 0])
    d1 = np.where(swap, b, a)
    d2 = np.where(swap, a, b)
    return near, d1, d2


def _greedy_pmedian(
    cost: np.ndarray, weights: np.ndarray, k: int, required: np.ndarray
) -> list[int]:
    n, m = cost.shape
    chosen = [int(j) for j in required]
    d1 = cost[:, chosen].min(axis=1) if chosen else np.full(n, np.inf)
    is_open = np.zeros(m, dtype=bool)
    is_open[chosen] = True
    while len(chosen) < k:
        if not np.isfinite(d1).any():
            score = weights @ cost  # total cost if j were the only site: lower is better
            score = np.where(is_open, np.inf, score)
            j = int(np.argmin(score))
        else:
            ii, jj = np.nonzero(cost < d1[:, None])
            gain = np.bincount(
                jj, weights=weights[ii] * (d1[ii] - cost[ii, jj]), minlength=m
            ).astype(np.float64)
            gain[is_open] = -1.0
            j = int(np.argmax(gain))
        chosen.append(j)
        is_open[j] = True
        d1 = np.minimum(d1, cost[:, j])
    return chosen


def pmedian_heuristic(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    required: np.ndarray,
    *,
    start_sites: np.ndarray | None = None,
    max_iterations: int = 10_000,
) -> Solved:
    """Greedy addition (or ``start_sites``) followed by best-improvement vertex substitution."""
    start = time.perf_counter()
    m = cost.shape[1]
    if start_sites is not None and len(start_sites) == k:
        open_ = np.asarray(start_sites, dtype=np.int64)
    else:
        open_ = np.array(_greedy_pmedian(cost, weights, k, required), dtype=np.int64)
    fixed = np.zeros(m, dtype=bool)
    fixed[required] = True
    objective = pmedian_objective(cost, weights, open_)
    iterations = 0
    row_max = cost.max(axis=1) + 1.0
    while iterations < max_iterations and len(open_) < m:
        iterations += 1
        near, d1, d2 = _nearest_two(cost, open_)
        d2 = np.where(np.isfinite(d2), d2, row_max)
        # every entry nearer than the second-nearest open site can change the answer
        ii, jj = np.nonzero(cost < d2[:, None])
        c = cost[ii, jj]
        wi = weights[ii]
        gain_add = np.bincount(jj, weights=wi * np.maximum(d1[ii] - c, 0.0), minlength=m).astype(
            np.float64
        )
        base = np.bincount(near, weights=weights * (d2 - d1), minlength=len(open_))
        correction = wi * (np.minimum(c, d2[ii]) - np.minimum(c, d1[ii]) - (d2[ii] - d1[ii]))
        loss = np.bincount(near[ii] * m + jj, weights=correction, minlength=len(open_) * m).reshape(
            len(open_), m
        )
        delta = base[:, None] + loss - gain_add[None, :]
        delta[:, open_] = np.inf
        delta[fixed[open_], :] = np.inf
        r, j = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if not delta[r, j] < -1e-9 * max(objective, 1.0):
            break
        candidate = open_.copy()
        candidate[r] = j
        new_objective = pmedian_objective(cost, weights, candidate)
        if new_objective >= objective:  # rounding: no real improvement
            break
        open_, objective = candidate, new_objective
    return Solved(np.sort(open_), objective, None, False, iterations, time.perf_counter() - start)


def pmedian_lower_bound(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    required: np.ndarray,
    *,
    upper: float,
    max_iterations: int = 300,
    time_limit: float = 20.0,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Lagrangian lower bound for the p-median (assignment constraints relaxed).

    Returns the best bound, and the site costs ``rho`` and choice ``y`` at that bound (for
    reduced-cost fixing).
    """
    start = time.perf_counter()
    keep = weights > 0
    cost, weights = cost[keep], weights[keep]
    n, m = cost.shape
    if n == 0:
        return 0.0, np.zeros(m), np.zeros(m, dtype=bool)
    fixed = np.zeros(m, dtype=bool)
    fixed[required] = True
    near = _Nearest.of(cost, k)
    lam = weights * near.cost[:, min(k, near.width - 1)]  # a start above each nearest distance
    best, best_rho, best_y = 0.0, None, fixed
    theta, stall = 2.0, 0
    for _ in range(max_iterations):
        value, rho, y, assigned = _relaxed(cost, weights, lam, near, fixed, k)
        if value > best + 1e-9 * max(abs(best), 1.0) or best_rho is None:
            best, best_rho, best_y, stall = max(best, value), rho, y, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        g = 1.0 - assigned
        norm = float(g @ g)
        if norm == 0 or upper - best <= 1e-6 * max(upper, 1.0) or theta < 1e-4:
            break
        if time.perf_counter() - start > time_limit:
            break
        lam = np.maximum(lam + theta * (upper - value) / norm * g, 0.0)
    rho_out = best_rho if best_rho is not None else np.zeros(m)
    return min(best, upper), rho_out, best_y


@dataclass(frozen=True)
class _Nearest:
    """Each demand point's nearest ``width`` sites, sorted (the columns the bound reads).

    The multipliers rarely reach past them, and rows where they do are read in full, so
    the bound stays exact.
    """

    index: np.ndarray
    cost: np.ndarray
    width: int
    full: bool

    @classmethod
    def of(cls, cost: np.ndarray, k: int) -> _Nearest:
        n, m = cost.shape
        width = min(m, max(4 * k, 50))
        if width < m:
            index = np.argpartition(cost, width - 1, axis=1)[:, :width]
        else:
            index = np.broadcast_to(np.arange(m), (n, m))
        near = np.take_along_axis(cost, index, axis=1)
        order = np.argsort(near, axis=1)
        index = np.take_along_axis(index, order, axis=1)
        return cls(index, np.take_along_axis(near, order, axis=1), width, width >= m)


def _relaxed(
    cost: np.ndarray,
    weights: np.ndarray,
    lam: np.ndarray,
    near: _Nearest,
    fixed: np.ndarray,
    k: int,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Solve the relaxation for multipliers ``lam``: value, site costs, choice, assignments."""
    n, m = cost.shape
    thresh = lam / weights
    overflow = np.zeros(n, dtype=bool) if near.full else thresh > near.cost[:, -1]
    ii, kk = np.nonzero((near.cost < thresh[:, None]) & ~overflow[:, None])
    jj = near.index[ii, kk]
    c = near.cost[ii, kk]
    if overflow.any():
        rows = np.flatnonzero(overflow)
        oi, oj = np.nonzero(cost[rows] < thresh[rows, None])
        ii = np.concatenate([ii, rows[oi]])
        jj = np.concatenate([jj, oj])
        c = np.concatenate([c, cost[rows[oi], oj]])
    rho = np.bincount(jj, weights=weights[ii] * c - lam[ii], minlength=m)
    y = fixed.copy()
    free_slots = k - int(fixed.sum())
    if free_slots > 0:
        free = np.flatnonzero(~fixed)
        y[free[np.argsort(rho[free], kind="stable")[:free_slots]]] = True
    value = float(lam.sum() + rho[y].sum())
    sel = y[jj]
    return value, rho, y, np.bincount(ii[sel], minlength=n)


def pmedian_heuristic_bounded(
    cost: np.ndarray, weights: np.ndarray, k: int, required: np.ndarray
) -> Solved:
    """Heuristic, Lagrangian bound, and a second local search from the Lagrangian choice.

    The sites the relaxation picks at its best bound are a good, different starting point;
    the better of the two local optima is kept, with the bound.
    """
    start = time.perf_counter()
    first = pmedian_heuristic(cost, weights, k, required)
    lower, _, chosen = pmedian_lower_bound(cost, weights, k, required, upper=first.objective)
    best = first
    if first.objective - lower > 1e-9 * max(first.objective, 1.0):
        sites = np.flatnonzero(chosen)
        if len(sites) == k and not np.array_equal(np.sort(sites), first.open):
            second = pmedian_heuristic(cost, weights, k, required, start_sites=sites)
            if second.objective < best.objective:
                best = second
    iterations = first.iterations + (best.iterations if best is not first else 0)
    return Solved(
        best.open,
        best.objective,
        min(lower, best.objective),
        False,
        iterations,
        time.perf_counter() - start,
    )


def pmedian_exact(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    required: np.ndarray,
    *,
    max_variables: int = MAX_EXACT_VARIABLES,
) -> Solved:
    """Solve the p-median to proven optimality.

    The heuristic gives an upper bound and the Lagrangian relaxation a lower bound. When
    they meet, the heuristic solution is optimal. Otherwise sites that cannot be part of a
    better solution (their Lagrangian reduced cost lifts the bound above the upper bound) are
    fixed closed, sites that must be part of any better solution are fixed open, and spopt's
    ``PMedian`` with CBC solves what remains; the better of the two solutions is returned.
    """
    start = time.perf_counter()
    n, m = cost.shape
    heuristic = pmedian_heuristic_bounded(cost, weights, k, required)
    upper = heuristic.objective
    lower, rho, y = pmedian_lower_bound(cost, weights, k, required, upper=upper)
    tolerance = 1e-9 * max(upper, 1.0)
    if upper - lower <= tolerance:
        return Solved(heuristic.open, upper, lower, True, 0, time.perf_counter() - start)
    fixed = np.zeros(m, dtype=bool)
    fixed[required] = True
    free_chosen = y & ~fixed
    keep = np.ones(m, dtype=bool)
    force = fixed.copy()
    if free_chosen.any():
        worst_in = rho[free_chosen].max()
        outside = ~y & ~fixed
        best_out = rho[outside].min() if outside.any() else np.inf
        # opening a site outside the Lagrangian choice displaces the worst site inside it
        keep[outside] = lower - worst_in + rho[outside] <= upper + tolerance
        # closing a site inside lets the best site outside take its place
        force[free_chosen] = lower - rho[free_chosen] + best_out > upper + tolerance
    columns = np.flatnonzero(keep)
    if len(columns) * n > max_variables:
        raise ValueError(
            f"after reduction the exact model still has {len(columns) * n:,} assignment "
            f"variables (limit {max_variables:,})"
        )
    sub_required = np.flatnonzero(force[columns])
    k_sub = min(int(k), len(columns))
    log.info(
        "p-median exact: %d of %d sites left after reduced-cost fixing (%d fixed open)",
        len(columns),
        m,
        len(sub_required),
    )
    solved = _pmedian_reduced(cost[:, columns], weights, k_sub, sub_required)
    open_ = columns[solved.open]
    objective = pmedian_objective(cost, weights, open_)
    if objective > upper:
        open_, objective = heuristic.open, upper
    return Solved(np.sort(open_), objective, objective, True, 0, time.perf_counter() - start)


def _pmedian_reduced(cost: np.ndarray, weights: np.ndarray, k: int, required: np.ndarray) -> Solved:
    """Solve what reduced-cost fixing left: every choice when few, else spopt and CBC."""
    free = np.setdiff1d(np.arange(cost.shape[1]), required)
    choose = max(k - len(required), 0)
    if math.comb(len(free), choose) * cost.shape[0] <= MAX_ENUMERATED:
        return pmedian_enumerated(cost, weights, required, free, choose)
    return pmedian_spopt(cost, weights, k, required)


def pmedian_enumerated(
    cost: np.ndarray, weights: np.ndarray, required: np.ndarray, free: np.ndarray, choose: int
) -> Solved:
    """Solve the p-median exactly by trying every way to open ``choose`` of the ``free`` sites.

    The sites in ``required`` are open in every choice. Of equal totals the first choice in
    lexicographic order of ``free`` wins, so the answer is deterministic.
    """
    start = time.perf_counter()
    base = cost[:, required].min(axis=1) if len(required) else np.full(cost.shape[0], np.inf)
    sub = cost[:, free]
    best, best_total = np.empty(0, dtype=np.intp), np.inf
    choices = itertools.combinations(range(len(free)), choose)
    rows = max(1, 4_000_000 // max(cost.shape[0] * max(choose, 1), 1))
    while chunk := list(itertools.islice(choices, rows)):
        picks = np.array(chunk, dtype=np.intp).reshape(len(chunk), choose)
        nearest = np.minimum(base[:, None], sub[:, picks].min(axis=2, initial=np.inf))
        totals = weights @ nearest
        at = int(np.argmin(totals))
        if totals[at] < best_total:
            best, best_total = picks[at], float(totals[at])
    open_ = np.sort(np.concatenate([required, free[best]]).astype(np.intp))
    objective = pmedian_objective(cost, weights, open_)
    return Solved(open_, objective, objective, True, 0, time.perf_counter() - start)


# --------------------------------------------------------------------------------------
# maximal coverage heuristic


def mclp_heuristic(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    required: np.ndarray,
    radius: float,
    *,
    max_iterations: int = 10_000,
) -> Solved:
    """Greedy then best-improvement swaps for maximal coverage, with a simple upper bound."""
    start = time.perf_counter()
    n, m = cost.shape
    cover = csr_matrix(cost <= radius, dtype=np.float64)  # n × m
    cover_t = cover.T.tocsr()
    is_open = np.zeros(m, dtype=bool)
    chosen = [int(j) for j in required]
    is_open[chosen] = True
    count = np.asarray(cover[:, chosen].sum(axis=1)).ravel() if chosen else np.zeros(n)
    while len(chosen) < k:
        gain = cover_t @ (weights * (count == 0))
        gain = np.where(is_open, -1.0, gain)
        j = int(np.argmax(gain))
        chosen.append(j)
        is_open[j] = True
        count += cover[:, j].toarray().ravel()
    open_ = np.array(chosen, dtype=np.int64)
    fixed = np.zeros(m, dtype=bool)
    fixed[required] = True
    objective = coverage_objective(cost, weights, open_, radius)
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        count = np.asarray(cover[:, open_].sum(axis=1)).ravel()
        gain = cover_t @ (weights * (count == 0))  # m
        only = weights * (count == 1)
        sole = cover[:, open_].multiply(only[:, None]).tocsc()  # n × k: sole coverer's demand
        loss = np.asarray(sole.sum(axis=0)).ravel()  # k
        kept = (sole.T @ cover).toarray()  # k × m: lost demand that j would cover again
        delta = gain[None, :] - loss[:, None] + kept
        delta[:, open_] = -np.inf
        delta[fixed[open_], :] = -np.inf
        r, j = (int(v) for v in np.unravel_index(int(np.argmax(delta)), delta.shape))
        if not delta[r, j] > 1e-9 * max(objective, 1.0):
            break
        candidate = open_.copy()
        candidate[r] = j
        new_objective = coverage_objective(cost, weights, candidate, radius)
        if new_objective <= objective:
            break
        open_, objective = candidate, new_objective
    single = cover_t @ weights
    forced = coverage_objective(cost, weights, np.flatnonzero(fixed), radius)
    free = np.sort(single[~fixed])[::-1][: max(k - int(fixed.sum()), 0)]
    bound = min(float(weights.sum()), forced + float(free.sum()))
    return Solved(np.sort(open_), objective, bound, False, iterations, time.perf_counter() - start)
