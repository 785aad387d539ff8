"""Ranking of candidate hub sites (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

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
from localitygis.hubs._population import _parish_of_points
from localitygis.hubs._reach import HubReach

log = logging.getLogger(__name__)


def rank_hub_sites(
    candidates: gpd.GeoDataFrame,
    *,
    assets: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    reach: HubReach | None = None,
    weights: Mapping[str, float] | None = None,
    parishes: gpd.GeoDataFrame | None = None,
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
    w = {"services": 0.4, "partners": 0.3, "population": 0.3}
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise DataError(
                f"unknown score weight(s) {', '.join(sorted(unknown))}; use services, "
                "partners, population."
            )
        w.update({k: float(v) for k, v in weights.items()})
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

    cand = candidates.reset_index(drop=True)
    ids = _ids(cand, "site ")
    cxy = _xy(cand)
    tiers = _tiers(cand, "candidates")
    cand_locality = _objects_or_none(cand["locality"])

    # services and partners within walking distance
    axy = _xy(assets)
    atree = cKDTree(axy)
    near = cKDTree(cxy).query_ball_tree(atree, r=reach.walking)
    ci = np.repeat(np.arange(len(cand)), [len(v) for v in near])
    ai = np.concatenate([np.asarray(v, dtype=np.int64) for v in near] or [np.empty(0, np.int64)])
    category = assets["category"].astype(str).to_numpy(dtype=object)[ai]
    partner = assets["partner"].astype(str).to_numpy(dtype=object)[ai]
    pairs = pd.DataFrame({"c": ci, "category": category, "partner": partner})
    n_assets = np.bincount(ci, minlength=len(cand))
    service_list = _join_by(pairs, "category", len(cand))
    partner_list = _join_by(pairs, "partner", len(cand))
    services = _count_by(pairs, "category", len(cand))
    partners = _count_by(pairs, "partner", len(cand))

    # population within reach of the candidate's tier
    pxy = _xy(population)
    ptree = cKDTree(pxy)
    # localities as codes shared by population and candidates (None never matches)
    p_text = pd.Series(_objects_or_none(population["locality"]), dtype=object)
    c_text = pd.Series(cand_locality, dtype=object)
    codes, names = pd.factorize(pd.concat([p_text, c_text], ignore_index=True))
    p_code, c_code = codes[: len(p_text)], codes[len(p_text) :]
    p_rural = pd.to_numeric(population["tier"], errors="coerce").to_numpy() == 1
    n_names = len(names) + 1
    pop_by_loc = np.bincount(p_code + 1, weights=people, minlength=n_names)
    rural_by_loc = np.bincount(p_code + 1, weights=people * p_rural, minlength=n_names)
    rural_total = float((people * p_rural).sum())
    in_reach = np.zeros(len(cand))
    in_scope = np.zeros(len(cand))
    reach_m = np.zeros(len(cand))
    scope = np.empty(len(cand), dtype=object)
    for t in np.unique(tiers):
        rule = reach.for_tier(int(t))
        rows = np.flatnonzero(tiers == t)
        reach_m[rows] = rule.distance
        scope[rows] = rule.scope
        if rule.scope == "county":
            in_reach[rows] = people.sum()
            in_scope[rows] = people.sum()
            continue
        rural = rule.scope == "locality+rural"
        own_total = np.where(c_code[rows] >= 0, pop_by_loc[c_code[rows] + 1], 0.0)
        in_scope[rows] = own_total
        if rural:  # plus the rural people of other localities
            own_rural = np.where(c_code[rows] >= 0, rural_by_loc[c_code[rows] + 1], 0.0)
            in_scope[rows] += rural_total - own_rural
        lists = ptree.query_ball_point(cxy[rows], r=rule.distance)
        for row, found in zip(rows, lists, strict=True):
            found = np.asarray(found, dtype=np.int64)
            ok = (p_code[found] == c_code[row]) & (c_code[row] >= 0)
            if rural:
                ok |= p_rural[found]
            in_reach[row] = people[found[ok]].sum()

    def scaled(values: np.ndarray) -> np.ndarray:
        top = values.max() if len(values) else 0
        return values / top if top > 0 else np.zeros(len(values))

    s_services = scaled(services.astype(float))
    s_partners = scaled(partners.astype(float))
    s_population = scaled(in_reach)
    score = w["services"] * s_services + w["partners"] * s_partners + w["population"] * s_population
    table = pd.DataFrame(
        {
            "candidate_id": pd.array(ids, dtype="str"),
            "name": pd.array(
                cand["name"].astype(str).to_numpy(dtype=object) if "name" in cand else ids,
                dtype="str",
            ),
            "locality": pd.array(cand_locality, dtype="str"),
            "tier": tiers,
            "assets_nearby": n_assets.astype(np.int64),
            "services": services,
            "partners": partners,
            "service_list": pd.array(service_list, dtype="str"),
            "partner_list": pd.array(partner_list, dtype="str"),
            "reach_m": reach_m,
            "reach_scope": pd.array(scope, dtype="str"),
            "population_in_reach": in_reach,
            "population_share": np.divide(
                in_reach, in_scope, out=np.zeros(len(cand)), where=in_scope > 0
            ),
            "services_score": s_services.round(4),
            "partners_score": s_partners.round(4),
            "population_score": s_population.round(4),
            "score": score.round(4),
        }
    )
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
