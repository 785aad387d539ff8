"""Ranking of candidate hub sites (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from localitygis._validate import require_bng
from localitygis.errors import DataError
from localitygis.hubs._common import (
    _check_population,
    _ids,
    _objects_or_none,
    _point_layer,
    _require,
    _tiers,
    _xy,
)
from localitygis.hubs._cost import Cost, Minutes, network_minutes
from localitygis.hubs._population import _parish_of_points
from localitygis.hubs._reach import HubReach, TierReach

log = logging.getLogger(__name__)


def rank_hub_sites(
    candidates: gpd.GeoDataFrame,
    *,
    assets: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    reach: HubReach | None = None,
    weights: Mapping[str, float] | None = None,
    parishes: gpd.GeoDataFrame | None = None,
    cost: Cost = None,
) -> pd.DataFrame:
    """Rank candidate hub sites by services, partners and population within reach.

    For each candidate: the assets within walking distance (``reach.walking``), their
    distinct categories (services) and partners, and the population within the reach of
    the candidate's tier (distance and scope, see :class:`HubReach`). Each measure is scaled
    to 0–1 by the best candidate, and the score is their weighted sum.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Points in EPSG:27700 with ``locality`` and ``tier``: existing assets (their
        ``asset_id`` identifies them) or any other sites (``candidate_id`` or the index).
    assets : geopandas.GeoDataFrame
        Located assets (``category``, ``partner``, Point geometry).
    population : geopandas.GeoDataFrame
        Population points from :func:`population_points` (``population``, ``locality``,
        ``tier``).
    reach : HubReach, optional
        Defaults to ``HubReach()``.
    weights : mapping, optional
        Weights of ``"services"``, ``"partners"`` and ``"population"`` in the score;
        default 0.4, 0.3 and 0.3.
    parishes : geopandas.GeoDataFrame, optional
        Annotated parishes (``parish_code``, ``locality``, ``tier``): candidates without
        ``locality``/``tier`` (given points) are placed in the parish that contains them
        (or the nearest within 250 m); points farther out are an error.
    cost : RoadNetwork or TravelTimes, optional
        Count the population within the tier's reach in minutes by road (``reach_minutes``)
        instead of straight-line metres; points and sites the network cannot route are
        listed in the table's ``attrs["rejects"]``.

    Returns
    -------
    pandas.DataFrame
        Best first: ``rank``, ``rank_in_locality``, ``candidate_id``, ``name``,
        ``locality``, ``tier``, ``assets_nearby``, ``services``, ``partners``,
        ``service_list``, ``partner_list``, ``reach_m``, ``reach_scope``,
        ``population_in_reach``, ``population_share`` (of the population in scope),
        ``services_score``, ``partners_score``, ``population_score``, ``score``.
        Ties are broken by ``candidate_id``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> assets = gpd.GeoDataFrame(
    ...     {"asset_id": ["a", "b", "c"], "name": ["Library", "Surgery", "Hall"],
    ...      "category": ["library", "GP surgery", "village hall"],
    ...      "partner": ["Council", "NHS", "Parish"], "locality": ["Kington"] * 3,
    ...      "tier": [2, 2, 2]},
    ...     geometry=[Point(330000, 256000), Point(330150, 256000), Point(336000, 256000)],
    ...     crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [2000.0, 500.0], "locality": ["Kington"] * 2, "tier": [2, 2]},
    ...     geometry=[Point(330500, 256000), Point(350000, 256000)], crs=27700)
    >>> ranked = rank_hub_sites(assets, assets=assets, population=people)
    >>> ranked[["rank", "candidate_id", "services", "partners", "population_in_reach"]]
       rank candidate_id  services  partners  population_in_reach
    0     1            a         2         2               2000.0
    1     2            b         2         2               2000.0
    2     3            c         1         1               2000.0
    """
    reach = reach or HubReach()
    w = _score_weights(weights)
    cand, people = _rank_inputs(candidates, assets, population, parishes)
    ids = _ids(cand, "site ")
    tiers = _tiers(cand, "candidates")
    near = _services_near(_xy(cand), assets, reach.walking)
    times = network_minutes(cost, population.reset_index(drop=True), cand, places="candidates")
    within = _population_within(cand, population, people, tiers, reach, times)
    table = pd.DataFrame(
        {
            "candidate_id": pd.array(ids, dtype="str"),
            "name": pd.array(
                cand["name"].astype(str).to_numpy(dtype=object) if "name" in cand else ids,
                dtype="str",
            ),
            "locality": pd.array(_objects_or_none(cand["locality"]), dtype="str"),
            "tier": tiers,
            **near,
            **within,
        }
    )
    table = _scored(table, w)
    if times is not None:
        table.attrs["rejects"] = times.rejects
    return table


def _score_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = {"services": 0.4, "partners": 0.3, "population": 0.3}
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise DataError(
                f"unknown score weight(s) {', '.join(sorted(unknown))}; use services, "
                "partners, population."
            )
        w.update({k: float(v) for k, v in weights.items()})
    return w


def _rank_inputs(
    candidates: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    _point_layer(candidates, "candidates")
    if parishes is not None and not {"locality", "tier"} <= set(candidates.columns):
        candidates = _locate_sites(candidates, parishes)
    _require(
        candidates,
        ["locality", "tier"],
        "candidates",
        "Locate the candidate sites first, or pass parishes=... to place them.",
    )
    _point_layer(assets, "assets", label="asset_id" if "asset_id" in assets else None)
    _require(assets, ["category", "partner"], "assets", "Read registers with localitygis.assets.")
    people = _check_population(population)
    _require(population, ["locality", "tier"], "population", "Use population_points(...).")
    return candidates.reset_index(drop=True), people


def _services_near(cxy: np.ndarray, assets: gpd.GeoDataFrame, walking: float) -> dict:
    """Assets, distinct services and partners within walking distance of each site."""
    n = len(cxy)
    near = cKDTree(cxy).query_ball_tree(cKDTree(_xy(assets)), r=walking)
    ci = np.repeat(np.arange(n), [len(v) for v in near])
    ai = np.concatenate([np.asarray(v, dtype=np.int64) for v in near] or [np.empty(0, np.int64)])
    pairs = pd.DataFrame(
        {
            "c": ci,
            "category": assets["category"].astype(str).to_numpy(dtype=object)[ai],
            "partner": assets["partner"].astype(str).to_numpy(dtype=object)[ai],
        }
    )
    return {
        "assets_nearby": np.bincount(ci, minlength=n).astype(np.int64),
        "services": _count_by(pairs, "category", n),
        "partners": _count_by(pairs, "partner", n),
        "service_list": pd.array(_join_by(pairs, "category", n), dtype="str"),
        "partner_list": pd.array(_join_by(pairs, "partner", n), dtype="str"),
    }


@dataclass(frozen=True)
class _Scope:
    """Population by locality, as codes shared by the points and the sites."""

    p_code: np.ndarray
    c_code: np.ndarray
    rural: np.ndarray
    by_locality: np.ndarray
    rural_by_locality: np.ndarray


def _scope(cand: gpd.GeoDataFrame, population: gpd.GeoDataFrame, people: np.ndarray) -> _Scope:
    # localities as codes shared by population and candidates (None never matches)
    p_text = pd.Series(_objects_or_none(population["locality"]), dtype=object)
    c_text = pd.Series(_objects_or_none(cand["locality"]), dtype=object)
    codes, names = pd.factorize(pd.concat([p_text, c_text], ignore_index=True))
    p_code, c_code = codes[: len(p_text)], codes[len(p_text) :]
    rural = pd.to_numeric(population["tier"], errors="coerce").to_numpy() == 1
    n_names = len(names) + 1
    return _Scope(
        p_code,
        c_code,
        rural,
        np.bincount(p_code + 1, weights=people, minlength=n_names),
        np.bincount(p_code + 1, weights=people * rural, minlength=n_names),
    )


def _population_within(
    cand: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    people: np.ndarray,
    tiers: np.ndarray,
    reach: HubReach,
    times: Minutes | None,
) -> dict:
    """Count the people within each site's tier reach (metres, or minutes by road), and in scope."""
    scope = _scope(cand, population, people)
    n = len(cand)
    out = {"reach_m": np.zeros(n), "reach_scope": np.empty(n, dtype=object)}
    in_reach, in_scope = np.zeros(n), np.zeros(n)
    if times is not None:
        out["reach_minutes"] = np.zeros(n)
    find = _finder(cand, population, times)
    for t in np.unique(tiers):
        rule = reach.for_tier(int(t))
        rows = np.flatnonzero(tiers == t)
        out["reach_m"][rows] = rule.distance
        out["reach_scope"][rows] = rule.scope
        if times is not None:
            out["reach_minutes"][rows] = np.nan if rule.minutes is None else rule.minutes
        if rule.scope == "county":
            in_reach[rows] = in_scope[rows] = people.sum()
            continue
        in_scope[rows] = _in_scope(scope, rows, rule.scope == "locality+rural")
        for row, points in zip(rows, find(rows, rule), strict=True):
            points = np.asarray(points, dtype=np.int64)
            ok = (scope.p_code[points] == scope.c_code[row]) & (scope.c_code[row] >= 0)
            if rule.scope == "locality+rural":
                ok |= scope.rural[points]
            in_reach[row] = people[points[ok]].sum()
    out["reach_scope"] = pd.array(out["reach_scope"], dtype="str")
    out["population_in_reach"] = in_reach
    out["population_share"] = np.divide(in_reach, in_scope, out=np.zeros(n), where=in_scope > 0)
    return out


