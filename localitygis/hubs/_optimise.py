"""Choosing hubs: p-median and maximal coverage (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
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
from localitygis.hubs._reach import HubReach

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubSolution:
    """The hubs chosen by :func:`optimise_hubs`, and how good the choice is.

    Attributes
    ----------
    hubs : geopandas.GeoDataFrame
        The chosen candidate rows with ``hub_id``, ``required`` (forced open),
        ``population_served`` (people for whom it is the nearest hub), ``demand_points`` and
        ``mean_distance_m``; with ``covered_population`` for maximal coverage.
    assignment : geopandas.GeoDataFrame
        The demand points with ``hub_id`` (nearest chosen hub), ``distance_m`` and, for
        maximal coverage, ``covered``.
    method : {"p-median", "max-coverage"}
    solver : {"exact", "heuristic"}
    k : int
        Hubs asked for (per locality when ``per_locality``).
    objective : float
        p-median: population-weighted total distance (person-metres); max-coverage:
        population within ``distance`` of a hub.
    mean_distance_m : float
        Population-weighted mean distance to the nearest chosen hub.
    covered_share : float or None
        Share of population within ``distance`` (when a distance was given).
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
        Per-locality figures: ``locality``, ``hubs``, ``population``, ``mean_distance_m``,
        and ``objective``, ``bound``, ``gap`` for ``per_locality`` runs.
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


