"""Choosing hubs: p-median and maximal coverage (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from localitygis._validate import listing, require_distance
from localitygis.errors import DataError
from localitygis.hubs import _solvers as solvers
from localitygis.hubs._common import (
    _check_population,
    _ids,
    _nearest,
    _point_layer,
    _require,
    _xy,
)
from localitygis.hubs._cost import NETWORK, Cost, Minutes, cost_name, network_minutes, no_rejects
from localitygis.hubs._reach import HubReach

log = logging.getLogger(__name__)

#: Above this many demand × candidate pairs the heuristic is not checked against the exact
#: optimum unless asked.
COMPARE_EXACT_PAIRS = 60_000


@dataclass(frozen=True)
class HubSolution:
    """The hubs chosen by :func:`optimise_hubs`, and how good the choice is.

    Attributes
    ----------
    hubs : geopandas.GeoDataFrame
        The chosen candidate rows with ``hub_id``, ``required`` (forced open),
        ``population_served`` (people for whom it is the nearest hub), ``demand_points`` and
        ``mean_distance_m``; ``mean_minutes`` with a road network; ``covered_population``
        for maximal coverage.
    assignment : geopandas.GeoDataFrame
        The population points with ``hub_id`` (nearest chosen hub), ``distance_m``
        (straight line to it), ``minutes`` with a road network, and for maximal coverage
        ``covered``.
    method : {"p-median", "max-coverage"}
    solver : {"exact", "heuristic"}
    k : int
        Hubs asked for (per locality when ``per_locality``).
    objective : float
        p-median: population-weighted total distance (person-metres) or, with a road
        network, time (person-minutes); max-coverage: population within reach of a hub.
    mean_distance_m : float
        Population-weighted mean straight-line distance to the assigned hub.
    covered_share : float or None
        Share of population within ``distance`` (or ``minutes``) when one was given.
    bound : float or None
        Best bound on the optimum: lower for p-median, upper for max-coverage.
    gap : float or None
        Relative gap between the objective and ``bound`` (0 when proven optimal).
    optimum : float or None
        The exact optimum when it was computed (always for ``solver="exact"``; for the
        heuristic when ``compare_exact`` asks for it).
    gap_to_optimum : float or None
        Relative gap between the heuristic and the exact optimum.
    seconds : float
        Time spent solving.
    by_locality : pandas.DataFrame
        Per-locality figures: ``locality``, ``hubs``, ``population``, ``mean_distance_m``
        (``mean_minutes`` with a road network), and ``objective``, ``bound``, ``gap`` for
        ``per_locality`` runs.
    cost : {"straight-line", "network"}
        What was minimised: straight-line metres or minutes by road.
    mean_minutes : float or None
        With a road network, the population-weighted mean minutes to the assigned hub.
    rejects : pandas.DataFrame
        Population points and candidate sites the road network could not route
        (``source``, ``row``, ``reason``): left out, not guessed.
    """

    hubs: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    method: str
    solver: str
    k: int
    objective: float
    mean_distance_m: float
    covered_share: float | None
    bound: float | None
    gap: float | None
    optimum: float | None
    gap_to_optimum: float | None
    seconds: float
    by_locality: pd.DataFrame
    cost: str = "straight-line"
    mean_minutes: float | None = None
    rejects: pd.DataFrame = field(default_factory=no_rejects)


@dataclass(frozen=True)
class _Problem:
    """The checked inputs: sites, population and (with a road network) their minutes."""

    cand: gpd.GeoDataFrame
    ids: np.ndarray
    is_required: np.ndarray
    people: gpd.GeoDataFrame
    weights: np.ndarray
    times: Minutes | None
    radius: float | None

    @property
    def routed(self) -> np.ndarray:
        """Population rows taking part (all, or those the network routed)."""
        return np.ones(len(self.people), bool) if self.times is None else self.times.people_ok


@dataclass
class _Totals:
    """Objective, bound and optimum added up over the groups solved."""

    open_rows: list[int] = field(default_factory=list)
    objective: float = 0.0
    bound: float | None = 0.0
    optimum: float | None = 0.0
    report: list[dict] = field(default_factory=list)


def optimise_hubs(
    candidates: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | None = None,
    *,
    k: int | Mapping[str, int],
    method: Literal["p-median", "max-coverage"] = "p-median",
    distance: float | None = None,
    minutes: float | None = None,
    required: Collection[str] = (),
    per_locality: bool = False,
    solver: Literal["exact", "heuristic"] = "exact",
    compare_exact: bool | None = None,
    reach: HubReach | None = None,
    cost: Cost = None,
    demand: gpd.GeoDataFrame | None = None,
) -> HubSolution:
    """Choose ``k`` hub sites among the candidates.

    ``"p-median"`` minimises the population-weighted distance (or, with ``cost`` a road
    network, travel time) to the nearest hub; ``"max-coverage"`` maximises the population
    within ``distance`` metres (or ``minutes`` by road) of a hub. The exact solver gives the
    proven optimum; the heuristic handles large instances and reports its gap (how each
    works: :mod:`localitygis.hubs`).

    Candidates at one position are one site (the required one, else the smallest id) and
    population points at one position add up; never more than ``k`` hubs open.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Candidate sites (points, EPSG:27700); ``asset_id``/``candidate_id`` or the index
        names them; ``locality`` needed with ``per_locality``.
    population : geopandas.GeoDataFrame
        Population points with ``population`` (e.g. :func:`population_points`);
        ``locality`` needed with ``per_locality``.
    k : int or mapping of str to int
        Hubs county-wide or in each locality; a mapping gives each locality its own number.
    method : {"p-median", "max-coverage"}
    distance : float, optional
        Straight-line service distance in metres: required for ``"max-coverage"`` without
        a road network; for the p-median it only adds the covered share to the report.
    minutes : float, optional
        Service time by road, with ``cost`` a road network (instead of ``distance``).
    required : collection of str
        Ids of candidates that must be open (existing hubs).
    per_locality : bool, default False
        Solve each locality on its own: its population served by its own candidates.
    solver : {"exact", "heuristic"}
    compare_exact : bool, optional
        With the heuristic, also solve exactly to measure the gap. By default only when
        the instance is small (at most 60,000 population × candidate pairs).
    reach : HubReach, optional
        Each hub's ``reach_m`` (its ring on maps): ``distance`` if given, else its tier's
        reach (default :class:`HubReach`); by road, ``reach_minutes`` likewise.
    cost : RoadNetwork or TravelTimes, optional
        Minimise minutes by road, not straight-line metres: a network from
        :func:`localitygis.access.read_roads` or travel times from ``population`` to
        ``candidates``; points or sites it cannot route are left out, listed in ``rejects``.
    demand : geopandas.GeoDataFrame, optional
        Deprecated name of ``population``.

    Returns
    -------
    HubSolution

    Raises
    ------
    DataError
        Bad ``k``, unknown or too many required sites, missing columns, no candidates, or
        population without a locality when ``per_locality``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> sites = gpd.GeoDataFrame({"asset_id": ["west", "middle", "east"]},
    ...     geometry=[Point(0, 0), Point(5000, 0), Point(10000, 0)], crs=27700)
    >>> people = gpd.GeoDataFrame({"population": [100.0, 100.0, 500.0]},
    ...     geometry=[Point(0, 0), Point(1000, 0), Point(10000, 0)], crs=27700)
    >>> solution = optimise_hubs(sites, people, k=2)
    >>> solution.hubs["hub_id"].tolist(), solution.objective
    (['east', 'west'], 100000.0)
    >>> optimise_hubs(sites, people, k=1, required=["middle"]).hubs["hub_id"].tolist()
    ['middle']
    """
    start = time.perf_counter()
    population = _renamed(population, demand)
    radius = _check_options(method, solver, distance, minutes, cost)
    problem = _problem(candidates, population, required, cost, radius)
    groups = _groups(problem, k, per_locality)
    totals = _solve_groups(problem, groups, method, solver, compare_exact)
    open_rows = sorted(set(totals.open_rows), key=lambda r: problem.ids[r])
    hubs, assignment = _solution_frames(problem, open_rows, per_locality)
    _add_reach(hubs, problem, distance, minutes, reach or HubReach())
    solution = _solution(
        problem, hubs, assignment, totals, method=method, solver=solver, k=k, start=start
    )
    log.info("%s (%s): %d hubs in %.2f s", method, solver, len(hubs), solution.seconds)
    return solution


def _renamed(population: gpd.GeoDataFrame | None, demand: gpd.GeoDataFrame | None):
    if demand is not None:
        warnings.warn(
            "optimise_hubs(demand=...) is renamed population=...; demand will be removed.",
            DeprecationWarning,
            stacklevel=3,
        )
        if population is not None:
            raise DataError("give population=... only (demand is its old name).")
        return demand
    if population is None:
        raise DataError("optimise_hubs needs the population points: population=...")
    return population


def _check_options(
    method: str, solver: str, distance: float | None, minutes: float | None, cost: Cost
) -> float | None:
    """Check the options; return the service radius (metres, or minutes by road)."""
    if method not in ("p-median", "max-coverage"):
        raise DataError(f'method must be "p-median" or "max-coverage", not {method!r}.')
    if solver not in ("exact", "heuristic"):
        raise DataError(f'solver must be "exact" or "heuristic", not {solver!r}.')
    by_road = cost_name(cost) == NETWORK
    if minutes is not None and not by_road:
        raise DataError("minutes=... needs a road network: cost=read_roads(...).")
    if by_road and distance is not None:
        raise DataError("with a road network give the service time as minutes=..., not distance.")
    radius = minutes if by_road else distance
    if method == "max-coverage" and radius is None:
        unit = "minutes=... (the service time by road)" if by_road else "distance=... metres"
        raise DataError(f"max-coverage needs {unit}.")
    if radius is not None:
        require_distance(radius, "minutes" if by_road else "distance")
    return None if radius is None else float(radius)


def _problem(
    candidates: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    required: Collection[str],
    cost: Cost,
    radius: float | None,
) -> _Problem:
    _point_layer(candidates, "candidates")
    weights = _check_population(population, "population")
    if len(candidates) == 0:
        raise DataError("there are no candidate sites to choose from.")
    if len(population) == 0 or weights.sum() <= 0:
        raise DataError(
            "there is no population to serve (no points, or every population is 0); "
            "check the population points."
        )
    cand = candidates.reset_index(drop=True)
    people = population.reset_index(drop=True)
    ids = _ids(cand, "site ")
    is_required = np.isin(ids, [str(r) for r in required])
    _check_required(ids, required)
    times = network_minutes(cost, people, cand, places="candidates")
    if times is not None:
        _check_routed(ids, is_required, times)
    return _Problem(cand, ids, is_required, people, weights, times, radius)


def _check_required(ids: np.ndarray, required: Collection[str]) -> None:
    unknown = sorted({str(r) for r in required} - set(ids))
    if unknown:
        raise DataError(
            f"required site(s) {listing(unknown)} are not among the candidates; "
            "add them to the candidates or check the ids."
        )


def _check_routed(ids: np.ndarray, is_required: np.ndarray, times: Minutes) -> None:
    stranded = ids[is_required & ~times.sites_ok]
    if len(stranded):
        raise DataError(
            f"required site(s) {listing(stranded)} are off the road network "
            "(see the travel times' rejects); move them onto it or raise max_snap."
        )
    if not times.sites_ok.any() or not times.people_ok.any():
        raise DataError("the road network routes no candidate or no population point.")


def _groups(
    problem: _Problem, k: int | Mapping[str, int], per_locality: bool
) -> Sequence[tuple[str | None, np.ndarray, np.ndarray, int]]:
    """List the problems to solve: (locality or None, candidate rows, population rows, k)."""
    usable = np.ones(len(problem.cand), bool)
    if problem.times is not None:
        usable = problem.times.sites_ok
    if not per_locality:
        rows = np.flatnonzero(usable), np.flatnonzero(problem.routed)
        return [(None, *rows, _check_k(k, "k"))]
    _require(problem.cand, ["locality"], "candidates", "Locate the candidates first.")
    _require(problem.people, ["locality"], "population", "Use population_points(parishes, ...).")
    return _locality_groups(problem, usable, k)


def _solve_groups(
    problem: _Problem,
    groups: Sequence[tuple[str | None, np.ndarray, np.ndarray, int]],
    method: str,
    solver: str,
    compare_exact: bool | None,
) -> _Totals:
    totals = _Totals()
    for name, c_rows, d_rows, k_group in groups:
        _check_forced(problem.is_required[c_rows], k_group, name)
        site_rows, matrix, d_weights = _group_matrix(problem, c_rows, d_rows)
        forced = np.flatnonzero(problem.is_required[c_rows][site_rows])
        result = _solve_matrix(
            matrix,
            d_weights,
            min(k_group, len(site_rows)),
            forced,
            method=method,
            radius=problem.radius,
            solver=solver,
            compare_exact=compare_exact,
        )
        totals.open_rows.extend(int(c_rows[site_rows[j]]) for j in result["open"])
        _add_up(totals, result, name, k_group, method)
    return totals


def _check_forced(forced: np.ndarray, k: int, name: str | None) -> None:
    if forced.sum() > k:
        where = f" in {name}" if name is not None else ""
        raise DataError(
            f"{int(forced.sum())} required sites{where} but k is {k}: raise k or require fewer "
            "sites."
        )


def _add_up(totals: _Totals, result: dict, name: str | None, k: int, method: str) -> None:
    totals.objective += result["objective"]
    totals.bound = (
        None
        if totals.bound is None or result["bound"] is None
        else (totals.bound + result["bound"])
    )
    totals.optimum = (
        None
        if totals.optimum is None or result["optimum"] is None
        else (totals.optimum + result["optimum"])
    )
    if name is not None:
        totals.report.append(
            {
                "locality": name,
                "k": k,
                "objective": result["objective"],
                "bound": result["bound"],
                "gap": _gap(result["objective"], result["bound"], method),
            }
        )


def _group_matrix(
    problem: _Problem, c_rows: np.ndarray, d_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One site per position, population at one position added up, and their cost matrix.

    Returns the sites kept (positions in ``c_rows``), the cost matrix and the weights.
    """
    cxy, ids, required = _xy(problem.cand)[c_rows], problem.ids[c_rows], problem.is_required
    # one site per position: the required one, else the smallest id
    order = np.lexsort((ids.astype(str), ~required[c_rows]))
    _, first = np.unique(cxy[order], axis=0, return_index=True)
    site_rows = np.sort(order[first])
    dxy = _xy(problem.people)[d_rows]
    d_unique, d_first, d_inverse = np.unique(dxy, axis=0, return_index=True, return_inverse=True)
    weights = problem.weights[d_rows]
    d_weights = np.bincount(d_inverse.reshape(-1), weights=weights, minlength=len(d_unique))
    if problem.times is None:
        return site_rows, cdist(d_unique, cxy[site_rows]), d_weights
    matrix = problem.times.minutes[np.ix_(d_rows[d_first], c_rows[site_rows])]
    return site_rows, matrix, d_weights