def _in_scope(scope: _Scope, rows: np.ndarray, rural: bool) -> np.ndarray:
    codes = scope.c_code[rows]
    total = np.where(codes >= 0, scope.by_locality[codes + 1], 0.0)
    if rural:  # plus the rural people of other localities
        own_rural = np.where(codes >= 0, scope.rural_by_locality[codes + 1], 0.0)
        total = total + scope.rural_by_locality.sum() - own_rural
    return total


def _finder(
    cand: gpd.GeoDataFrame, population: gpd.GeoDataFrame, times: Minutes | None
) -> Callable[[np.ndarray, TierReach], list]:
    """How to find the population points within a tier's reach of some of the sites."""
    if times is not None:
        return lambda rows, rule: _found_by_road(times, rows, rule.minutes)
    tree, cxy = cKDTree(_xy(population)), _xy(cand)
    return lambda rows, rule: tree.query_ball_point(cxy[rows], r=rule.distance)


def _found_by_road(times: Minutes, rows: np.ndarray, minutes: float | None) -> list[np.ndarray]:
    if minutes is None:
        raise DataError("a tier has no reach in minutes; set TierReach(minutes=...).")
    within = (times.minutes[:, rows] <= minutes) & times.people_ok[:, None]
    return [np.flatnonzero(within[:, i]) for i in range(len(rows))]