def optimise_hubs(
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    *,
    k: int | Mapping[str, int],
    method: Literal["p-median", "max-coverage"] = "p-median",
    distance: float | None = None,
    required: Collection[str] = (),
    per_locality: bool = False,
    solver: Literal["exact", "heuristic"] = "exact",
    compare_exact: bool | None = None,
    reach: HubReach | None = None,
) -> HubSolution:
    """Choose ``k`` hub sites among the candidates.

    * ``"p-median"`` minimises the population-weighted distance from every demand point to
      its nearest hub.
    * ``"max-coverage"`` maximises the population within ``distance`` of a hub.

    The exact solver uses spopt's ``PMedian`` / ``MCLP`` (``from_cost_matrix``) with PuLP's
    bundled CBC; sites in ``required`` are passed as spopt's predefined facilities and
    always open. For the p-median, a heuristic and a Lagrangian bound first fix the sites
    that cannot be in a better solution, so the exact model stays small; the answer is the
    proven optimum. The heuristic (greedy addition, then best-improvement Teitz–Bart vertex
    substitution, numpy-vectorised) handles large instances; its gap to a Lagrangian lower
    bound (p-median) or to a simple upper bound (max-coverage) is reported, and on small
    instances (or when ``compare_exact=True``) its gap to the exact optimum too.

    Candidates at the same position are one site (the one with the smallest id represents
    them, or the required one); demand points at the same position are added together.
    Never more than ``k`` hubs open (fewer only when there are fewer sites).

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Candidate sites (points, EPSG:27700); ``asset_id``/``candidate_id`` or the index
        names them; ``locality`` needed with ``per_locality``.
    demand : geopandas.GeoDataFrame
        Demand points with ``population`` (e.g. :func:`population_points`); ``locality``
        needed with ``per_locality``.
    k : int or mapping of str to int
        Number of hubs (county-wide, or in each locality); a mapping gives each locality
        its own number.
    method : {"p-median", "max-coverage"}
    distance : float, optional
        Service distance in metres: required for ``"max-coverage"``; for the p-median it
        only adds the covered share to the report.
    required : collection of str
        Ids of candidates that must be open (existing hubs).
    per_locality : bool, default False
        Solve each locality on its own: its demand served by its own candidates.
    solver : {"exact", "heuristic"}
    compare_exact : bool, optional
        With the heuristic, also solve exactly to measure the gap. By default only when
        the instance is small (at most 60,000 demand × candidate pairs).
    reach : HubReach, optional
        Gives each hub its ``reach_m`` (drawn as its reach ring on maps): ``distance`` when
        given, else the reach of the hub's tier (default :class:`HubReach`).

    Returns
    -------
    HubSolution

    Raises
    ------
    DataError
        Bad ``k``, unknown or too many required sites, missing columns, no candidates, or
        demand without a locality when ``per_locality``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> sites = gpd.GeoDataFrame(
    ...     {"asset_id": ["west", "middle", "east"]},
    ...     geometry=[Point(0, 0), Point(5000, 0), Point(10000, 0)], crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [100.0, 100.0, 500.0]},
    ...     geometry=[Point(0, 0), Point(1000, 0), Point(10000, 0)], crs=27700)
    >>> solution = optimise_hubs(sites, people, k=2)
    >>> solution.hubs["hub_id"].tolist(), solution.objective
    (['east', 'west'], 100000.0)
    >>> optimise_hubs(sites, people, k=1, required=["middle"]).hubs["hub_id"].tolist()
    ['middle']
    """
    start = time.perf_counter()
    if method not in ("p-median", "max-coverage"):
        raise DataError(f'method must be "p-median" or "max-coverage", not {method!r}.')
    if solver not in ("exact", "heuristic"):
        raise DataError(f'solver must be "exact" or "heuristic", not {solver!r}.')
    if method == "max-coverage" and distance is None:
        raise DataError("max-coverage needs distance=... (the service distance in metres).")
    if distance is not None:
        require_distance(distance)
    _point_layer(candidates, "candidates")
    weights = _check_population(demand, "demand")
    if len(candidates) == 0:
        raise DataError("there are no candidate sites to choose from.")
    if len(demand) == 0 or weights.sum() <= 0:
        raise DataError(
            "the demand has no population to serve (no points, or every population is 0); "
            "check the population points."
        )
    cand = candidates.reset_index(drop=True)
    ids = _ids(cand, "site ")
    required_ids = [str(r) for r in required]
    unknown = sorted(set(required_ids) - set(ids))
    if unknown:
        raise DataError(
            f"required site(s) {listing(unknown)} are not among the candidates; "
            "add them to the candidates or check the ids."
        )
    demand = demand.reset_index(drop=True)
    if per_locality:
        _require(cand, ["locality"], "candidates", "Locate the candidates first.")
        _require(demand, ["locality"], "demand", "Use population_points(parishes, ...).")
        groups = _locality_groups(cand, demand, k)
    else:
        k_all = _check_k(k, "k")
        groups = [(None, np.arange(len(cand)), np.arange(len(demand)), k_all)]

    is_required = np.isin(ids, required_ids)
    open_rows: list[int] = []
    totals = {"objective": 0.0, "bound": 0.0, "optimum": 0.0}
    bound_known = optimum_known = True
    rows_report = []
    cxy, dxy = _xy(cand), _xy(demand)
    for name, c_rows, d_rows, k_group in groups:
        forced = c_rows[is_required[c_rows]]
        if len(forced) > k_group:
            where = f" in {name}" if name is not None else ""
            raise DataError(
                f"{len(forced)} required sites{where} but k is {k_group}: raise k or "
                "require fewer sites."
            )
        result = _solve_group(
            cxy[c_rows],
            ids[c_rows],
            is_required[c_rows],
            dxy[d_rows],
            weights[d_rows],
            k_group,
            method=method,
            distance=distance,
            solver=solver,
            compare_exact=compare_exact,
        )
        open_rows.extend(int(c_rows[j]) for j in result["open"])
        totals["objective"] += result["objective"]
        if result["bound"] is None:
            bound_known = False
        else:
            totals["bound"] += result["bound"]
        if result["optimum"] is None:
            optimum_known = False
        else:
            totals["optimum"] += result["optimum"]
        if name is not None:
            rows_report.append(
                {
                    "locality": name,
                    "k": k_group,
                    "objective": result["objective"],
                    "bound": result["bound"],
                    "gap": _gap(result["objective"], result["bound"], method),
                }
            )

    open_rows = sorted(set(open_rows), key=lambda r: ids[r])
    hubs, assignment = _solution_frames(
        cand, ids, is_required, open_rows, demand, weights, distance, per_locality
    )
    hubs["reach_m"] = _reach_of(hubs, distance, reach or HubReach())
    objective = totals["objective"]
    bound = totals["bound"] if bound_known else None
    optimum = totals["optimum"] if optimum_known else None
    total_pop = float(weights.sum())
    mean_distance = (
        float((assignment["distance_m"] * weights).sum() / total_pop) if total_pop else 0.0
    )
    covered_share = (
        float(weights[assignment["covered"].to_numpy()].sum() / total_pop)
        if distance is not None and total_pop
        else None
    )
    by_locality = _hub_summary(hubs, assignment, weights, rows_report)
    seconds = time.perf_counter() - start
    log.info("%s (%s): %d hubs in %.2f s", method, solver, len(hubs), seconds)
    return HubSolution(
        hubs=hubs,
        assignment=assignment,
        method=method,
        solver=solver,
        k=k if isinstance(k, int) else max(dict(k).values()),
        objective=objective,
        mean_distance_m=mean_distance,
        covered_share=covered_share,
        bound=bound,
        gap=_gap(objective, bound, method),
        optimum=optimum,
        gap_to_optimum=_gap(objective, optimum, method),
        seconds=seconds,
        by_locality=by_locality,
    )