def _solve_matrix(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    forced: np.ndarray,
    *,
    method: str,
    radius: float | None,
    solver: str,
    compare_exact: bool | None,
) -> dict:
    """Solve one cost matrix: the open columns, objective, bound and exact optimum."""
    exact_needed = solver == "exact" or (
        compare_exact if compare_exact is not None else cost.size <= COMPARE_EXACT_PAIRS
    )
    if method == "p-median":
        return _pmedian(cost, weights, k, forced, solver=solver, exact_needed=exact_needed)
    if radius is None:  # checked by optimise_hubs; kept for direct callers
        raise DataError("max-coverage needs a service distance or time.")
    return _coverage(cost, weights, k, forced, radius, solver=solver, exact_needed=exact_needed)


def _pmedian(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    forced: np.ndarray,
    *,
    solver: str,
    exact_needed: bool,
) -> dict:
    solved = bound = optimum = None
    if solver == "heuristic":
        solved = solvers.pmedian_heuristic_bounded(cost, weights, k, forced)
        bound = solved.bound
    if exact_needed:
        try:
            exact = solvers.pmedian_exact(cost, weights, k, forced)
        except ValueError as too_big:
            if solver == "exact":
                raise DataError(
                    f"the p-median is too large to solve exactly ({too_big}); use "
                    'solver="heuristic", per_locality=True or fewer candidates.'
                ) from None
        else:
            optimum = exact.objective
            if solved is None:
                solved, bound = exact, exact.objective
    return _result(solved, bound, optimum, solver)