def _scored(table: pd.DataFrame, w: Mapping[str, float]) -> pd.DataFrame:
    def scaled(values: np.ndarray) -> np.ndarray:
        top = values.max() if len(values) else 0
        return values / top if top > 0 else np.zeros(len(values))

    s_services = scaled(table["services"].to_numpy(dtype=float))
    s_partners = scaled(table["partners"].to_numpy(dtype=float))
    s_population = scaled(table["population_in_reach"].to_numpy(dtype=float))
    score = w["services"] * s_services + w["partners"] * s_partners + w["population"] * s_population
    table["services_score"] = s_services.round(4)
    table["partners_score"] = s_partners.round(4)
    table["population_score"] = s_population.round(4)
    table["score"] = score.round(4)
    table = table.sort_values(
        ["score", "candidate_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.insert(
        1,
        "rank_in_locality",
        table.groupby("locality", dropna=False).cumcount().to_numpy() + 1,
    )
    return table


def _locate_sites(candidates: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    _require(parishes, ["parish_code", "locality", "tier"], "parishes", "Use build_localities.")
    require_bng(parishes, "parishes")
    flat = parishes.reset_index(drop=True)
    codes = flat["parish_code"].astype(str)
    sites = candidates.reset_index(drop=True).drop(columns=["parish_code"], errors="ignore")
    idx = _parish_of_points(flat, sites, codes, snap=250.0, source="candidates")
    out = sites.copy()
    out["parish_code"] = codes.to_numpy(dtype=object)[idx]
    out["locality"] = flat["locality"].to_numpy(dtype=object)[idx]
    out["tier"] = flat["tier"].to_numpy()[idx]
    return out


def _count_by(pairs: pd.DataFrame, column: str, n: int) -> np.ndarray:
    distinct = pairs[["c", column]].drop_duplicates()
    return np.bincount(distinct["c"].to_numpy(dtype=np.int64), minlength=n).astype(np.int64)


def _join_by(pairs: pd.DataFrame, column: str, n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    if len(pairs):
        joined = (
            pairs[["c", column]]
            .drop_duplicates()
            .sort_values(["c", column])
            .groupby("c")[column]
            .agg("; ".join)
        )
        out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    return out