def _reach_of(hubs: pd.DataFrame, distance: float | None, reach: HubReach) -> np.ndarray:
    """Each hub's reach in metres: the service distance, else its tier's reach (NaN if none)."""
    if distance is not None:
        return np.full(len(hubs), float(distance))
    if "tier" not in hubs.columns:
        return np.full(len(hubs), np.nan)
    tiers = pd.to_numeric(hubs["tier"], errors="coerce")
    known = {int(t) for t in tiers.dropna().unique() if int(t) in reach.tiers}
    lookup = {t: reach.for_tier(t).distance for t in known}
    return np.array([lookup.get(int(t), np.nan) if pd.notna(t) else np.nan for t in tiers])


def _check_k(k: object, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or int(k) < 1:
        raise DataError(f"{what} must be a whole number of hubs, at least 1, not {k!r}.")
    return int(k)


def _gap(objective: float, bound: float | None, method: str) -> float | None:
    if bound is None:
        return None
    if method == "p-median":
        return float(max(objective - bound, 0.0) / objective) if objective > 0 else 0.0
    return float(max(bound - objective, 0.0) / bound) if bound > 0 else 0.0


def _locality_groups(
    cand: gpd.GeoDataFrame, demand: gpd.GeoDataFrame, k: int | Mapping[str, int]
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    c_loc = cand["locality"].astype(object)
    d_loc = demand["locality"].astype(object)
    if d_loc.isna().any():
        rows = np.flatnonzero(d_loc.isna().to_numpy())
        raise DataError(
            f"demand: {len(rows)} point(s) have no locality (rows "
            f"{listing(rows)}); with per_locality every point needs one."
        )
    names = sorted(set(d_loc.astype(str)))
    problems = []
    groups = []
    for name in names:
        if isinstance(k, Mapping):
            if name not in k:
                problems.append(f"no k given for {name}")
                continue
            k_group = _check_k(k[name], f"k for {name}")
        else:
            k_group = _check_k(k, "k")
        c_rows = np.flatnonzero((c_loc.astype(str) == name).to_numpy() & c_loc.notna().to_numpy())
        d_rows = np.flatnonzero((d_loc.astype(str) == name).to_numpy())
        if len(c_rows) == 0:
            problems.append(f"no candidate site in {name}")
            continue
        groups.append((name, c_rows, d_rows, k_group))
    if problems:
        raise DataError("per-locality hubs: " + "; ".join(problems) + ".")
    return groups


def _solve_group(
    cxy: np.ndarray,
    ids: np.ndarray,
    required: np.ndarray,
    dxy: np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    method: str,
    distance: float | None,
    solver: str,
    compare_exact: bool | None,
) -> dict:
    # one site per position: the required one, else the smallest id
    order = np.lexsort((ids.astype(str), ~required))
    _, first = np.unique(cxy[order], axis=0, return_index=True)
    site_rows = np.sort(order[first])
    site_xy = cxy[site_rows]
    # demand at the same position adds up
    d_unique, d_inverse = np.unique(dxy, axis=0, return_inverse=True)
    d_weights = np.bincount(d_inverse.reshape(-1), weights=weights, minlength=len(d_unique))
    cost = cdist(d_unique, site_xy)
    forced = np.flatnonzero(required[site_rows])
    k_eff = min(k, len(site_rows))
    n_vars = cost.size
    exact_needed = solver == "exact" or (
        compare_exact if compare_exact is not None else n_vars <= 60_000
    )
    if method == "p-median":
        solved = None
        if solver == "heuristic":
            solved = solvers.pmedian_heuristic_bounded(cost, d_weights, k_eff, forced)
            bound = solved.bound
        optimum = None
        if exact_needed:
            try:
                exact = solvers.pmedian_exact(cost, d_weights, k_eff, forced)
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
    else:
        if distance is None:  # checked by optimise_hubs; kept for direct callers
            raise DataError("max-coverage needs distance=... (the service distance in metres).")
        solved = None
        if solver == "heuristic":
            solved = solvers.mclp_heuristic(cost, d_weights, k_eff, forced, distance)
            bound = solved.bound
        optimum = None
        if exact_needed:
            exact = solvers.mclp_exact(cost, d_weights, k_eff, forced, distance)
            optimum = exact.objective
            if solved is None:
                solved, bound = exact, exact.objective
    return {
        "open": site_rows[solved.open],
        "objective": solved.objective,
        "bound": bound,
        "optimum": optimum,
    }


def _solution_frames(
    cand: gpd.GeoDataFrame,
    ids: np.ndarray,
    is_required: np.ndarray,
    open_rows: list[int],
    demand: gpd.GeoDataFrame,
    weights: np.ndarray,
    distance: float | None,
    per_locality: bool,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    open_rows_arr = np.asarray(open_rows, dtype=np.int64)
    hxy = _xy(cand)[open_rows_arr]
    dxy = _xy(demand)
    if per_locality:
        # each point is served within its own locality
        hub_loc = cand["locality"].astype(str).to_numpy()[open_rows_arr]
        d_loc = demand["locality"].astype(str).to_numpy()
        nearest = np.zeros(len(demand), dtype=np.int64)
        dist = np.zeros(len(demand))
        for name in np.unique(d_loc):
            rows = np.flatnonzero(d_loc == name)
            local = np.flatnonzero(hub_loc == name)
            d, j = _nearest(dxy[rows], hxy[local])
            nearest[rows] = local[j]
            dist[rows] = d
    else:
        dist, nearest = _nearest(dxy, hxy)
    assignment = demand.copy()
    assignment["hub_id"] = pd.array(ids[open_rows_arr][nearest], dtype="str")
    assignment["distance_m"] = dist.round(1)
    if distance is not None:
        assignment["covered"] = dist <= distance
    hubs = cand.iloc[open_rows_arr].copy()
    hubs.insert(0, "hub_id", pd.array(ids[open_rows_arr], dtype="str"))
    hubs["required"] = is_required[open_rows_arr]
    served = np.bincount(nearest, weights=weights, minlength=len(open_rows_arr))
    hubs["population_served"] = served.round(1)
    hubs["demand_points"] = np.bincount(nearest, minlength=len(open_rows_arr))
    hubs["mean_distance_m"] = np.divide(
        np.bincount(nearest, weights=weights * dist, minlength=len(open_rows_arr)),
        served,
        out=np.zeros(len(open_rows_arr)),
        where=served > 0,
    ).round(1)
    if distance is not None:
        cov = np.bincount(
            nearest, weights=np.where(dist <= distance, weights, 0.0), minlength=len(open_rows_arr)
        )
        hubs["covered_population"] = cov.round(1)
    return hubs.reset_index(drop=True), assignment


def _hub_summary(
    hubs: gpd.GeoDataFrame,
    assignment: gpd.GeoDataFrame,
    weights: np.ndarray,
    rows_report: list[dict],
) -> pd.DataFrame:
    if "locality" not in assignment.columns:
        return pd.DataFrame(columns=["locality", "hubs", "population", "mean_distance_m"])
    loc = assignment["locality"].astype(object).where(assignment["locality"].notna(), "(none)")
    frame = pd.DataFrame(
        {
            "locality": loc.astype(str).to_numpy(),
            "population": weights,
            "weighted": weights * assignment["distance_m"].to_numpy(),
        }
    )
    table = frame.groupby("locality", sort=True).sum()
    table["mean_distance_m"] = (
        table["weighted"] / table["population"].where(table["population"] > 0)
    ).round(1)
    table = table.drop(columns="weighted")
    if "locality" in hubs.columns:
        counts = hubs["locality"].astype(str).value_counts()
        table["hubs"] = counts.reindex(table.index).fillna(0).astype(int)
    else:
        table["hubs"] = 0
    table = table.reset_index()[["locality", "hubs", "population", "mean_distance_m"]]
    if rows_report:
        table = table.merge(pd.DataFrame(rows_report), on="locality", how="left")
    return table