def _coverage(
    cost: np.ndarray,
    weights: np.ndarray,
    k: int,
    forced: np.ndarray,
    radius: float,
    *,
    solver: str,
    exact_needed: bool,
) -> dict:
    solved = bound = optimum = None
    if solver == "heuristic":
        solved = solvers.mclp_heuristic(cost, weights, k, forced, radius)
        bound = solved.bound
    if exact_needed:
        exact = solvers.mclp_exact(cost, weights, k, forced, radius)
        optimum = exact.objective
        if solved is None:
            solved, bound = exact, exact.objective
    return _result(solved, bound, optimum, solver)


def _result(
    solved: solvers.Solved | None, bound: float | None, optimum: float | None, solver: str
) -> dict:
    """Return the open columns, objective, bound and exact optimum of one solve."""
    if solved is None:  # checked by optimise_hubs; kept for direct callers
        raise DataError(f'solver must be "exact" or "heuristic", not {solver!r}.')
    return {"open": solved.open, "objective": solved.objective, "bound": bound, "optimum": optimum}


def _add_reach(
    hubs: pd.DataFrame,
    problem: _Problem,
    distance: float | None,
    minutes: float | None,
    reach: HubReach,
) -> None:
    """Give each hub its ``reach_m`` (and ``reach_minutes`` by road) for the maps."""
    hubs["reach_m"] = _reach_of(hubs, distance, reach, "distance")
    if problem.times is not None:
        hubs["reach_minutes"] = _reach_of(hubs, minutes, reach, "minutes")


def _reach_of(hubs: pd.DataFrame, given: float | None, reach: HubReach, what: str) -> np.ndarray:
    """Each hub's reach: the one given, else its tier's (``distance`` or ``minutes``)."""
    if given is not None:
        return np.full(len(hubs), float(given))
    if "tier" not in hubs.columns:
        return np.full(len(hubs), np.nan)
    tiers = pd.to_numeric(hubs["tier"], errors="coerce")
    known = {int(t) for t in tiers.dropna().unique() if int(t) in reach.tiers}
    lookup = {t: getattr(reach.for_tier(t), what) for t in known}
    values = [lookup.get(int(t), np.nan) if pd.notna(t) else np.nan for t in tiers]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _check_k(k: object, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or int(k) < 1:
        raise DataError(f"{what} must be a whole number of hubs, at least 1, not {k!r}.")
    return int(k)


def _gap(objective: float, bound: float | None, method: str) -> float | None:
    if bound is None:
        return None
    if method == "p-median":
        return float(max(objective - bound, 0.0) / objective) if objective > 0 else 0.0
    return float(max(bound - objective, 0.0) / bound) if bound > 0 else 0.0


def _locality_groups(
    problem: _Problem, usable: np.ndarray, k: int | Mapping[str, int]
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    c_loc = problem.cand["locality"].astype(object)
    d_loc = problem.people["locality"].astype(object)
    if d_loc.isna().any():
        rows = np.flatnonzero(d_loc.isna().to_numpy())
        raise DataError(
            f"population: {len(rows)} point(s) have no locality (rows "
            f"{listing(rows)}); with per_locality every point needs one."
        )
    problems, groups = [], []
    for name in sorted(set(d_loc.astype(str))):
        if isinstance(k, Mapping) and name not in k:
            problems.append(f"no k given for {name}")
            continue
        k_group = _check_k(k[name], f"k for {name}") if isinstance(k, Mapping) else _check_k(k, "k")
        in_c = (c_loc.astype(str) == name).to_numpy() & c_loc.notna().to_numpy() & usable
        c_rows = np.flatnonzero(in_c)
        d_rows = np.flatnonzero((d_loc.astype(str) == name).to_numpy() & problem.routed)
        if len(c_rows) == 0:
            problems.append(f"no candidate site in {name}")
            continue
        groups.append((name, c_rows, d_rows, k_group))
    if problems:
        raise DataError("per-locality hubs: " + "; ".join(problems) + ".")
    return groups


def _assign(
    problem: _Problem, open_rows: np.ndarray, per_locality: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each routed point's hub (position in ``open_rows``), its cost and straight distance."""
    rows = np.flatnonzero(problem.routed)
    dxy, hxy = _xy(problem.people)[rows], _xy(problem.cand)[open_rows]
    if problem.times is None and not per_locality:
        dist, nearest = _nearest(dxy, hxy)
        return nearest, dist, dist
    cost = (
        cdist(dxy, hxy) if problem.times is None else problem.times.minutes[np.ix_(rows, open_rows)]
    )
    if per_locality:  # each point is served within its own locality
        hub_loc = problem.cand["locality"].astype(str).to_numpy()[open_rows]
        d_loc = problem.people["locality"].astype(str).to_numpy()[rows]
        cost = np.where(d_loc[:, None] == hub_loc[None, :], cost, np.inf)
    nearest = np.argmin(cost, axis=1)
    value = cost[np.arange(len(rows)), nearest]
    return nearest, value, np.linalg.norm(dxy - hxy[nearest], axis=1)


def _solution_frames(
    problem: _Problem, open_rows: list[int], per_locality: bool
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    open_arr = np.asarray(open_rows, dtype=np.int64)
    nearest, value, dist = _assign(problem, open_arr, per_locality)
    assignment = problem.people[problem.routed].copy()
    hub_ids = problem.ids[open_arr]
    assignment["hub_id"] = pd.array(hub_ids[nearest], dtype="str")
    assignment["distance_m"] = dist.round(1)
    if problem.times is not None:
        assignment["minutes"] = value.round(2)
    if problem.radius is not None:
        assignment["covered"] = value <= problem.radius
    weights = problem.weights[problem.routed]
    hubs = problem.cand.iloc[open_arr].copy()
    hubs.insert(0, "hub_id", pd.array(hub_ids, dtype="str"))
    hubs["required"] = problem.is_required[open_arr]
    _hub_columns(hubs, nearest, weights, dist, value, problem)
    return hubs.reset_index(drop=True), assignment


def _hub_columns(
    hubs: pd.DataFrame,
    nearest: np.ndarray,
    weights: np.ndarray,
    dist: np.ndarray,
    value: np.ndarray,
    problem: _Problem,
) -> None:
    n = len(hubs)
    served = np.bincount(nearest, weights=weights, minlength=n)
    hubs["population_served"] = served.round(1)
    hubs["demand_points"] = np.bincount(nearest, minlength=n)

    def mean(per_point: np.ndarray) -> np.ndarray:
        total = np.bincount(nearest, weights=weights * per_point, minlength=n)
        return np.divide(total, served, out=np.zeros(n), where=served > 0)

    hubs["mean_distance_m"] = mean(dist).round(1)
    if problem.times is not None:
        hubs["mean_minutes"] = mean(value).round(2)
    if problem.radius is not None:
        covered = np.where(value <= problem.radius, weights, 0.0)
        hubs["covered_population"] = np.bincount(nearest, weights=covered, minlength=n).round(1)


def _solution(
    problem: _Problem,
    hubs: gpd.GeoDataFrame,
    assignment: gpd.GeoDataFrame,
    totals: _Totals,
    *,
    method: str,
    solver: str,
    k: int | Mapping[str, int],
    start: float,
) -> HubSolution:
    weights = problem.weights[problem.routed]
    total = float(weights.sum())

    def mean(column: str) -> float:
        return float((assignment[column].to_numpy() * weights).sum() / total) if total else 0.0

    by_road = problem.times is not None
    return HubSolution(
        hubs=hubs,
        assignment=assignment,
        method=method,
        solver=solver,
        k=k if isinstance(k, int) else max(dict(k).values()),
        objective=totals.objective,
        mean_distance_m=mean("distance_m"),
        covered_share=(
            float(weights[assignment["covered"].to_numpy()].sum() / total)
            if problem.radius is not None and total
            else None
        ),
        bound=totals.bound,
        gap=_gap(totals.objective, totals.bound, method),
        optimum=totals.optimum,
        gap_to_optimum=_gap(totals.objective, totals.optimum, method),
        seconds=time.perf_counter() - start,
        by_locality=_hub_summary(hubs, assignment, weights, totals.report),
        cost="network" if by_road else "straight-line",
        mean_minutes=mean("minutes") if by_road else None,
        rejects=problem.times.rejects if problem.times is not None else no_rejects(),
    )


def _hub_summary(
    hubs: gpd.GeoDataFrame,
    assignment: gpd.GeoDataFrame,
    weights: np.ndarray,
    rows_report: list[dict],
) -> pd.DataFrame:
    columns = ["locality", "hubs", "population", "mean_distance_m"]
    if "minutes" in assignment.columns:
        columns.append("mean_minutes")
    if "locality" not in assignment.columns:
        return pd.DataFrame(columns=columns)
    loc = assignment["locality"].astype(object).where(assignment["locality"].notna(), "(none)")
    frame = pd.DataFrame({"locality": loc.astype(str).to_numpy(), "population": weights})
    frame["distance"] = weights * assignment["distance_m"].to_numpy()
    if "minutes" in assignment.columns:
        frame["minutes"] = weights * assignment["minutes"].to_numpy()
    table = frame.groupby("locality", sort=True).sum()
    people = table["population"].where(table["population"] > 0)
    table["mean_distance_m"] = (table["distance"] / people).round(1)
    if "minutes" in table.columns:
        table["mean_minutes"] = (table["minutes"] / people).round(2)
    counts = (
        hubs["locality"].astype(str).value_counts()
        if "locality" in hubs.columns
        else pd.Series(dtype=int)
    )
    table["hubs"] = counts.reindex(table.index).fillna(0).astype(int)
    table = table.reset_index()[columns]
    if rows_report:
        table = table.merge(pd.DataFrame(rows_report), on="locality", how="left")
    return table
